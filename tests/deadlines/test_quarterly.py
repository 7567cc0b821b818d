import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from deadlines import hooks
from deadlines.early_warning import project, shortfall
from deadlines.models import EarlyWarning, Notification, QuarterlySnapshot
from deadlines.services import quarterly_open_reports, quarterly_snapshot_build, quarterly_snapshots_build_due
from mrv.models import EmissionReport
from tests import factories as f

D = datetime.date
P = EmissionReport.Period
ACCEPTED = EmissionReport.Status.ACCEPTED


# --- Quarterly drafts ---------------------------------------------------------------------------


def test_after_a_quarter_only_shenzhen_firms_get_quarterly_drafts(firm, shenzhen_firm, shenzhen_user, firm_user):
    assert quarterly_open_reports(today=D(2026, 4, 1)) == 1
    report = EmissionReport.objects.get(firm=shenzhen_firm, year=2026, period=P.Q1)
    assert report.status == EmissionReport.Status.DRAFT
    assert not EmissionReport.objects.filter(firm=firm).exists()
    [note] = Notification.objects.filter(recipient=shenzhen_user, kind=Notification.Kind.QUARTERLY_REPORT_OPENED)
    assert (note.params["quarter"], note.params["due_date"]) == (1, "2026-04-30")
    assert not Notification.objects.filter(recipient=firm_user).exists()


def test_quarterly_drafts_are_made_once(shenzhen_firm, shenzhen_user):
    quarterly_open_reports(today=D(2026, 4, 1))
    assert quarterly_open_reports(today=D(2026, 4, 2)) == 0
    assert EmissionReport.objects.filter(firm=shenzhen_firm).count() == 1
    assert Notification.objects.filter(recipient=shenzhen_user).count() == 1


def test_the_fourth_quarter_draft_comes_in_january_for_the_year_before(shenzhen_firm, shenzhen_user):
    quarterly_open_reports(today=D(2026, 1, 1))
    assert EmissionReport.objects.filter(firm=shenzhen_firm, year=2025, period=P.Q4).exists()
    note = Notification.objects.get(recipient=shenzhen_user)
    assert note.params["due_date"] == "2026-01-31"


# --- Early warning: the projection --------------------------------------------------------------


def test_projection_without_history_scales_the_quarters_so_far_to_a_year():
    p = project({1: Decimal("300000"), 2: Decimal("300000")}, 2, [])
    # 600,000 in two quarters = half a year → 1,200,000.
    assert (p.so_far_tco2e, p.share, p.seasonally_adjusted, p.projected_tco2e) == (
        Decimal("600000"),
        Decimal("0.5"),
        False,
        Decimal("1200000"),
    )


def test_projection_is_seasonally_adjusted_by_the_firms_previous_years():
    history = [
        {1: Decimal(300000), 2: Decimal(200000), 3: Decimal(200000), 4: Decimal(300000)},  # H1 500/1000 = 0.5
        {1: Decimal(240000), 2: Decimal(200000), 3: Decimal(260000), 4: Decimal(400000)},  # H1 440/1100 = 0.4
    ]
    p = project({1: Decimal(270000), 2: Decimal(180000)}, 2, history)
    # Mean share 0.45; 450,000 / 0.45 = 1,000,000.
    assert (p.share, p.seasonally_adjusted, p.projected_tco2e) == (Decimal("0.45"), True, Decimal("1000000"))


def test_projection_divides_by_the_exact_share_and_rounds_to_the_tonne():
    history = [{1: Decimal(100), 2: Decimal(200), 3: Decimal(300), 4: Decimal(300)}]  # H1 300/900 = 1/3
    p = project({1: Decimal(100), 2: Decimal(150)}, 2, history)
    # 250 / (1/3) = 750 exactly; dividing by the stored 0.333333 would give 750.00075.
    assert (p.share, p.projected_tco2e) == (Decimal("0.333333"), Decimal("750"))


def test_incomplete_previous_years_are_ignored():
    history = [{1: Decimal(900), 2: Decimal(100)}]  # no Q3, Q4: not a usable season
    p = project({1: Decimal(300)}, 1, history)
    assert (p.share, p.seasonally_adjusted, p.projected_tco2e) == (Decimal("0.25"), False, Decimal("1200"))


@pytest.mark.parametrize(
    ("projected", "allocation", "expected"),
    [
        (Decimal(1000000), Decimal(900000), Decimal(100000)),
        (Decimal(1200000), Decimal(1500000), Decimal(0)),
        (Decimal(1200000), None, Decimal(0)),
    ],
)
def test_shortfall_is_the_projection_above_the_allocation(projected, allocation, expected):
    assert shortfall(projected, allocation) == expected


