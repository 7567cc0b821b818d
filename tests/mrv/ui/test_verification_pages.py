"""Verifier, spot-checker and regulator pages: the cycle through the browser's POSTs, refusals shown as
messages, and 404/403 for everyone whose object or action it is not."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mrv.models import EmissionReport, Finding, SpotCheckSample, VerificationEngagement
from mrv.services import spot_checks
from mrv.services import verification as svc
from tests import factories as f
from tests.factories import certified
from tests.verification_world import submitted_report

Status = EmissionReport.Status


@pytest.fixture
def assigned(firm, body):
    return f.EngagementFactory(firm=firm, body=body, year=2025, status=VerificationEngagement.Status.ASSIGNED)


@pytest.fixture
def report(firm, firm_approver, assigned):
    return submitted_report(firm, firm_approver)


@pytest.fixture
def verifying(report, assigned, verifier, team_verifier):
    svc.engagement_accept(engagement=assigned, team=[team_verifier], acting_user=verifier)
    report.refresh_from_db()
    assert report.status == Status.UNDER_VERIFICATION
    return report


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_lead_verifier_accepts_with_a_team_and_the_report_goes_under_verification(
    client, verifier, team_verifier, assigned, report
):
    client.force_login(verifier)
    page = client.get(reverse("ui:engagement_detail", args=[assigned.pk]))
    assert "Accept the engagement" in page.content.decode()
    response = client.post(
        reverse("ui:engagement_accept", args=[assigned.pk]), {"team": [team_verifier.pk]}, follow=True
    )
    assert "The engagement is accepted." in messages_of(response)
    assigned.refresh_from_db()
    report.refresh_from_db()
    assert assigned.status == "accepted" and list(assigned.team.all()) == [team_verifier]
    assert report.status == Status.UNDER_VERIFICATION


def test_declining_without_a_reason_is_refused_with_a_message_and_changes_nothing(client, verifier, assigned):
    client.force_login(verifier)
    response = client.post(reverse("ui:engagement_decline", args=[assigned.pk]), {"reason": ""}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    assigned.refresh_from_db()
    assert assigned.status == "assigned"


def test_a_team_verifier_may_not_accept(client, team_verifier, assigned):
    client.force_login(team_verifier)
    assert client.post(reverse("ui:engagement_accept", args=[assigned.pk]), {}).status_code == 403


def test_the_regulator_sees_each_body_with_its_eligibility_reasons(client, regulator, firm, spot_body, body):
    engagement = f.EngagementFactory(firm=firm, year=2026)
    client.force_login(regulator)
    text = client.get(reverse("ui:engagement_detail", args=[engagement.pk])).content.decode()
    assert body.name in text and "eligible" in text


def test_the_regulator_assigns_an_eligible_body(client, regulator, firm, body):
    engagement = f.EngagementFactory(firm=firm, year=2026)
    client.force_login(regulator)
    response = client.post(reverse("ui:engagement_assign", args=[engagement.pk]), {"body": body.pk}, follow=True)
    assert "The verification body is assigned." in messages_of(response)
    engagement.refresh_from_db()
    assert (engagement.status, engagement.body) == ("assigned", body)


def test_assigning_an_ineligible_body_shows_the_reason(client, regulator, firm, spot_body):
    engagement = f.EngagementFactory(firm=firm, year=2026)
    client.force_login(regulator)
    response = client.post(reverse("ui:engagement_assign", args=[engagement.pk]), {"body": spot_body.pk}, follow=True)
    assert any("spot-check body" in m for m in messages_of(response))
    engagement.refresh_from_db()
    assert engagement.status == "awaiting_assignment"


def test_the_verifier_writes_the_verification_plan(client, verifier, verifying, assigned, team_verifier):
    client.force_login(verifier)
    url = reverse("ui:verification_plan", args=[assigned.pk])
    bad = client.post(url, {"document_review": "文件评审", "site_visit_dates": "2026-13-01", "sampling": "x"})
    assert bad.status_code == 400 and any("2026-13-01" in m for m in messages_of(bad))
    client.post(
        url,
        {
            "document_review": "文件评审",
            "site_visit_dates": "2026-03-02, 2026-03-03",
            "site_team": [team_verifier.pk],
            "sampling": "燃煤",
        },
    )
    assigned.refresh_from_db()
    assert assigned.plan.site_visit_dates == ["2026-03-02", "2026-03-03"]


def test_finding_raised_answered_closed_through_the_pages(client, verifier, firm_user, verifying):
    client.force_login(verifier)
    client.post(
        reverse("ui:finding_raise", args=[verifying.pk]),
        {"kind": "non_conformity", "line_key": "", "description": "计量器具未校准"},
    )
    finding = Finding.objects.get(report=verifying)
    client.force_login(firm_user)
    page = client.get(reverse("ui:report_verification", args=[verifying.pk])).content.decode()
    assert "计量器具未校准" in page and "Answer the finding" in page
    response = client.post(
        reverse("ui:finding_answer", args=[verifying.pk, finding.pk]), {"text": "已校准"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "已校准" in response.content.decode()
    assert "<html" not in response.content.decode()  # the partial only
    client.force_login(verifier)
    client.post(reverse("ui:finding_close", args=[verifying.pk, finding.pk]), {"resolution": "", "reason": "ok"})
    finding.refresh_from_db()
    assert finding.status == "closed"


def test_a_misstatement_without_amount_is_refused_with_the_service_message(client, verifier, verifying):
    client.force_login(verifier)
    response = client.post(
        reverse("ui:finding_raise", args=[verifying.pk]), {"kind": "misstatement", "description": "少报"}, follow=True
    )
    assert str(svc.FINDING_AMOUNT_REQUIRED) in messages_of(response)
    assert not Finding.objects.exists()


def test_the_satisfactory_opinion_is_refused_while_material_and_the_page_suggests_not_verified(
    client, verifier, verifying
):
    reported = verifying.reported_emissions_tco2e
    _plan(verifying, verifier)
    svc.finding_raise(
        report=verifying, kind="misstatement", description="少报", amount_tco2e=reported / 10, acting_user=verifier
    )
    client.force_login(verifier)
    page = client.get(reverse("ui:report_sign_off", args=[verifying.pk]))
    assert "not verified" in page.content.decode()
    response = client.post(
        reverse("ui:report_sign_off", args=[verifying.pk]),
        {"outcome": "satisfactory", "verified_emissions_tco2e": str(reported)},
    )
    assert response.status_code == 400 and any("satisfactory opinion is refused" in m for m in messages_of(response))
    verifying.refresh_from_db()
    assert verifying.status == Status.UNDER_VERIFICATION


def test_only_the_lead_verifier_signs(client, team_verifier, verifying):
    client.force_login(team_verifier)
    url = reverse("ui:report_sign_off", args=[verifying.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"outcome": "satisfactory", "verified_emissions_tco2e": "1"}).status_code == 403


def _plan(report, verifier):
    svc.verification_plan_save(
        engagement=svc.rules.engagement_of(report),
        document_review="d",
        site_visit_dates=["2026-03-02"],
        site_team=[],
        sampling="s",
        acting_user=verifier,
    )


def _signed(report, verifier):
    _plan(report, verifier)
    svc.report_sign_off(
        certification=certified("verifier_opinion"),
        report=report,
        outcome="satisfactory",
        verified_emissions_tco2e=report.reported_emissions_tco2e,
        acting_user=verifier,
    )
    report.refresh_from_db()
    return report


def test_spot_check_draw_then_confirm_then_four_eyes(
    client, verifier, verifying, regulator, regulator_head, spot_checker, spot_body
):
    report = _signed(verifying, verifier)
    client.force_login(regulator)
    response = client.post(reverse("ui:spot_check_draw"), {"year": 2025, "seed": 42}, follow=True)
    assert "The sample is drawn with seed 42." in messages_of(response)
    assert "42" in response.content.decode()
    sample = SpotCheckSample.objects.get()
    if not sample.items.filter(report=report).exists():
        client.post(reverse("ui:report_decide", args=[report.pk]), {"action": "add_to_sample"})
    report.refresh_from_db()
    assert report.status == Status.SPOT_CHECK
    client.force_login(spot_checker)
    assert report.firm.name in client.get(reverse("ui:spot_check_list")).content.decode()
    client.post(reverse("ui:spot_check_record", args=[report.pk]), {"decision": "confirm", "text": "一致"})
    report.refresh_from_db()
    assert report.status == Status.REGULATOR_REVIEW
    client.force_login(regulator_head)
    client.post(reverse("ui:report_decide", args=[report.pk]), {"action": "propose"})
    response = client.post(reverse("ui:report_decide", args=[report.pk]), {"action": "approve"}, follow=True)
    assert any("other than the person who proposed" in m for m in messages_of(response))
    report.refresh_from_db()
    assert report.status == Status.DETERMINATION_PROPOSED
    other_head = f.UserFactory(username="sh_head2", role="regulator_head", authority=regulator_head.authority)
    client.force_login(other_head)
    client.post(reverse("ui:report_decide", args=[report.pk]), {"action": "approve"})
    report.refresh_from_db()
    assert report.status == Status.DETERMINED
    assert report.determined_emissions_tco2e == report.reported_emissions_tco2e


def test_a_conservative_estimate_needs_its_basis(client, regulator, firm):
    report = f.ReportFactory(firm=firm, year=2020)
    client.force_login(regulator)
    response = client.post(
        reverse("ui:report_estimate", args=[report.pk]),
        {"emissions_tco2e": "1000", "basis_text": " ", "reasons": "未报告"},
        follow=True,
    )
    assert messages_of(response)
    report.refresh_from_db()
    assert report.status == Status.DRAFT


# --- Access: 404 for objects not theirs, 403 for actions not theirs ----------------------------------

REPORT_PAGES = ["ui:report_verification", "ui:report_sign_off", "ui:report_review"]
REPORT_POSTS = [
    "ui:finding_raise",
    "ui:report_return_to_firm",
    "ui:spot_check_record",
    "ui:report_decide",
    "ui:report_estimate",
    "ui:report_co_review",
]
ENGAGEMENT_PAGES = ["ui:engagement_detail", "ui:verification_plan"]
ENGAGEMENT_POSTS = ["ui:engagement_accept", "ui:engagement_decline", "ui:engagement_assign"]
OUTSIDERS = ["other_firm_user", "other_verifier", "other_regulator"]


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", REPORT_PAGES + REPORT_POSTS)
def test_others_get_404_on_report_pages_and_actions(client, request, verifying, persona, name):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[verifying.pk])
    response = client.post(url, {}) if name in REPORT_POSTS else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", ENGAGEMENT_PAGES + ENGAGEMENT_POSTS)
def test_others_get_404_on_engagement_pages_and_actions(client, request, assigned, persona, name):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[assigned.pk])
    response = client.post(url, {}) if name in ENGAGEMENT_POSTS else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", ["ui:finding_answer", "ui:finding_close", "ui:finding_reopen"])
def test_others_get_404_on_findings(client, request, verifier, verifying, persona, name):
    finding = svc.finding_raise(report=verifying, kind="improvement", description="d", acting_user=verifier)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse(name, args=[verifying.pk, finding.pk]), {"text": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("persona", "name", "data"),
    [
        ("firm_user", "ui:finding_raise", {"kind": "improvement", "description": "x"}),
        ("firm_user", "ui:report_sign_off", {"outcome": "satisfactory"}),
        ("verifier", "ui:report_decide", {"action": "propose"}),
        ("verifier", "ui:report_estimate", {}),
        ("firm_user", "ui:spot_check_record", {"decision": "confirm"}),
        ("regulator", "ui:report_return_to_firm", {"reason": "x"}),
    ],
)
def test_actions_not_theirs_are_403_on_a_visible_report(client, request, verifying, persona, name, data):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse(name, args=[verifying.pk]), data).status_code == 403
    verifying.refresh_from_db()
    assert verifying.status == Status.UNDER_VERIFICATION


@pytest.mark.parametrize("persona", ["firm_user", "verifier", "spot_checker"])
def test_only_regulators_see_the_market_overview_and_the_draw(client, db, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("ui:market_overview")).status_code == 403
    assert client.get(reverse("ui:spot_check_draw")).status_code == 403


def test_the_engagement_list_shows_only_my_bodys_engagements(client, verifier, assigned, other_firm, other_body):
    theirs = f.EngagementFactory(
        firm=other_firm, body=other_body, year=2025, status=VerificationEngagement.Status.ASSIGNED
    )
    client.force_login(verifier)
    text = client.get(reverse("ui:engagement_list")).content.decode()
    assert assigned.firm.name in text and theirs.firm.name not in text


# --- Bounded queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 12])
def test_the_engagement_list_runs_a_bounded_number_of_queries(
    client, regulator, shanghai, body, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        f.EngagementFactory(
            firm=f.FirmFactory(market=shanghai), body=body, year=2025, status=VerificationEngagement.Status.ASSIGNED
        )
    client.force_login(regulator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ui:engagement_list")).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_the_market_overview_runs_a_bounded_number_of_queries(
    client, regulator, shanghai, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        firm = f.FirmFactory(market=shanghai)
        f.ReportFactory(firm=firm, year=2020)
        f.EngagementFactory(firm=firm, year=2025)
    client.force_login(regulator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("ui:market_overview")).status_code == 200


@pytest.mark.parametrize("rows", [1, 12])
def test_the_spot_check_list_runs_a_bounded_number_of_queries(
    client, spot_checker, shanghai, spot_body, rows, django_assert_max_num_queries
):
    sample = SpotCheckSample.objects.create(market=shanghai, year=2025, seed=1, rate_pct=Decimal("5"))
    for _ in range(rows):
        report = f.ReportFactory(firm=f.FirmFactory(market=shanghai), status=Status.SPOT_CHECK)
        sample.items.create(report=report, risk_weight=1, body=spot_body)
    client.force_login(spot_checker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("ui:spot_check_list"))
    assert response.status_code == 200


def test_spot_check_replay_matches_the_seed_shown(verifier, verifying, regulator):
    report = _signed(verifying, verifier)
    sample = spot_checks.spot_check_draw(market=report.market, year=2025, seed=7, acting_user=regulator)
    assert sample.seed == 7 and spot_checks.spot_check_replay(sample) == list(
        sample.items.filter(added_by_hand=False).values_list("report_id", flat=True)
    )


def test_the_regulator_draws_the_sample_again_from_its_page(client, verifier, verifying, regulator, other_regulator):
    report = _signed(verifying, verifier)
    sample = spot_checks.spot_check_draw(market=report.market, year=2025, seed=7, acting_user=regulator)
    client.force_login(regulator)
    page = client.get(reverse("ui:spot_check_draw"))
    assert f'name="replay" value="{sample.pk}"' in page.content.decode()
    shown = [str(m) for m in client.get(reverse("ui:spot_check_draw"), {"replay": sample.pk}).context["messages"]]
    assert shown == ["Drawn again from seed 7: the same 1 report as recorded."]
    type(sample).objects.filter(pk=sample.pk).update(population=[])  # the recorded population altered
    shown = [str(m) for m in client.get(reverse("ui:spot_check_draw"), {"replay": sample.pk}).context["messages"]]
    assert shown == ["Drawn again from seed 7, the reports differ from those recorded: the sample was changed."]
    client.force_login(other_regulator)  # another market's regulator cannot replay this market's sample
    response = client.get(reverse("ui:spot_check_draw"), {"replay": sample.pk})
    assert [str(m) for m in response.context["messages"]] == ["There is no such sample in your market."]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_engagement_export_holds_only_the_users_rows(client, regulator, other_regulator, assigned, fmt):
    client.force_login(regulator)
    response = client.get(reverse("ui:engagement_list"), {"export": fmt})
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        assert assigned.firm.name in response.content.decode("utf-8-sig")
    client.force_login(other_regulator)
    other = client.get(reverse("ui:engagement_list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert assigned.firm.name not in other and len(other.strip().splitlines()) == 1  # the heading only


def test_home_links_the_lead_verifier_to_the_engagement_and_the_spot_checker_to_the_sample(
    client, verifier, assigned, spot_checker, spot_body, shanghai
):
    client.force_login(verifier)
    assert reverse("ui:engagement_detail", args=[assigned.pk]) in client.get(reverse("home")).content.decode()
    sample = SpotCheckSample.objects.create(market=shanghai, year=2025, seed=1, rate_pct=Decimal("5"))
    report = f.ReportFactory(firm=assigned.firm, status=Status.SPOT_CHECK)
    sample.items.create(report=report, risk_weight=1, body=spot_body)
    client.force_login(spot_checker)
    assert reverse("ui:report_verification", args=[report.pk]) in client.get(reverse("home")).content.decode()


def test_the_timeline_names_verification_actions_in_chinese(client, verifier, verifying):
    svc.finding_raise(report=verifying, kind="improvement", description="建议", acting_user=verifier)
    client.force_login(verifier)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("ui:engagement_detail", args=[svc.rules.engagement_of(verifying).pk])).content.decode()
    assert "已接受" in page  # "accepted" in the engagement's timeline


@pytest.fixture
def submitted_plan(firm):
    from mrv.models import MonitoringPlan
    from tests.mrv.reporting import COAL, approved_plan

    plan = approved_plan(firm, [COAL])
    MonitoringPlan.objects.filter(pk=plan.pk).update(status=MonitoringPlan.Status.SUBMITTED)
    plan.refresh_from_db()
    return plan


def test_the_regulator_approves_a_submitted_plan_from_its_page(client, regulator, submitted_plan):
    client.force_login(regulator)
    page = client.get(reverse("ui:plan_detail", args=[submitted_plan.pk])).content.decode()
    assert "Approve the plan" in page
    response = client.post(reverse("ui:plan_review", args=[submitted_plan.pk]), {"decision": "approve"}, follow=True)
    assert "The monitoring plan is approved." in messages_of(response)
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == "approved"


def test_returning_a_plan_without_reasons_is_refused_with_a_message(client, regulator, submitted_plan):
    client.force_login(regulator)
    response = client.post(reverse("ui:plan_review", args=[submitted_plan.pk]), {"decision": "return"}, follow=True)
    assert messages_of(response)
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == "submitted"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_firm_user", 404), ("other_regulator", 404), ("other_verifier", 404), ("firm_approver", 403)],
)
def test_others_may_not_review_the_plan(client, request, submitted_plan, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("ui:plan_review", args=[submitted_plan.pk]), {"decision": "approve"})
    assert response.status_code == status
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == "submitted"
