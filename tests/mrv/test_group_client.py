"""The group's reference client (examples/group_client.py) against the live test server: one CSV with the rows
of two plants that entrusted the group's person with their data, pushed in one batch; a bad row names the plant."""

import argparse
import importlib.util
import io
import sys
from pathlib import Path

import pytest

from mrv.models import ActivityDataRow, User
from mrv.services.mandates import mandate_grant
from mrv.services.reports import validate_report
from signin.tokens import token_create
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, monthly, report
from tests.mrv.test_firm_client import _csv, _live_server_media_url  # noqa: F401 (fixture)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))
spec = importlib.util.spec_from_file_location("group_client", EXAMPLES / "group_client.py")
group_client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(group_client)

ROWS = monthly("coal", range(1, 13), activity="1000", activity_unit="t", ncv="20.908", ncv_unit="GJ/t")


@pytest.fixture
def desk(firm, other_firm, shanghai):
    """The group's person (a reporter of the head office's plant, `other_firm`) holds `firm`'s and a third plant's data."""
    person = f.UserFactory(username="group_desk", role=User.Role.FIRM_REPORTER, firm=other_firm)
    third = f.FirmFactory(market=shanghai, sector=f.sector("power"))
    drafts = {}
    for plant in (firm, third):
        approved_plan(plant, [COAL])
        approver = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=plant)
        mandate_grant(firm=plant, username="group_desk", acting_user=approver)
        drafts[plant.credit_code] = report(plant)
    return person, drafts


def _args(url, person, path) -> argparse.Namespace:
    _token, key = token_create(user=person, name="group", scope="write", days=7, acting_user=person)
    return argparse.Namespace(url=url, token=key, year=2025, csv=str(path), language="en")


def test_the_group_client_pushes_every_plants_year_in_one_batch(live_server, desk, tmp_path):
    person, drafts = desk
    rows = [{"credit_code": code, **row} for code in drafts for row in ROWS]
    printed = io.StringIO()
    checked = group_client.run(_args(live_server.url, person, _csv(tmp_path / "group.csv", rows)), out=printed)
    assert "24 rows of 2 plants stored" in printed.getvalue()
    for code, draft in drafts.items():
        assert ActivityDataRow.objects.filter(report=draft).count() == 12
        assert checked[code]["totals"] == validate_report(draft).result.as_dict()["totals"]


def test_a_bad_row_names_the_plant_and_nothing_is_stored(live_server, desk, tmp_path):
    person, drafts = desk
    first, second = drafts
    rows = [
        {"credit_code": first, **ROWS[0]},
        {"credit_code": second, **ROWS[0]},
        {"credit_code": second, **ROWS[1], "activity": "lots"},
    ]
    with pytest.raises(group_client.ApiError, match=rf"row 2 #/reports/1/rows/1: {second}: Row 2 \(coal, month 2\)"):
        group_client.run(_args(live_server.url, person, _csv(tmp_path / "group.csv", rows)), out=io.StringIO())
    assert not ActivityDataRow.objects.exists()


def test_a_plant_that_did_not_entrust_the_person_is_named(live_server, desk, tmp_path, shanghai):
    person, _drafts = desk
    stranger = f.FirmFactory(market=shanghai, sector=f.sector("power"))
    rows = [{"credit_code": stranger.credit_code, **ROWS[0]}]
    with pytest.raises(SystemExit, match=stranger.credit_code):
        group_client.run(_args(live_server.url, person, _csv(tmp_path / "group.csv", rows)), out=io.StringIO())
