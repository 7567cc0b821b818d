"""Re-determination: an officer corrects determined emissions with a reason and evidence, a head approves (four
eyes); a new determination version is recorded, and the position, the penalty and the statistics follow.

Hand computation (Shanghai 2025, deadline 30 June 2026): determined 1,000 t, 900 t surrendered on time →
short by 100 t; penalty 50,000 CNY (Shanghai's minimum, no per-tonne fine), deduction 1 × 100 = 100 t.
Corrected to 1,200 t: short by 1,200 − 900 = 300 t; penalty 50,000 CNY, deduction 300 t.
Corrected instead to 850 t: 900 ≥ 850, compliant; the compliance rate of the market goes from 0 / 1 to 1 / 1.
"""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mrv.models import AuditLog, Determination, EmissionReport, StoredFile
from mrv.services import redetermination
from mrv.transitions import TransitionRefused
from mrv.ui.buttons import allowed
from registry import selectors, services
from registry.models import MarketCap
from registry.selectors import Status
from signin.mfa import FRESH_AT
from tests.factories import ReportFactory
from tests.registry.conftest import fund

D = Decimal
YEAR = 2025
AFTER = datetime.date(2026, 7, 1)
PDF = b"%PDF-1.4 the later check's report"


@pytest.fixture
def determined(shanghai, firm, regulator, regulator_head, ledger_clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    MarketCap.objects.create(market=shanghai, year=YEAR, cap_tco2e=D(1000000), reserve_tco2e=D(0))
    report = ReportFactory(
        firm=firm, year=YEAR, status=EmissionReport.Status.DETERMINED, determined_emissions_tco2e=D(1000)
    )
    Determination.objects.create(
        report=report,
        basis=Determination.Basis.VERIFIED_FIGURE,
        emissions_tco2e=D(1000),
        from_state="regulator_review",
        proposed_by=regulator,
        decision=Determination.Decision.APPROVED,
        decided_by=regulator_head,
    )
    fund(firm, 1000)
    ledger_clock(datetime.date(2026, 6, 1))
    services.units_surrender(firm=firm, year=YEAR, allowances={YEAR: 900}, idempotency_key="on-time")
    return report


def propose(report, officer, figure, **extra):
    return redetermination.redetermination_propose(
        report=report,
        emissions_tco2e=figure,
        reasons=extra.pop("reasons", "a later check found an unreported boiler"),
        evidence=extra.pop("evidence", PDF),
        evidence_name="check.pdf",
        evidence_description="the later check",
        acting_user=officer,
        **extra,
    )


def test_a_correction_moves_the_shortfall_and_the_penalty(determined, firm, regulator, regulator_head):
    services.compliance_mark_non_compliant(market=firm.market, year=YEAR, today=AFTER)
    penalty = services.penalty_propose(firm=firm, year=YEAR, acting_user=regulator)
    assert (penalty.shortfall_tco2e, penalty.fine_cny, penalty.deduction_tco2e) == (D(100), D("50000.00"), D(100))

    proposal = propose(determined, regulator, "1200")
    determined.refresh_from_db()
    assert determined.status == EmissionReport.Status.REDETERMINATION_PROPOSED
    # while the head decides, the determined figure in force is unchanged
    waiting = selectors.compliance_status(firm, YEAR, today=AFTER)
    assert (waiting.obligation_tco2e, waiting.shortfall_tco2e) == (D(1000), D(100))
    assert StoredFile.objects.filter(owner_id=str(proposal.pk)).count() == 1

    with pytest.raises(TransitionRefused):  # four eyes: not the proposer
        redetermination.redetermination_approve(report=determined, acting_user=regulator)
    redetermination.redetermination_approve(report=determined, acting_user=regulator_head, reason="agreed")
    determined.refresh_from_db()
    assert (determined.status, determined.determined_emissions_tco2e) == (EmissionReport.Status.DETERMINED, D(1200))

    status = selectors.compliance_status(firm, YEAR, today=AFTER)
    assert (status.status, status.obligation_tco2e, status.frozen_shortfall_tco2e, status.shortfall_tco2e) == (
        Status.NON_COMPLIANT,
        D(1200),
        D(300),
        D(300),
    )
    penalty.refresh_from_db()
    assert (penalty.shortfall_tco2e, penalty.fine_cny, penalty.deduction_tco2e) == (D(300), D("50000.00"), D(300))
    assert AuditLog.objects.filter(action="registry.penalty.recomputed", object_id=str(penalty.pk)).count() == 1
    # both figures stay: two determination versions, and the report's audit row says from what to what
    versions = list(
        Determination.objects.filter(report=determined).order_by("id").values_list("emissions_tco2e", "decision")
    )
    assert versions == [(D(1000), "approved"), (D(1200), "approved")]
    log = AuditLog.objects.get(action="mrv.emissionreport.approve_redetermination")
    assert log.changes["determined_emissions_tco2e"] == ["1000", "1200"]


def test_a_lower_figure_makes_the_firm_compliant_and_the_statistics_follow(determined, firm, regulator, regulator_head):
    before = selectors.market_statistics(firm.market, YEAR, today=AFTER)
    assert (before.obliged_firms, before.compliant_firms, before.compliance_rate_pct) == (1, 0, D("0.0"))
    propose(determined, regulator, 850)
    redetermination.redetermination_approve(report=determined, acting_user=regulator_head)
    after = selectors.market_statistics(firm.market, YEAR, today=AFTER)
    assert (after.obliged_firms, after.compliant_firms, after.compliance_rate_pct) == (1, 1, D("100.0"))
    assert selectors.compliance_status(firm, YEAR, today=AFTER).status == Status.COMPLIANT  # 900 ≥ 850


def test_a_rejected_correction_leaves_the_figure(determined, firm, regulator, regulator_head):
    propose(determined, regulator, 1200)
    with pytest.raises(TransitionRefused):
        redetermination.redetermination_reject(report=determined, reason=" ", acting_user=regulator_head)
    redetermination.redetermination_reject(report=determined, reason="the check was wrong", acting_user=regulator_head)
    determined.refresh_from_db()
    assert (determined.status, determined.determined_emissions_tco2e) == (EmissionReport.Status.DETERMINED, D(1000))
    assert Determination.objects.filter(report=determined, decision="rejected").count() == 1
    assert selectors.compliance_status(firm, YEAR, today=AFTER).shortfall_tco2e == D(100)


def test_a_head_who_proposed_may_not_approve(determined, regulator_head):
    propose(determined, regulator_head, 1200)
    with pytest.raises(TransitionRefused) as refused:
        redetermination.redetermination_approve(report=determined, acting_user=regulator_head)
    assert refused.value.code == "four_eyes"


def test_a_closed_report_is_corrected_and_stays_closed(determined, regulator, regulator_head):
    EmissionReport.objects.filter(pk=determined.pk).update(status=EmissionReport.Status.CLOSED)
    determined.refresh_from_db()
    propose(determined, regulator, 1100)
    redetermination.redetermination_approve(report=determined, acting_user=regulator_head)
    determined.refresh_from_db()
    assert (determined.status, determined.determined_emissions_tco2e) == (EmissionReport.Status.CLOSED, D(1100))


@pytest.mark.parametrize(
    "figure, extra, message",
    [
        ("-5", {}, redetermination.FIGURE_REQUIRED % {"value": "-5"}),
        ("12.5", {}, redetermination.FIGURE_REQUIRED % {"value": "12.5"}),
        ("1000", {}, redetermination.SAME_FIGURE % {"value": D(1000)}),
        ("1200", {"reasons": " "}, redetermination.REASONS_REQUIRED),
        ("1200", {"evidence": b""}, redetermination.EVIDENCE_REQUIRED),
    ],
)
def test_refusals_say_why_and_change_nothing(determined, regulator, figure, extra, message):
    with pytest.raises(TransitionRefused) as refused:
        propose(determined, regulator, figure, **extra)
    assert str(refused.value.message) == str(message)
    determined.refresh_from_db()
    assert determined.status == EmissionReport.Status.DETERMINED
    assert Determination.objects.filter(report=determined).count() == 1


def test_a_report_not_yet_determined_cannot_be_corrected(firm, regulator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = ReportFactory(firm=firm, year=YEAR)
    with pytest.raises(TransitionRefused):
        propose(draft, regulator, 1200)


def test_the_buttons_follow_the_gate(determined, regulator, regulator_head):
    assert "propose_redetermination" in allowed(determined, regulator)
    propose(determined, regulator, 1200)
    determined.refresh_from_db()
    assert "approve_redetermination" in allowed(determined, regulator_head)
    assert "approve_redetermination" not in allowed(determined, regulator)


def test_the_review_page_proposes_and_shows_both_figures(determined, regulator, regulator_head, settings):
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(regulator)
    review = reverse("ui:report_review", args=[determined.pk])
    assert "Correct the determined emissions" in officer.get(review).content.decode()
    upload = SimpleUploadedFile("check.pdf", PDF, content_type="application/pdf")
    officer.post(
        reverse("ui:report_redetermine", args=[determined.pk]),
        {"emissions_tco2e": "1200", "reasons": "unreported boiler", "evidence": upload, "evidence_description": ""},
    )
    determined.refresh_from_db()
    assert determined.status == EmissionReport.Status.REDETERMINATION_PROPOSED
    head = Client(HTTP_ACCEPT_LANGUAGE="en")
    head.force_login(regulator_head)
    session = head.session
    session[FRESH_AT] = time.time() - (settings.STEP_UP_MINUTES + 1) * 60
    session.save()
    # approving asks for a fresh sign-in first (step-up, as for determinations): nothing moves yet
    response = head.post(reverse("ui:report_decide", args=[determined.pk]), {"action": "approve_redetermination"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("signin:step_up"))
    determined.refresh_from_db()
    assert determined.status == EmissionReport.Status.REDETERMINATION_PROPOSED
    redetermination.redetermination_approve(report=determined, acting_user=regulator_head)
    page = head.get(review).content.decode()
    assert "1,000" in page and "1,200" in page and "unreported boiler" in page and "check.pdf" in page


def test_another_market_sees_no_correction_page(determined, other_regulator):
    other = Client()
    other.force_login(other_regulator)
    assert other.post(reverse("ui:report_redetermine", args=[determined.pk]), {}).status_code == 404
