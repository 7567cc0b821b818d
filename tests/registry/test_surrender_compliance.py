"""Surrender rules, cumulative compliance status across years, corrections, reversals and penalties."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import AuditLog, EmissionReport
from mrv.transitions import TransitionRefused
from registry import selectors, services
from registry.ledger import LedgerError, Unit
from registry.models import ComplianceRecord, MarketCap
from registry.selectors import Status
from registry.services import surrender as surrender_services
from tests.factories import ReportFactory, market
from tests.registry.conftest import determine, fund

D = Decimal
BEFORE_DEADLINE = datetime.date(2026, 6, 1)  # Shanghai: compliance due 30 June of the next year
AFTER_DEADLINE = datetime.date(2026, 7, 1)
CCER = Unit("CCER", 2024, "CCER-001")


@pytest.fixture
def caps(shanghai):
    for year in (2024, 2025, 2026):
        MarketCap.objects.create(market=shanghai, year=year, cap_tco2e=D(1000000), reserve_tco2e=D(0))


def surrender(firm, year, key, allowances=None, offsets=None):
    return services.units_surrender(firm=firm, year=year, allowances=allowances, offsets=offsets, idempotency_key=key)


def status(firm, year, today=BEFORE_DEADLINE):
    return selectors.compliance_status(firm, year, today=today)


def test_a_firm_without_determined_emissions_has_no_obligation_yet(firm, caps):
    ReportFactory(firm=firm, year=2025, status=EmissionReport.Status.VERIFIED, determined_emissions_tco2e=D(900))
    assert status(firm, 2025).status == Status.NO_OBLIGATION


def test_compliance_is_cumulative_and_follows_corrections_and_reversals(firm, caps):
    fund(firm, 600, vintage=2024)
    fund(firm, 900, vintage=2025)
    services.offsets_issue(
        firm=firm, offset_type="CCER", project="CCER-001", vintage=2024, quantity=50, idempotency_key="ccer"
    )
    determine(firm, 2024, 500)
    first = surrender(firm, 2024, "s2024", allowances={2024: 600})
    assert status(firm, 2024).status == Status.COMPLIANT  # 600 ≥ 500; 100 carried forward
    report = determine(firm, 2025, 1000)
    assert status(firm, 2025).status == Status.OUTSTANDING
    assert status(firm, 2025).remaining_tco2e == D(900)  # 1,000 − 100 carried
    surrender(firm, 2025, "s2025", allowances={2025: 850}, offsets={CCER: 50})
    s = status(firm, 2025)
    assert (s.status, s.carried_in_tco2e, s.allowances_tco2e, s.offsets_tco2e) == (
        Status.COMPLIANT,
        D(100),
        D(850),
        D(50),
    )
    # a correction of the determined emissions to 1,100 t: 100 + 850 + 50 − 1,100 = −100
    EmissionReport.objects.filter(pk=report.pk).update(determined_emissions_tco2e=D(1100))
    assert (status(firm, 2025).status, status(firm, 2025).shortfall_tco2e) == (Status.OUTSTANDING, D(100))
    assert status(firm, 2025, AFTER_DEADLINE).status == Status.NON_COMPLIANT
    # reversing the 2024 surrender: 2024 is short by 500; as in the EU registry's cumulative status the
    # unmet 2024 obligation stays owed, so 2025 is short by 500 + (1,100 − 900) = 700
    services.transaction_reverse(original=first, idempotency_key="rev2024", reason="surrendered in error")
    assert (status(firm, 2024).status, status(firm, 2024).shortfall_tco2e) == (Status.NON_COMPLIANT, D(500))
    assert status(firm, 2025).shortfall_tco2e == D(700)


def test_allowances_of_a_later_vintage_are_refused_and_banked_ones_accepted(firm, caps):
    fund(firm, 100, vintage=2026)
    fund(firm, 100, vintage=2024)
    determine(firm, 2025, 100)
    with pytest.raises(LedgerError) as err:
        surrender(firm, 2025, "late", allowances={2026: 100})
    assert err.value.message == surrender_services.VINTAGE_TOO_LATE % {"vintage": 2026, "year": 2025}
    surrender(firm, 2025, "banked", allowances={2024: 100})
    assert status(firm, 2025).status == Status.COMPLIANT


def test_offsets_beyond_the_cap_are_refused(firm, caps):
    determine(firm, 2025, 1000)  # Shanghai: 5% → 50 t of offsets
    services.offsets_issue(
        firm=firm, offset_type="CCER", project="CCER-001", vintage=2024, quantity=80, idempotency_key="ccer"
    )
    surrender(firm, 2025, "o1", offsets={CCER: 30})
    with pytest.raises(LedgerError) as err:
        surrender(firm, 2025, "o2", offsets={CCER: 21})
    assert err.value.message == surrender_services.OFFSET_CAP_EXCEEDED % {
        "cap": D(50),
        "year": 2025,
        "pct": D("5.00"),
        "obligation": D(1000),
        "used": D(30),
        "wanted": D(21),
    }
    surrender(firm, 2025, "o3", offsets={CCER: 20})
    assert status(firm, 2025).offset_headroom_tco2e == D(0)


def test_offsets_of_a_type_the_market_does_not_accept_are_refused(firm, caps):
    determine(firm, 2025, 1000)
    phcer = Unit("PHCER", 2024, "GD-PH-1")
    services.offsets_issue(
        firm=firm, offset_type="PHCER", project="GD-PH-1", vintage=2024, quantity=10, idempotency_key="ph"
    )
    with pytest.raises(LedgerError, match="does not accept PHCER"):
        surrender(firm, 2025, "ph", offsets={phcer: 10})


def test_offsets_of_a_later_vintage_are_refused(firm, caps):
    determine(firm, 2025, 1000)
    later = Unit("CCER", 2026, "CCER-002")
    services.offsets_issue(
        firm=firm, offset_type="CCER", project="CCER-002", vintage=2026, quantity=10, idempotency_key="c26"
    )
    with pytest.raises(LedgerError, match="vintage 2026 cannot be used for 2025"):
        surrender(firm, 2025, "c26", offsets={later: 10})


def test_offsets_before_the_emissions_are_determined_are_refused(firm, caps):
    services.offsets_issue(
        firm=firm, offset_type="CCER", project="CCER-001", vintage=2024, quantity=10, idempotency_key="c"
    )
    with pytest.raises(LedgerError, match="once the emissions of 2025 are determined"):
        surrender(firm, 2025, "c-surrender", offsets={CCER: 10})


def test_marking_non_compliance_after_the_deadline_is_idempotent(firm, other_firm, caps):
    determine(firm, 2025, 1000)
    determine(other_firm, 2025, 200)
    fund(other_firm, 200)
    surrender(other_firm, 2025, "ok", allowances={2025: 200})
    assert services.compliance_mark_non_compliant(market=market("shanghai"), year=2025, today=BEFORE_DEADLINE) == []
    marked = services.compliance_mark_non_compliant(market=market("shanghai"), year=2025, today=AFTER_DEADLINE)
    assert [(r.firm_id, r.shortfall_tco2e) for r in marked] == [(firm.pk, D(1000))]
    again = services.compliance_mark_non_compliant(market=market("shanghai"), year=2025, today=AFTER_DEADLINE)
    assert [r.pk for r in again] == [r.pk for r in marked]
    assert ComplianceRecord.objects.count() == 1
    assert AuditLog.objects.filter(action="registry.compliance.non_compliant").count() == 1
    # surrendering late makes the firm compliant, flagged as late
    fund(firm, 1000)
    surrender(firm, 2025, "late", allowances={2025: 1000})
    late = status(firm, 2025, AFTER_DEADLINE)
    assert (late.status, late.late) == (Status.COMPLIANT, True)


@pytest.mark.parametrize(
    "code, shortfall, fine, deduction",
    [
        ("shanghai", D(100), D("50000.00"), D(100)),  # no per-tonne fine; minimum 50,000; 1 × shortfall
        ("hubei", D(1000), D("60000.00"), D(2000)),  # 1,000 × 60 = 60,000; 2 × shortfall
        ("hubei", D(5000), D("150000.00"), D(10000)),  # 5,000 × 60 = 300,000 → capped at 150,000
        ("guangdong", D(10), D("50000.00"), D(20)),  # flat 50,000; 2 × shortfall
        ("beijing", D(100), D("24000.00"), D(0)),  # 100 × 240 = 24,000; no deduction
        ("tianjin", D(100), D("0.00"), D(100)),  # no fine; 1 × shortfall deducted
    ],
)
def test_penalty_follows_the_rule_pack(db, code, shortfall, fine, deduction):
    assert services.penalty_compute(shortfall, market(code).rule_pack_for(2025)) == (fine, deduction)


def test_the_regulator_proposes_and_the_head_decides_a_penalty(firm, caps, regulator, regulator_head, other_regulator):
    determine(firm, 2025, 300)
    with pytest.raises(LedgerError, match="has not been found non-compliant"):
        services.penalty_propose(firm=firm, year=2025, acting_user=regulator)
    services.compliance_mark_non_compliant(market=market("shanghai"), year=2025, today=AFTER_DEADLINE)
    with pytest.raises(PermissionDenied):
        services.penalty_propose(firm=firm, year=2025, acting_user=other_regulator)
    penalty = services.penalty_propose(firm=firm, year=2025, acting_user=regulator)
    assert (penalty.shortfall_tco2e, penalty.fine_cny, penalty.deduction_tco2e) == (D(300), D("50000.00"), D(300))
    with pytest.raises(PermissionDenied):
        services.penalty_decide(penalty=penalty, decision_text="Fine and deduction.", acting_user=regulator)
    with pytest.raises(TransitionRefused, match="reason"):
        services.penalty_decide(penalty=penalty, decision_text="", acting_user=regulator_head)
    services.penalty_decide(penalty=penalty, decision_text="沪环罚〔2026〕1号", acting_user=regulator_head)
    penalty.refresh_from_db()
    assert (penalty.status, penalty.decided_by, penalty.decision_text) == (
        "decided",
        regulator_head,
        "沪环罚〔2026〕1号",
    )
    assert AuditLog.objects.filter(action="registry.penalty.decide", object_id=str(penalty.pk)).exists()


def test_offset_credits_need_a_known_type_a_project_and_the_markets_regulator(firm, caps, other_regulator):
    with pytest.raises(LedgerError, match="XYZ is not an offset credit type"):
        services.offsets_issue(firm=firm, offset_type="XYZ", project="P", vintage=2024, quantity=1, idempotency_key="a")
    with pytest.raises(LedgerError, match="with their project"):
        services.offsets_issue(
            firm=firm, offset_type="CCER", project=" ", vintage=2024, quantity=1, idempotency_key="b"
        )
    with pytest.raises(PermissionDenied):
        services.offsets_issue(
            firm=firm,
            offset_type="CCER",
            project="P",
            vintage=2024,
            quantity=1,
            idempotency_key="c",
            acting_user=other_regulator,
        )
