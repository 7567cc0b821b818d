"""The demo has plans and reports in several states in every demo market, and seeding twice changes nothing."""

from collections import Counter

import pytest

from mrv import demo
from mrv.models import AuditLog, EmissionReport, MonitoringPlan, ReportVersion


@pytest.fixture
def seeded(db):
    demo.seed()


def _states(model, market):
    field = "firm__market__code"
    return Counter(model.objects.filter(**{field: market}).values_list("status", flat=True))


def test_every_demo_market_has_plans_and_reports(seeded):
    for market in ("shanghai", "shenzhen", "tianjin", "chongqing", "beijing", "hubei"):
        assert MonitoringPlan.objects.filter(firm__market__code=market).exists(), market
        assert EmissionReport.objects.filter(market__code=market).exists(), market


def test_the_demo_shows_the_plan_states(seeded):
    assert _states(MonitoringPlan, "shanghai") == {"approved": 2, "submitted": 1}
    assert _states(MonitoringPlan, "tianjin") == {"approved": 1, "third_party_checked": 1}
    assert _states(MonitoringPlan, "shenzhen") == {"approved": 2, "returned": 1}
    assert _states(MonitoringPlan, "hubei") == {"approved": 1, "draft": 1}


def test_the_demo_shows_the_report_states_and_quarters(seeded):
    shenzhen = EmissionReport.objects.filter(market__code="shenzhen", firm__sources__code="buses")
    assert sorted(shenzhen.values_list("period", "status")) == [
        ("annual", "draft"),
        ("q1", "submitted"),
        ("q2", "submitted"),
        ("q3", "submitted"),
        ("q4", "submitted"),
    ]
    annual = shenzhen.get(period="annual")
    assert annual.activity_rows.count() == 36  # taken over from the quarters
    cq = EmissionReport.objects.get(market__code="chongqing")
    gases = cq.current_version.emission_result().by_gas
    assert cq.status == "submitted" and set(gases) == {"CO2", "CH4", "N2O"}
    assert EmissionReport.objects.get(market__code="beijing").status == "draft"
    hubei = EmissionReport.objects.get(market__code="hubei")
    assert hubei.status == "submitted" and hubei.current_version.data["acknowledgements"]


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
