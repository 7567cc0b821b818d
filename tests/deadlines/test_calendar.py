import datetime

import pytest
from django.urls import reverse

from deadlines.calendar import firm_deadlines, market_due_date
from deadlines.models import DeadlineExtension
from deadlines.selectors import deadline_calendar, overdue_deadlines, upcoming_deadlines
from mrv.models import DeadlineRule, EmissionReport
from tests import factories as f

K = DeadlineRule.Kind
D = datetime.date


def due(deadlines, kind, year=2025):
    return next(d.due_date for d in deadlines if d.kind == kind and d.year == year)


def test_firm_year_calendar_follows_the_market_rule_pack(firm):
    deadlines = firm_deadlines([firm], [2025])
    # Shanghai: plan 31 Jan of the year; report 31 Mar, verification 30 Apr, review 15 May, compliance 30 Jun after.
    assert {d.kind: d.due_date for d in deadlines} == {
        K.MONITORING_PLAN: D(2025, 1, 31),
        K.ANNUAL_REPORT: D(2026, 3, 31),
        K.VERIFICATION: D(2026, 4, 30),
        K.REVIEW: D(2026, 5, 15),
        K.COMPLIANCE: D(2026, 6, 30),
    }


def test_quarterly_deadlines_only_where_the_market_requires_quarterly_reports(firm, shenzhen_firm):
    kinds = {(d.firm.pk, d.kind) for d in firm_deadlines([firm, shenzhen_firm], [2025])}
    assert (shenzhen_firm.pk, K.Q1_REPORT) in kinds and (shenzhen_firm.pk, K.Q4_REPORT) in kinds
    assert not {k for pk, k in kinds if pk == firm.pk} & {K.Q1_REPORT, K.Q2_REPORT, K.Q3_REPORT, K.Q4_REPORT}
    assert due(firm_deadlines([shenzhen_firm], [2025]), K.Q4_REPORT) == D(2026, 1, 31)


def test_first_compliance_year_gets_the_rule_pack_extension(firm, shanghai):
    shanghai.first_compliance_year = 2025
    shanghai.save()
    pack = shanghai.rule_pack_for(2025)
    pack.first_year_extension_days = 30
    pack.save()
    firm.refresh_from_db()
    deadlines = firm_deadlines([firm], [2025, 2026])
    assert due(deadlines, K.ANNUAL_REPORT, 2025) == D(2026, 4, 30)  # 31 Mar + 30 days
    assert due(deadlines, K.ANNUAL_REPORT, 2026) == D(2027, 3, 31)  # the second year: no extension
    assert market_due_date(shanghai, 2025, K.COMPLIANCE) == D(2026, 7, 30)  # 30 Jun + 30 days


def test_regulator_extension_moves_one_firms_deadline_only(firm, other_firm, regulator):
    DeadlineExtension.objects.create(
        firm=firm, year=2025, kind=K.ANNUAL_REPORT, extra_days=14, reason="flood", granted_by=regulator
    )
    deadlines = firm_deadlines([firm, other_firm], [2025])
    mine = next(d for d in deadlines if d.firm == firm and d.kind == K.ANNUAL_REPORT)
    theirs = next(d for d in deadlines if d.firm == other_firm and d.kind == K.ANNUAL_REPORT)
    assert (mine.due_date, mine.extension_days) == (D(2026, 4, 14), 14)
    assert theirs.due_date == D(2026, 3, 31)
    assert due(deadlines, K.VERIFICATION) == D(2026, 4, 30)


def test_years_before_the_firm_was_covered_have_no_deadlines(firm):
    firm.covered_since = 2026
    firm.save()
    assert {d.year for d in firm_deadlines([firm], [2025, 2026])} == {2026}


def test_each_user_sees_the_deadlines_of_the_firms_they_may_see(
    firm, other_firm, beijing_firm, firm_user, regulator, other_regulator, spot_checker, outsider
):
    today = D(2026, 3, 1)
    firms_of = lambda user: {d.firm.pk for d in deadline_calendar(user, today)}  # noqa: E731
    assert firms_of(firm_user) == {firm.pk}
    assert firms_of(regulator) == {firm.pk, other_firm.pk}
    assert firms_of(other_regulator) == {beijing_firm.pk}
    assert firms_of(spot_checker) == set() and firms_of(outsider) == set()


