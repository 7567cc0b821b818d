"""Findings live open → answered → closed or reopened, over several rounds with the firm."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv.models import EmissionReport, Finding, FindingAnswer
from mrv.services import verification as svc
from mrv.transitions import REASON_REQUIRED, TransitionRefused
from tests.verification_world import *  # noqa: F403
from tests.verification_world import assert_logged, assert_queued, firm_resubmits

F = Finding.Status
R = EmissionReport.Status
pytestmark = pytest.mark.django_db


def raise_misstatement(report, user, amount="1200", line="boiler-coal:2025-03"):
    return svc.finding_raise(
        report=report,
        kind=Finding.Kind.MISSTATEMENT,
        description="3 月燃煤量与发票不符",
        line_key=line,
        amount_tco2e=Decimal(amount),
        acting_user=user,
    )


def test_the_verifier_raises_a_misstatement_on_a_report_line(under_verification, team_verifier):
    finding = raise_misstatement(under_verification, team_verifier)
    assert (finding.status, finding.line_key, finding.amount_tco2e) == (F.OPEN, "boiler-coal:2025-03", Decimal("1200"))
    row = assert_logged(finding, "mrv.finding.raised", team_verifier, "", F.OPEN)
    assert row.changes["amount_tco2e"] == [None, "1200"]


def test_a_general_finding_has_no_line(under_verification, verifier):
    finding = svc.finding_raise(
        report=under_verification, kind=Finding.Kind.IMPROVEMENT, description="建议加装在线流量计", acting_user=verifier
    )
    assert finding.line_key == "" and finding.amount_tco2e is None


@pytest.mark.parametrize(
    ("kind", "line", "amount", "message"),
    [
        (Finding.Kind.MISSTATEMENT, "", None, svc.FINDING_AMOUNT_REQUIRED),
        (Finding.Kind.MISSTATEMENT, "", Decimal("0"), svc.FINDING_AMOUNT_REQUIRED),
        (Finding.Kind.NON_CONFORMITY, "", Decimal("5"), svc.FINDING_AMOUNT_ONLY_FOR_MISSTATEMENT),
        (
            Finding.Kind.NON_CONFORMITY,
            "boiler-coal:2024-03",
            None,
            svc.FINDING_BAD_LINE_KEY % {"value": "boiler-coal:2024-03", "year": 2025},
        ),
        (
            Finding.Kind.NON_CONFORMITY,
            "boiler-coal:2025-13",
            None,
            svc.FINDING_BAD_LINE_KEY % {"value": "boiler-coal:2025-13", "year": 2025},
        ),
        ("typo", "", None, svc.FINDING_BAD_KIND % {"value": "typo"}),
    ],
)
def test_a_bad_finding_is_refused_with_a_specific_message(under_verification, verifier, kind, line, amount, message):
    with pytest.raises(TransitionRefused) as refused:
        svc.finding_raise(
            report=under_verification,
            kind=kind,
            description="x",
            line_key=line,
            amount_tco2e=amount,
            acting_user=verifier,
        )
    assert refused.value.message == message
    assert not Finding.objects.exists()


def test_findings_are_raised_only_under_verification(report, accepted, verifier):
    with pytest.raises(TransitionRefused) as refused:
        raise_misstatement(report, verifier)  # still "submitted"
    assert refused.value.message == svc.FINDING_NOT_UNDER_VERIFICATION


def test_a_verifier_not_on_the_team_cannot_raise_findings(under_verification, other_verifier, firm_user):
    for user in (other_verifier, firm_user):
        with pytest.raises(PermissionDenied):
            raise_misstatement(under_verification, user)


def test_returning_the_report_sends_the_open_findings(under_verification, verifier, wired):
    one = raise_misstatement(under_verification, verifier)
    two = svc.finding_raise(
        report=under_verification, kind=Finding.Kind.NON_CONFORMITY, description="未按计划校准", acting_user=verifier
    )
    svc.report_return_to_firm(report=under_verification, acting_user=verifier, reason="请核实")
    under_verification.refresh_from_db()
    assert under_verification.status == R.RETURNED_TO_FIRM
    row = assert_logged(
        under_verification,
        "mrv.emissionreport.return_to_firm",
        verifier,
        R.UNDER_VERIFICATION,
        R.RETURNED_TO_FIRM,
        "请核实",
    )
    assert row.changes == {"findings": [[], sorted([one.pk, two.pk])]}
    assert_queued("mrv.emissionreport.return_to_firm", emissionreport_id=under_verification.pk)


def test_returning_without_open_findings_is_refused(under_verification, verifier):
    with pytest.raises(TransitionRefused) as refused:
        svc.report_return_to_firm(report=under_verification, acting_user=verifier)
    assert refused.value.code == "wrong_state"
    under_verification.refresh_from_db()
    assert under_verification.status == R.UNDER_VERIFICATION


def test_the_findings_loop_over_three_rounds(
    real_under_verification, verifier, team_verifier, firm_user, firm_approver, wired
):
    report = real_under_verification
    finding = raise_misstatement(report, team_verifier)
    # Round 1: returned, answered, resubmitted; the verifier is not satisfied and reopens.
    svc.report_return_to_firm(report=report, acting_user=team_verifier)
    answer1 = svc.finding_answer(finding=finding, text="已补充 3 月发票", acting_user=firm_user)
    finding.refresh_from_db()
    assert finding.status == F.ANSWERED
    assert_logged(finding, "mrv.finding.answer", firm_user, F.OPEN, F.ANSWERED, "已补充 3 月发票")
    assert_queued("mrv.finding.answer", finding_id=finding.pk, report_id=report.pk)
    firm_resubmits(report, firm_approver)
    svc.finding_reopen(finding=finding, reason="发票金额仍与台账不一致", acting_user=verifier)
    finding.refresh_from_db()
    assert finding.status == F.REOPENED
    assert_logged(finding, "mrv.finding.reopen", verifier, F.ANSWERED, F.REOPENED, "发票金额仍与台账不一致")
    assert_queued("mrv.finding.reopen", finding_id=finding.pk, report_id=report.pk)
    # Round 2: returned again with the reopened finding, answered again.
    svc.report_return_to_firm(report=report, acting_user=verifier)
    svc.finding_answer(finding=finding, text="已按台账更正 3 月数据", acting_user=firm_approver)
    firm_resubmits(report, firm_approver)
    # Round 3: closed as corrected.
    svc.finding_close(finding=finding, resolution=Finding.Resolution.CORRECTED, acting_user=verifier, reason="已更正")
    finding.refresh_from_db()
    assert (finding.status, finding.resolution) == (F.CLOSED, Finding.Resolution.CORRECTED)
    assert_logged(finding, "mrv.finding.close", verifier, F.ANSWERED, F.CLOSED, "已更正")
    assert_queued("mrv.finding.close", finding_id=finding.pk, report_id=report.pk)
    assert [a.text for a in FindingAnswer.objects.filter(finding=finding)] == [
        "已补充 3 月发票",
        "已按台账更正 3 月数据",
    ]
    assert answer1.answered_by == firm_user
    returns = [r.to_state for r in report_audit(report) if r.action == "mrv.emissionreport.return_to_firm"]
    assert returns == [R.RETURNED_TO_FIRM, R.RETURNED_TO_FIRM]
    assert svc.materiality(report).uncorrected_tco2e == 0  # corrected misstatements do not count
    assert [v.number for v in report.versions.all()] == [1, 2, 3]  # submitted, then resubmitted twice


def report_audit(report):
    from mrv.models import AuditLog

    return AuditLog.objects.for_object(report).order_by("id")


def test_another_firm_cannot_answer_and_an_empty_answer_is_refused(
    under_verification, verifier, firm_user, other_firm_user
):
    finding = raise_misstatement(under_verification, verifier)
    with pytest.raises(PermissionDenied):
        svc.finding_answer(finding=finding, text="不是我们的", acting_user=other_firm_user)
    with pytest.raises(TransitionRefused) as refused:
        svc.finding_answer(finding=finding, text=" ", acting_user=firm_user)
    assert refused.value.message == svc.ANSWER_REQUIRED
    finding.refresh_from_db()
    assert finding.status == F.OPEN and not finding.answers.exists()


def test_reopening_needs_a_reason(under_verification, verifier, firm_user):
    finding = raise_misstatement(under_verification, verifier)
    svc.finding_answer(finding=finding, text="ok", acting_user=firm_user)
    with pytest.raises(TransitionRefused) as refused:
        svc.finding_reopen(finding=finding, reason="", acting_user=verifier)
    assert refused.value.message == REASON_REQUIRED


def test_a_misstatement_is_closed_as_corrected_or_uncorrected_only(under_verification, verifier):
    finding = raise_misstatement(under_verification, verifier)
    with pytest.raises(TransitionRefused) as refused:
        svc.finding_close(finding=finding, acting_user=verifier)
    assert refused.value.message == svc.FINDING_BAD_RESOLUTION


def test_the_verifier_cannot_close_findings_while_the_report_is_with_the_firm(under_verification, verifier):
    finding = raise_misstatement(under_verification, verifier)
    svc.report_return_to_firm(report=under_verification, acting_user=verifier)
    with pytest.raises(TransitionRefused):
        svc.finding_close(finding=finding, resolution="corrected", acting_user=verifier)