def test_quarterly_drafts_cost_the_same_statements_whatever_the_number_of_firms(shenzhen, shenzhen_firm):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mrv.models import User

    ContentType.objects.get_for_model(EmissionReport)  # cached once per process, as in a worker
    counts = []
    for today, more in ((D(2026, 4, 1), 1), (D(2026, 7, 1), 30)):
        for _ in range(more):
            f.UserFactory(role=User.Role.FIRM_REPORTER, firm=f.FirmFactory(market=shenzhen))
        with CaptureQueriesContext(connection) as queries:
            opened = quarterly_open_reports(today=today, market_id=shenzhen.pk)
        counts.append(len(queries))
        assert opened == EmissionReport.objects.filter(period=P.Q1 if more == 1 else P.Q2).count()
    assert counts[0] == counts[1]
    told = Notification.objects.filter(kind=Notification.Kind.QUARTERLY_REPORT_OPENED)
    assert told.count() == 1 + 31  # each reporter once per quarter (shenzhen_firm has none)
    assert quarterly_open_reports(today=D(2026, 7, 1), market_id=shenzhen.pk) == 0
    assert told.count() == 32


# --- Early warning: the snapshot ------------------------------------------------------------------


def quarters(firm, year, figures, status=ACCEPTED):
    for q, value in enumerate(figures, start=1):
        f.ReportFactory(firm=firm, year=year, period=f"q{q}", status=status, reported_emissions_tco2e=Decimal(value))


@pytest.fixture
def shenzhen_quarters(shenzhen, monkeypatch):
    seasonal = f.FirmFactory(name="季节性热电", market=shenzhen, sector=f.sector("power"))
    steady = f.FirmFactory(name="平稳水泥", market=shenzhen, sector=f.sector("cement"))
    late = f.FirmFactory(name="迟报企业", market=shenzhen, sector=f.sector("cement"))
    quarters(seasonal, 2024, [300000, 200000, 200000, 300000])
    quarters(seasonal, 2025, [240000, 200000, 260000, 400000])
    quarters(seasonal, 2026, [270000, 180000])
    quarters(steady, 2026, [300000, 300000])
    quarters(late, 2026, [500000])  # Q2 not handed in
    f.ReportFactory(
        firm=late, year=2026, period="q2", status=EmissionReport.Status.DRAFT, reported_emissions_tco2e=Decimal(1)
    )
    allocations = {seasonal.pk: Decimal(900000), steady.pk: Decimal(1500000), late.pk: Decimal(100)}
    monkeypatch.setattr(hooks, "allocations_for", lambda firms, year: {x.pk: allocations.get(x.pk) for x in firms})
    return seasonal, steady, late


def test_snapshot_lists_the_firms_projected_to_fall_short_and_by_how_much(
    shenzhen, shenzhen_quarters, shenzhen_regulator
):
    seasonal, steady, late = shenzhen_quarters
    snapshot = quarterly_snapshot_build(market=shenzhen, year=2026, quarter=2)
    rows = {w.firm_id: w for w in EarlyWarning.objects.filter(snapshot=snapshot)}
    # seasonal: 450,000 so far / mean share 0.45 = 1,000,000 against 900,000 → 100,000 short.
    s = rows[seasonal.pk]
    assert (s.emissions_so_far_tco2e, s.share_so_far, s.seasonally_adjusted) == (450000, Decimal("0.45"), True)
    assert (s.projected_tco2e, s.allocation_tco2e, s.shortfall_tco2e) == (1000000, 900000, 100000)
    # steady: 600,000 / 0.5 = 1,200,000 against 1,500,000 → no shortfall.
    assert (rows[steady.pk].projected_tco2e, rows[steady.pk].shortfall_tco2e) == (1200000, 0)
    assert late.pk not in rows  # its Q2 is still a draft
    assert snapshot.emissions_by_sector == {"cement": "600000", "power": "450000"}
    [note] = Notification.objects.filter(recipient=shenzhen_regulator, kind=Notification.Kind.QUARTERLY_SNAPSHOT)
    assert note.params["short_count"] == 1 and "1 firms" in str(note)


def test_snapshot_is_built_once_after_the_quarterly_report_deadline(shenzhen, shenzhen_quarters):
    assert quarterly_snapshots_build_due(today=D(2026, 7, 31)) == 0  # Q2 reports due today
    assert quarterly_snapshots_build_due(today=D(2026, 8, 1)) == 1
    assert quarterly_snapshots_build_due(today=D(2026, 8, 2)) == 0
    assert list(QuarterlySnapshot.objects.values_list("market__code", "year", "quarter")) == [("shenzhen", 2026, 2)]


def test_snapshot_page_is_for_the_markets_regulator_only(
    client, shenzhen, shenzhen_quarters, shenzhen_regulator, regulator, firm_user
):
    snapshot = quarterly_snapshot_build(market=shenzhen, year=2026, quarter=2)
    url = reverse("deadlines:snapshot", args=[snapshot.pk])
    client.force_login(shenzhen_regulator)
    response = client.get(url)
    assert response.status_code == 200 and "季节性热电" in response.content.decode()
    for outsider in (regulator, firm_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_a_snapshot_costs_the_same_statements_whatever_the_number_of_firms(shenzhen, shenzhen_regulator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for year, n in ((2025, 2), (2026, 8)):
        for _ in range(n):
            quarters(f.FirmFactory(market=shenzhen, sector=f.sector("power")), year, [1000])
    counts = []
    for year in (2025, 2026):
        with CaptureQueriesContext(connection) as queries:
            snapshot = quarterly_snapshot_build(market=shenzhen, year=year, quarter=1)
        counts.append(len(queries))
        assert snapshot.warnings.count() == (2 if year == 2025 else 8)
    assert counts[0] == counts[1]
