"""The reference client (examples/firm_client.py) against the live test server: a year of monthly data
from a CSV, the calculation, warnings acknowledged, submitted — and equal to the same year via the services."""

import argparse
import importlib.util
import io
from pathlib import Path

import pytest

from mrv.models import EmissionReport, User
from mrv.selectors.reports import report_validation
from mrv.services import reports as svc
from signin.mfa import recovery_codes_issue
from signin.tokens import token_create
from tests import factories as f
from tests.mrv.reporting import COAL, approved_plan, monthly, report

CLIENT = Path(__file__).resolve().parents[2] / "examples" / "firm_client.py"
spec = importlib.util.spec_from_file_location("firm_client", CLIENT)
firm_client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(firm_client)

ROWS = monthly("coal", range(1, 13), activity="1000", activity_unit="t", ncv="20.908", ncv_unit="GJ/t")
ROWS[4] = ROWS[4] | {"ncv": "45"}  # an implausible NCV in May: a warning the client acknowledges
OUTPUT = [{"kind": "product", "name": "供电量", "amount": "1000000", "unit": "MWh"}]


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """As in tests/e2e/conftest.py: the live server's media handler needs a URL string (the app has none)."""
    from django.conf import settings

    before = settings.MEDIA_URL
    settings.MEDIA_URL = "/__no_media__/"
    yield
    settings.MEDIA_URL = before


def _csv(path: Path, rows: list[dict]) -> str:
    names = list(dict.fromkeys(k for row in rows for k in row))
    lines = [",".join(names)] + [",".join(str(row.get(n, "")) for n in names) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def approver(firm):
    approved_plan(firm, [COAL])
    return f.UserFactory(username="client_approver", role=User.Role.FIRM_APPROVER, firm=firm)


def test_the_reference_client_submits_a_year_from_a_csv(live_server, approver, other_firm, tmp_path):
    _token, key = token_create(user=approver, name="erp", scope="write", days=7, acting_user=approver)
    args = argparse.Namespace(
        url=live_server.url,
        token=key,
        year=2025,
        csv=_csv(tmp_path / "activity.csv", ROWS),
        output_csv=_csv(tmp_path / "output.csv", OUTPUT),
        reason="May: a second boiler ran",
        language="en",
        no_submit=False,
        second_factor=recovery_codes_issue(approver)[0],
    )
    printed = io.StringIO()
    submitted = firm_client.run(args, out=printed)
    assert (submitted["report"]["status"], submitted["version"]) == ("submitted", 1), printed.getvalue()
    assert "warnings acknowledged" in printed.getvalue() and "total" in printed.getvalue()
    via_api = EmissionReport.objects.get(pk=submitted["report"]["id"]).current_version
    approved_plan(other_firm, [COAL])
    other = f.UserFactory(role=User.Role.FIRM_APPROVER, firm=other_firm)
    draft = report(other_firm)
    svc.report_save_activity_data(report=draft, rows=ROWS, acting_user=other)
    svc.report_save_output_data(report=draft, rows=OUTPUT, acting_user=other)
    for warning in report_validation(draft).warnings:
        svc.report_acknowledge_warning(
            report=draft, key=warning.key, reason="May: a second boiler ran", acting_user=other
        )
    version = svc.report_submit(report=draft, acting_user=other, certification=f.certified())
    assert via_api.data["acknowledgements"], "the unusual May gives a warning to acknowledge"
    assert via_api.result == version.result and via_api.data["rows"] == version.data["rows"]
    assert [a["key"] for a in via_api.data["acknowledgements"]] == [a["key"] for a in version.data["acknowledgements"]]


def test_the_client_reports_bad_rows_by_row_number(live_server, approver, tmp_path):
    _token, key = token_create(user=approver, name="erp", scope="write", days=7, acting_user=approver)
    rows = [ROWS[0], ROWS[1] | {"activity": "lots"}]
    args = argparse.Namespace(
        url=live_server.url,
        token=key,
        year=2025,
        csv=_csv(tmp_path / "activity.csv", rows),
        output_csv=None,
        reason="x",
        language="en",
        no_submit=True,
        second_factor="",
    )
    with pytest.raises(firm_client.ApiError, match=r"row 2 #/rows/1: Row 2 \(coal, month 2\), activity"):
        firm_client.run(args, out=io.StringIO())
