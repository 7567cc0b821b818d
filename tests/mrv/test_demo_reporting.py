"""The demo has plans and reports in several states in every demo market, and seeding twice changes nothing."""

from collections import Counter

import pytest

from mrv import demo
from mrv.models import AuditLog, EmissionReport, MonitoringPlan, ReportVersion


@pytest.fixture
def seeded(db):
    demo.seed()


def _plan_states(market):
    return Counter(MonitoringPlan.objects.filter(firm__market__code=market).values_list("status", flat=True))


def test_every_demo_market_has_plans_and_reports_computed_from_data(seeded):
    for market in ("shanghai", "shenzhen", "tianjin", "chongqing", "beijing", "hubei"):
        assert MonitoringPlan.objects.filter(firm__market__code=market).exists(), market
        computed = EmissionReport.objects.filter(market__code=market, current_version__isnull=False)
        assert computed.exists(), market
        for report in computed:
            assert report.reported_emissions_tco2e == report.current_version.reported_tco2e


def test_the_demo_shows_the_plan_states(seeded):
    assert _plan_states("shanghai") == {"approved": 2, "submitted": 1}
    assert _plan_states("tianjin") == {"approved": 2, "third_party_checked": 1}  # + the steel firm's balance
    assert _plan_states("shenzhen") == {"approved": 2, "returned": 1}
    assert _plan_states("hubei") == {"approved": 1, "draft": 1}


def test_the_demo_shows_quarters_takeover_gases_and_drafts(seeded):
    bus = EmissionReport.objects.filter(market__code="shenzhen", firm__sources__code="buses", year=2025)
    assert sorted(bus.values_list("period", flat=True)) == ["annual", "q1", "q2", "q3", "q4"]
    annual = bus.get(period="annual")
    assert annual.status == "draft" and annual.activity_rows.count() == 36  # taken over from the quarters
    cq = EmissionReport.objects.get(market__code="chongqing", year=2025, current_version__isnull=False)
    assert set(cq.current_version.emission_result().by_gas) == {"CO2", "CH4", "N2O"}
    hubei = EmissionReport.objects.get(market__code="hubei", year=2025)
    assert hubei.current_version.data["acknowledgements"]
    drafts = EmissionReport.objects.filter(year=2026, status="draft")
    assert sorted(drafts.values_list("market__code", "period")) == [
        ("beijing", "annual"),
        ("shanghai", "annual"),
        ("shenzhen", "q1"),
    ]


def test_seeding_twice_changes_nothing(seeded):
    counts = (
        MonitoringPlan.objects.count(),
        EmissionReport.objects.count(),
        ReportVersion.objects.count(),
        AuditLog.objects.count(),
    )
    demo.seed()
    assert (
        MonitoringPlan.objects.count(),
        EmissionReport.objects.count(),
        ReportVersion.objects.count(),
        AuditLog.objects.count(),
    ) == counts
