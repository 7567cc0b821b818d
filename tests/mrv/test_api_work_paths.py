"""The other ways a verifier's and a regulator's year goes, through the API: a decline and a reassignment with the
eligibility refusals, a spot check's discrepancies, returns, a rejected determination, a conservative estimate;
and list endpoints whose queries do not grow with the rows."""

import pytest

from mrv.models import EmissionReport, Finding, VerificationEngagement
from tests import factories as f
from tests.mrv.api_work import api, ok, second_factor
from tests.verification_world import verified_report

pytestmark = pytest.mark.django_db
S = EmissionReport.Status
E = VerificationEngagement.Status


def test_a_decline_then_a_reassignment_refused_for_an_ineligible_body_then_accepted(
    firm, body, other_body, verifier, regulator
):
    from mrv.models import ConflictOfInterest

    engagement = f.EngagementFactory(firm=firm, body=body, year=2025, status=E.ASSIGNED)
    declined = ok(api(verifier).post(f"/api/v1/engagements/{engagement.pk}/decline/", {"reason": "人手不足"}))
    assert (declined["status"], declined["decline_reason"]) == ("declined", "人手不足")
    ConflictOfInterest.objects.create(body=other_body, firm=firm, description="曾提供咨询")
    eligibility = {
        row["body"]: row for row in ok(api(regulator).get(f"/api/v1/engagements/{engagement.pk}/eligibility/"))
    }
    assert not eligibility[other_body.pk]["eligible"] and "曾提供咨询" in eligibility[other_body.pk]["refusals"][-1]
    refused = api(regulator).post(f"/api/v1/engagements/{engagement.pk}/assign/", {"body": other_body.pk})
    assert (refused.status_code, refused.json()["code"]) == (400, "ineligible")
    assert "曾提供咨询" in refused.json()["detail"]
    again = ok(api(regulator).post(f"/api/v1/engagements/{engagement.pk}/assign/", {"body": body.pk}))
    assert again["status"] == "assigned"


def test_a_firm_user_or_another_body_may_not_act_on_the_engagement(
    firm, body, firm_approver, other_verifier, regulator
):
    engagement = f.EngagementFactory(firm=firm, body=body, year=2025, status=E.ASSIGNED)
    assert api(firm_approver).post(f"/api/v1/engagements/{engagement.pk}/accept/", {"team": []}).status_code == 403
    assert api(other_verifier).post(f"/api/v1/engagements/{engagement.pk}/accept/", {"team": []}).status_code == 404
    assert api(firm_approver).post(f"/api/v1/engagements/{engagement.pk}/assign/", {"body": body.pk}).status_code == 403


def test_spot_check_discrepancies_send_the_report_back_to_the_verifier(firm, body, verifier, spot_checker, regulator):
    report = verified_report(firm, 604500, body=body, lead=verifier)
    officer, checker = api(regulator), api(spot_checker)
    sample = ok(officer.post("/api/v1/spot-check-samples/", {"year": 2025, "seed": 1}), 201)
    assert sample["reports"] == [report.pk]
    refused = checker.post(f"/api/v1/reports/{report.pk}/spot-check/discrepancy/", {"text": ""})
    assert (refused.status_code, refused.json()["code"]) == (400, "reason_required")
    item = ok(checker.post(f"/api/v1/reports/{report.pk}/spot-check/discrepancy/", {"text": "燃煤低位热值取值有误"}))
    assert (item["outcome"], item["discrepancies"]) == ("discrepancies", "燃煤低位热值取值有误")
    report.refresh_from_db()
    assert report.status == S.UNDER_VERIFICATION
    seen = ok(api(verifier).get(f"/api/v1/reports/{report.pk}/verification/"))
    assert [s["outcome"] for s in seen["spot_checks"]] == ["discrepancies"]


