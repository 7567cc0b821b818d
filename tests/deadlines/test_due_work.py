"""The spot-check draw and the compliance marking, once each, after the market's deadline passes.

Both call services of other parts (verification: `mrv.services.spot_checks.spot_check_draw`;
registry: `registry.services.surrender.compliance_mark_non_compliant`). The tests record the calls; where
the service has not landed yet, a stand-in module with the agreed signature takes its place.
"""

import datetime
import importlib
import io
import sys
import types

import pytest
from django.core.management import CommandError, call_command

from deadlines.models import DueWorkDone, Notification
from deadlines.services import compliance_mark_due, spot_checks_draw_due

D = datetime.date


def record_calls(monkeypatch, module_name: str, function_name: str, fail: Exception | None = None, result=None):
    calls = []

    def service(*, market, year, acting_user=None, seed=None, today=None):
        if fail:
            raise fail
        calls.append((market.code, year, acting_user))
        return result(market) if callable(result) else (result if result is not None else object())

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        module = types.ModuleType(module_name)
        monkeypatch.setitem(sys.modules, module_name, module)
    monkeypatch.setattr(module, function_name, service, raising=False)
    return calls


@pytest.fixture
def draws(monkeypatch):
    return record_calls(monkeypatch, "mrv.services.spot_checks", "spot_check_draw")


@pytest.fixture
def markings(monkeypatch):
    return record_calls(monkeypatch, "registry.services.surrender", "compliance_mark_non_compliant", result=[])


def test_no_draw_on_the_verification_deadline_itself(draws, shanghai):
    assert spot_checks_draw_due(today=D(2026, 4, 30)) == 0
    assert draws == []


def test_sample_is_drawn_once_the_day_after_for_spot_check_markets_only(draws, spot_checker, regulator):
    assert spot_checks_draw_due(today=D(2026, 5, 1)) == 3
    assert spot_checks_draw_due(today=D(2026, 5, 1)) == 0
    assert spot_checks_draw_due(today=D(2026, 5, 2)) == 0
    # Beijing, Hubei and Shanghai spot-check; Shenzhen, Tianjin and the others do not.
    assert sorted(draws) == [("beijing", 2025, None), ("hubei", 2025, None), ("shanghai", 2025, None)]
    notes = Notification.objects.filter(recipient=spot_checker, kind=Notification.Kind.SPOT_CHECK_DRAWN)
    # The spot-check body is registered in Beijing and Shanghai only.
    assert sorted(n.params["market_en"] for n in notes) == ["Beijing", "Shanghai"]
    assert not Notification.objects.filter(recipient=regulator).exists()


def test_a_failed_draw_is_not_recorded_and_is_tried_again(monkeypatch, shanghai):
    record_calls(monkeypatch, "mrv.services.spot_checks", "spot_check_draw", fail=RuntimeError("sampling failed"))
    with pytest.raises(RuntimeError):
        spot_checks_draw_due(today=D(2026, 5, 1), market_id=shanghai.pk)
    assert not DueWorkDone.objects.exists()
    calls = record_calls(monkeypatch, "mrv.services.spot_checks", "spot_check_draw")
    assert spot_checks_draw_due(today=D(2026, 5, 3), market_id=shanghai.pk) == 1
    assert calls == [("shanghai", 2025, None)]


def test_a_sample_drawn_by_hand_before_the_deadline_scan_is_left_alone(monkeypatch, shanghai, spot_checker):
    from mrv.transitions import TransitionRefused

    refused = TransitionRefused("already drawn", code="already_drawn")
    record_calls(monkeypatch, "mrv.services.spot_checks", "spot_check_draw", fail=refused)
    assert spot_checks_draw_due(today=D(2026, 5, 1), market_id=shanghai.pk) == 0
    assert DueWorkDone.objects.filter(job=DueWorkDone.Job.SPOT_CHECK_DRAW, market=shanghai, year=2025).exists()
    assert not Notification.objects.filter(recipient=spot_checker).exists()


def test_long_past_deadlines_are_not_drawn_again_on_a_new_installation(draws, shanghai):
    assert spot_checks_draw_due(today=D(2026, 11, 25)) == 0  # 30 April was 209 days ago


def test_non_compliance_is_marked_once_after_the_compliance_deadline(markings, regulator, other_regulator, shanghai):
    assert compliance_mark_due(today=D(2026, 6, 30), market_id=shanghai.pk) == 0  # Shanghai: due 30 June
    assert compliance_mark_due(today=D(2026, 7, 1), market_id=shanghai.pk) == 1
    assert compliance_mark_due(today=D(2026, 7, 1), market_id=shanghai.pk) == 0
    assert markings == [("shanghai", 2025, None)]
    [note] = Notification.objects.filter(recipient=regulator, kind=Notification.Kind.NON_COMPLIANCE_MARKED)
    assert note.params["year"] == 2025
    assert not Notification.objects.filter(recipient=other_regulator).exists()


def test_firms_marked_non_compliant_are_told(firm, other_firm, firm_user, other_firm_user, regulator, shanghai):
    from decimal import Decimal

    from tests import factories as f

    f.ReportFactory(firm=firm, year=2025, status="determined", determined_emissions_tco2e=Decimal(1000))
    compliance_mark_due(today=D(2026, 7, 1), market_id=shanghai.pk)  # other_firm: emissions missing, not marked
    [note] = Notification.objects.filter(recipient=firm_user, kind=Notification.Kind.FIRM_NON_COMPLIANT)
    assert note.params == {"firm": firm.name, "firm_id": firm.pk, "year": 2025}
    assert not Notification.objects.filter(recipient=other_firm_user).exists()
    assert Notification.objects.get(recipient=regulator).params["count"] == 1


def test_each_market_is_marked_after_its_own_deadline(db, markings):
    compliance_mark_due(today=D(2026, 6, 21))
    # Due by 20 June: Beijing, Shenzhen, Chongqing (20 June); Tianjin, Hubei (30 May); Guangdong (30 June) not yet.
    marked = {code for code, _y, _u in markings}
    assert {"beijing", "tianjin", "shenzhen"} <= marked
    assert "shanghai" not in marked and "national" not in marked


def test_the_national_year_due_on_31_december_of_the_next_year_is_marked_in_the_year_after(db, markings):
    compliance_mark_due(today=D(2027, 1, 1))  # national 2025: due 31 December 2026
    assert ("national", 2025, None) in markings


def test_run_due_work_command_runs_everything_due_on_a_date(markings, draws, firm, shenzhen_firm):
    out = io.StringIO()
    call_command("run_due_work", "--date", "2026-05-01", stdout=out)
    lines = dict(line.split(": ") for line in out.getvalue().splitlines())
    assert lines["reports_opened"] == "2"  # both firms' 2026 annual reports
    assert lines["quarterly_reports_opened"] == "1"  # Shenzhen's Q1 2026
    assert lines["spot_check_draws"] == "3"
    assert int(lines["reminders_sent"]) > 0
    again = io.StringIO()
    call_command("run_due_work", "--date", "2026-05-01", stdout=again)
    assert set(again.getvalue().split()) == {
        "reports_opened:",
        "quarterly_reports_opened:",
        "reminders_sent:",
        "snapshots_built:",
        "spot_check_draws:",
        "compliance_markings:",
        "0",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "--date must be YYYY-MM-DD, not '2026-13-01'."),
        (["--market", "atlantis"], "--market: no market with code 'atlantis'."),
    ],
)
def test_run_due_work_refuses_bad_arguments(db, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("run_due_work", *args)