def test_upcoming_deadlines_are_those_due_soon_or_recently_missed(firm, firm_user, regulator):
    # 2025 report 31 Mar (30 days), verification 30 Apr (60), and the 2026 plan missed on 31 Jan (−29).
    assert [(d.kind, d.year, d.days_left) for d in upcoming_deadlines(regulator, D(2026, 3, 1))] == [
        (K.MONITORING_PLAN, 2026, -29),
        (K.ANNUAL_REPORT, 2025, 30),
        (K.VERIFICATION, 2025, 60),
    ]
    # The firm's home lists the deadlines its users must meet; the verification deadline is the verifier's.
    upcoming = upcoming_deadlines(firm_user, D(2026, 3, 1))
    assert [(d.kind, d.year, d.days_left) for d in upcoming] == [
        (K.MONITORING_PLAN, 2026, -29),
        (K.ANNUAL_REPORT, 2025, 30),
    ]
    report = upcoming[1]
    assert (report.due, report.url) == (D(2026, 3, 31), reverse("deadlines:calendar"))
    assert report.label == f"{firm.name}: annual emission report 2025"


def test_calendar_page_shows_days_left_for_own_firm_only(client, firm, other_firm, firm_user, monkeypatch):
    monkeypatch.setattr("deadlines.views.shanghai_today", lambda: D(2026, 3, 30))
    client.force_login(firm_user)
    response = client.get(reverse("deadlines:calendar"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r.deadline.firm.pk for r in rows} == {firm.pk}
    report = next(r for r in rows if r.deadline.kind == K.ANNUAL_REPORT and r.deadline.year == 2025)
    assert (report.status, report.days_left) == ("open", 1)
    assert other_firm.name not in response.content.decode()


def test_calendar_page_queries_do_not_grow_with_firms(client, regulator, shanghai, django_assert_max_num_queries):
    for _ in range(15):
        f.FirmFactory(market=shanghai)
    client.force_login(regulator)
    # a fixed set: session and user (and the session's moving expiry), the rule packs, the covered-firm
    # lists, extensions, plans, reports and the bell; none of them grows with the firms
    with django_assert_max_num_queries(16):
        response = client.get(reverse("deadlines:calendar"))
    assert len(response.context["page"]) == 100


def test_calendar_page_needs_a_login(client):
    response = client.get(reverse("deadlines:calendar"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("kind", [K.ANNUAL_REPORT, K.COMPLIANCE])
def test_market_due_date_has_no_firm_extension(firm, regulator, shanghai, kind):
    DeadlineExtension.objects.create(firm=firm, year=2025, kind=kind, extra_days=10, reason="x", granted_by=regulator)
    assert (
        market_due_date(shanghai, 2025, kind) == {K.ANNUAL_REPORT: D(2026, 3, 31), K.COMPLIANCE: D(2026, 6, 30)}[kind]
    )


def test_home_page_lists_my_upcoming_deadlines_and_the_nav_links_the_calendar(client, firm, firm_user, monkeypatch):
    monkeypatch.setattr("mrv.views.timezone.localdate", lambda: D(2026, 3, 24))
    client.force_login(firm_user)
    response = client.get(reverse("home"))
    labels = [d.label for d in response.context["deadlines"]]
    assert f"{firm.name}: annual emission report 2025" in labels
    assert {"label": "Deadlines", "url": reverse("deadlines:calendar"), "active": False} in [
        {**i, "label": str(i["label"])} for i in response.context["nav_items"]
    ]


def test_calendar_shows_met_on_its_date_open_with_days_left_and_overdue_with_days(client, firm, firm_user, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr("deadlines.views.shanghai_today", lambda: D(2026, 5, 10))
    submitted = timezone.make_aware(dt.datetime(2026, 3, 20, 10, 0))
    f.ReportFactory(firm=firm, year=2025, status=EmissionReport.Status.UNDER_VERIFICATION, submitted_at=submitted)
    client.force_login(firm_user)

    response = client.get(reverse("deadlines:calendar"))

    rows = {(r.deadline.year, r.deadline.kind): r for r in response.context["rows"]}
    report, verification, compliance = (
        rows[(2025, K.ANNUAL_REPORT)],
        rows[(2025, K.VERIFICATION)],
        rows[(2025, K.COMPLIANCE)],
    )
    assert (report.status, report.met_on) == ("met", D(2026, 3, 20))
    assert (verification.status, verification.days_overdue) == ("overdue", 10)  # due 30 April
    assert (compliance.status, compliance.days_left) == ("open", 51)  # due 30 June
    html = response.content.decode()
    assert "met on 2026-03-20" in html or "2026-03-20" in html


def test_each_user_is_asked_on_the_home_page_for_the_deadlines_they_must_meet(
    firm, firm_user, regulator, verifier, engagement
):
    today = D(2026, 5, 15)  # the 2025 report (31 Mar) missed; the verification (30 Apr) missed
    assert {o.kind for o in overdue_deadlines(firm_user, today)} == {K.ANNUAL_REPORT, K.MONITORING_PLAN}
    assert K.VERIFICATION in {o.kind for o in overdue_deadlines(regulator, today)}
    assert {d.kind for d in upcoming_deadlines(verifier, D(2026, 4, 1))} == {K.VERIFICATION}
