"""The home page's deadline queues, set-based (`deadline_queue`), give what the per-firm calendar gives:
the same count and the same first items, on a mixed case (extensions, pauses, met and unmet deadlines, a
quarterly market, monthly deposits, an open finding, an approved covered-firm list, several years); and
the regulator's home page runs as many queries for 30 firms as for 2."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from deadlines.calendar import market_due_date
from deadlines.models import DeadlineExtension
from deadlines.selectors import (
    RECENTLY_OVERDUE_DAYS,
    UPCOMING_DAYS,
    overdue_deadlines,
    overdue_queue,
    upcoming_deadlines,
    upcoming_queue,
)
from mrv.models import (
    CoverageEntry,
    CoverageList,
    DeadlineRule,
    EmissionReport,
    Finding,
    InformationRequest,
    MonitoringPlan,
    MonthlyDeposit,
    User,
)
from tests import factories as f

K = DeadlineRule.Kind
S = EmissionReport.Status
D = datetime.date
SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def key(item):
    d = item.deadline
    return (d.firm.pk, d.year, d.kind, d.due_date, d.extension_days, item.days_left)


@pytest.fixture
def world(firm, other_firm, regulator, shenzhen_firm):
    """Firms of three markets (Shanghai annual, Shenzhen quarterly, the national power sector depositing
    monthly) with their work in every state the queues tell apart."""
    national, power = f.market("national"), f.sector("power")
    shenzhen = shenzhen_firm.market
    a = f.FirmFactory(name="Alpha 发电", market=national, sector=power)
    b = f.FirmFactory(name="Beta 热电", market=national, sector=power)
    f.FirmFactory(name="张江电厂", market=national, sector=power, covered_since=2026)
    sz2 = f.FirmFactory(name="深圳第二电厂", market=shenzhen, sector=power)
    sz3 = f.FirmFactory(name="深圳第三电厂", market=shenzhen, sector=power)
    late = f.FirmFactory(name="上海后来者", market=firm.market, sector=firm.sector, covered_since=2026)
    f.FirmFactory(name="已关闭企业", market=firm.market, is_active=False)
    # Met and unmet reports: submitted, verified, determined, closed, draft; quarterly reports handed in.
    f.ReportFactory(firm=firm, year=2025, status=S.SUBMITTED)
    f.ReportFactory(firm=other_firm, year=2025, status=S.VERIFIED)
    f.ReportFactory(firm=a, year=2024, status=S.CLOSED)
    f.ReportFactory(firm=a, year=2025, status=S.DETERMINED)
    draft = f.ReportFactory(firm=b, year=2025, status=S.DRAFT)
    f.ReportFactory(firm=shenzhen_firm, year=2025, period="q1", status=S.SUBMITTED)
    f.ReportFactory(firm=shenzhen_firm, year=2025, period="q2", status=S.DRAFT)
    f.ReportFactory(firm=sz2, year=2025, period="q1", status=S.DETERMINED)
    under = f.ReportFactory(firm=sz3, year=2025, status=S.UNDER_VERIFICATION)
    # Monitoring plans: one handed in (met from its year on), one still a draft (not met).
    MonitoringPlan.objects.create(
        firm=firm, version=1, valid_from=D(2025, 1, 1), status="approved", created_by=regulator
    )
    MonitoringPlan.objects.create(firm=a, version=1, valid_from=D(2026, 1, 1), status="submitted", created_by=regulator)
    MonitoringPlan.objects.create(firm=b, version=1, valid_from=D(2024, 1, 1), status="draft", created_by=regulator)
    # Extensions (one moves a deadline into another window, one within its own) and pauses (closed, open).
    for who, year, kind, days in [
        (firm, 2025, K.ANNUAL_REPORT, 45),
        (other_firm, 2025, K.VERIFICATION, 10),
        (a, 2025, K.COMPLIANCE, 20),
        (sz2, 2025, K.Q2_REPORT, 30),
    ]:
        DeadlineExtension.objects.create(
            firm=who, year=year, kind=kind, extra_days=days, reason="flood", granted_by=regulator
        )
    for who, year, kind, opened, closed in [
        (b, 2025, K.ANNUAL_REPORT, datetime.datetime(2026, 2, 1, tzinfo=SH), datetime.datetime(2026, 2, 20, tzinfo=SH)),
        (sz3, 2025, K.VERIFICATION, datetime.datetime(2026, 4, 1, tzinfo=SH), None),
        (
            other_firm,
            2025,
            K.REVIEW,
            datetime.datetime(2026, 5, 1, tzinfo=SH),
            datetime.datetime(2026, 5, 9, tzinfo=SH),
        ),
    ]:
        InformationRequest.objects.create(
            firm=who, market=who.market, year=year, kind=kind, question="?", requested_by=regulator,
            opened_at=opened, closed_at=closed,
        )  # fmt: skip
    # Open findings with response dates: a report's response deadline.
    for report, due in [(draft, D(2026, 4, 2)), (under, D(2026, 5, 25)), (under, D(2026, 5, 20))]:
        Finding.objects.create(
            report=report, kind="misstatement", description="?", raised_by=regulator, response_due=due
        )
    # Monthly deposits of the national power sector (from 2026): some months made.
    for who, month in [(a, 1), (a, 2), (a, 3), (b, 1)]:
        MonthlyDeposit.objects.create(
            firm=who, market=national, year=2026, month=month, stream_code="coal", fuel_consumed_t=1,
            ncv_gj_per_t=1, carbon_content_tc_per_gj=1, electricity_generated_mwh=1, electricity_supplied_mwh=1,
            first_deposited_on=D(2026, 3, 1), due_date=D(2026, 3, 12), deposited_by=regulator,
        )  # fmt: skip
    # Shenzhen's 2026 covered-firm list is approved: two of its three firms (one by the regulator's decision).
    listed = CoverageList.objects.create(market=shenzhen, year=2026, status="approved")
    for who, included, override in [(shenzhen_firm, True, ""), (sz2, False, "include"), (sz3, True, "exclude")]:
        CoverageEntry.objects.create(
            coverage_list=listed, firm=who, name=who.name, credit_code=who.credit_code, sector=power,
            rule_included=included, override=override,
        )  # fmt: skip
    return late


@pytest.mark.parametrize("today", [D(2025, 12, 1), D(2026, 3, 1), D(2026, 4, 20), D(2026, 6, 1), D(2026, 12, 2)])
@pytest.mark.parametrize("who", ["national_admin", "regulator", "firm_user", "verifier"])
def test_the_set_based_queues_give_what_the_per_firm_calendar_gives(world, request, today, who):
    user = request.getfixturevalue(who)
    before = overdue_deadlines(user, today)
    count, first = overdue_queue(user, today, 1000)
    assert (count, [key(o) for o in first]) == (len(before), [key(o) for o in before])
    count, first = overdue_queue(User.objects.get(pk=user.pk), today, 3)
    assert (count, [key(o) for o in first]) == (len(before), [key(o) for o in before[:3]])
    assert [o.label for o in first] == [o.label for o in before[:3]]

    upcoming = upcoming_deadlines(user, today, within_days=UPCOMING_DAYS, overdue_days=RECENTLY_OVERDUE_DAYS)
    shown = upcoming_queue(user, today)
    assert (shown.total, [key(d) for d in shown]) == (len(upcoming), [key(d) for d in upcoming[:20]])


def test_the_mixed_case_has_every_kind_of_row(world, national_admin):
    """The comparison above means something: the case holds met and unmet, moved and work deadlines."""
    overdue = overdue_deadlines(national_admin, D(2026, 12, 2))
    assert {K.MONITORING_PLAN, K.ANNUAL_REPORT, K.Q2_REPORT, "monthly_deposit", "finding_response"} <= {
        o.kind for o in overdue
    }
    beta = next(o for o in overdue if o.deadline.firm.name == "Beta 热电" and o.kind == K.ANNUAL_REPORT)
    paused = market_due_date(f.market("national"), 2025, K.ANNUAL_REPORT) + datetime.timedelta(days=19)
    assert beta.due == paused  # its clock stood still 19 whole days
    assert len(overdue) > 20


def test_the_regulators_home_runs_as_many_queries_for_30_firms_as_for_2(client, firm, other_firm, regulator, shanghai):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def with_work(firm_n, n):
        DeadlineExtension.objects.create(
            firm=firm_n, year=2025, kind=K.REVIEW, extra_days=n, reason="flood", granted_by=regulator
        )
        f.ReportFactory(firm=firm_n, year=2025, status=S.SUBMITTED if n % 2 else S.DRAFT)

    with_work(firm, 1)
    with_work(other_firm, 2)
    client.force_login(regulator)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as two:
        page = client.get(reverse("home"))
    assert page.status_code == 200
    for n in range(28):
        with_work(f.FirmFactory(name=f"第{n}号企业", market=shanghai), n)
    with CaptureQueriesContext(connection) as thirty:
        page = client.get(reverse("home"))
    assert page.status_code == 200
    assert len(thirty) == len(two)
    # the upcoming list shows its first 20 and links the calendar for the rest
    assert len(page.context["deadlines"]) <= 20