def test_returns_and_a_rejected_determination(firm, body, verifier, regulator, regulator_head):
    report = verified_report(firm, 604500, body=body, lead=verifier, status=S.REGULATOR_REVIEW)
    officer, head = api(regulator), api(regulator_head)
    assert (
        ok(officer.post(f"/api/v1/reports/{report.pk}/propose-determination/", {}))["status"]
        == S.DETERMINATION_PROPOSED
    )
    rejected = ok(head.post(f"/api/v1/reports/{report.pk}/reject-determination/", {"reason": "差额说明不足"}))
    assert rejected["status"] == S.REGULATOR_REVIEW
    state = ok(officer.get(f"/api/v1/reports/{report.pk}/review/"))
    assert [(d["decision"], d["decision_reason"]) for d in state["determinations"]] == [("rejected", "差额说明不足")]
    refused = officer.post(f"/api/v1/reports/{report.pk}/return-to-verifier/", {"reason": ""})
    assert (refused.status_code, refused.json()["code"]) == (400, "reason_required")
    back = ok(officer.post(f"/api/v1/reports/{report.pk}/return-to-verifier/", {"reason": "请复核外购电"}))
    assert back["status"] == S.UNDER_VERIFICATION


def test_a_conservative_estimate_for_a_firm_that_never_reported(other_firm, regulator, regulator_head):
    officer = api(regulator)
    opened = ok(officer.post(f"/api/v1/firms/{other_firm.pk}/open-report-for-estimate/", {"year": 2024}), 201)
    assert opened["status"] == S.DRAFT
    bad = officer.post(
        f"/api/v1/reports/{opened['id']}/propose-estimate/", {"emissions_tco2e": "0", "basis_text": "x", "reasons": "x"}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "estimate")
    proposed = officer.post(
        f"/api/v1/reports/{opened['id']}/propose-estimate/",
        {"emissions_tco2e": "250000", "basis_text": "2023年核查值上浮10%", "reasons": "逾期未报告"},
    )
    assert ok(proposed)["status"] == S.DETERMINATION_PROPOSED
    codes = second_factor(regulator_head)
    approved = api(regulator_head).post(
        f"/api/v1/reports/{opened['id']}/approve-determination/", {}, HTTP_X_SECOND_FACTOR=codes[0]
    )
    assert ok(approved)["determined_emissions_tco2e"] == "250000"


def test_the_regulator_returns_the_report_to_the_firm(firm, body, verifier, regulator):
    report = verified_report(firm, 604500, body=body, lead=verifier, status=S.REGULATOR_REVIEW)
    back = ok(
        api(regulator).post(
            f"/api/v1/reports/{report.pk}/regulator-return-to-firm/", {"reason": "监测计划未覆盖备用锅炉"}
        )
    )
    assert back["status"] == S.RETURNED_TO_FIRM


def test_work_lists_run_a_bounded_number_of_queries(firm, body, verifier, regulator, django_assert_max_num_queries):
    from mrv.models import User

    for index in range(12):
        other = f.FirmFactory(market=firm.market, sector=f.sector("power"))
        engagement = f.EngagementFactory(firm=other, body=body, year=2025, status=E.ACCEPTED, lead_verifier=verifier)
        engagement.team.set([f.UserFactory(role=User.Role.VERIFIER, body=body)])
        report = f.ReportFactory(firm=other, year=2025, status=S.UNDER_VERIFICATION)
        finding = Finding.objects.create(report=report, kind="improvement", description=str(index), raised_by=verifier)
        finding.answers.create(text="好", answered_by=verifier)
    lead, officer = api(verifier), api(regulator)
    # 12 rows each: a query per row would break these bounds
    for client, url, bound in [
        (lead, "/api/v1/engagements/", 6),
        (lead, "/api/v1/findings/", 6),
        (officer, "/api/v1/engagements/", 6),
        (officer, "/api/v1/spot-check-items/", 6),
        (officer, "/api/v1/queues/", 21),  # the home page's sections (incl. emissions missing, requests), as the page
    ]:
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200
