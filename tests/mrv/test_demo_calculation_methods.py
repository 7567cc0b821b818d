"""The demo's four firms with the newer methods went from plan to determination through the services,
at figures worked out by hand here."""

from decimal import Decimal

import pytest

from mrv import demo
from mrv.models import AuditLog, Determination, EmissionReport, VerificationOpinion

D = Decimal


@pytest.fixture
def seeded(db):
    demo.seed()


def annual(prefix: str) -> EmissionReport:
    return EmissionReport.objects.get(firm__users__username=f"{prefix}_reporter", year=2025, period="annual")


def test_the_steel_firm_is_determined_on_its_carbon_balance(seeded):
    # a month: coke 35000 t × 0.86 = 30100 tC → 110366.667; PCI 15000 × 0.78 = 11700 tC → 42900.000;
    # limestone 10000 × 0.12 = 1200 tC → 4400.000; crude steel 100000 × 0.0035 = 350 tC → −1283.333;
    # BFG sold 15000 ×10⁴Nm3 × 2.36 = 35400 tC → −129800.000. Month 26583.334, year 319000.008 → 319000
    report = annual("tjs")
    result = report.current_version.emission_result()
    assert result.total_tco2e == D("319000.008")
    assert result.by_stream["bfg_sold"] == D("-1557600.000")
    assert report.status == EmissionReport.Status.DETERMINED
    assert report.determined_emissions_tco2e == D("319000")


def test_the_co_fired_plant_counts_coal_and_reports_its_biomass_apart(seeded):
    # coal a month: 30000 t × 20.908 GJ/t × 26.37 tC/TJ × 0.94 × 44/12 = 57008.965464 → 57008.965;
    # a year 684107.580 → 684108. Pellets: 3000 t × 1.65 tCO2/t = 4950 a month, 100 % biomass → 59400 a year
    report = annual("cnb")
    result = report.current_version.emission_result()
    assert (result.total_tco2e, result.biomass_co2_t) == (D("684107.580"), D("59400.000"))
    assert report.current_version.result["totals"]["biomass_co2_t"] == "59400.000"
    assert report.determined_emissions_tco2e == D("684108")


def test_the_chemicals_firm_deducts_the_co2_it_sells_naming_the_buyer(seeded):
    # coal 20000 t a month: 38005.976976 → 38005.977; ammonia 15000 t × 2.1 = 31500; sold 8000 tCO2.
    # A month 61505.977; a year 738071.724 → 738072
    report = annual("fjc")
    result = report.current_version.emission_result()
    assert result.transferred_out_tco2 == D("96000.000")
    assert {line.counterparty for line in result.lines if line.stream == "co2_sold"} == {
        "福州盛达食品级二氧化碳有限公司"
    }
    assert result.total_tco2e == D("738071.724")
    assert report.determined_emissions_tco2e == D("738072")


def test_the_measured_unit_counts_its_stack_and_keeps_the_coal_calculation_as_a_cross_check(seeded):
    # a month: 650 h × 1200 ×10³Nm3/h × 235 g/Nm3 = 183,300,000,000 g = 183300 t; a year 2199600.
    # cross-check: 95000 t coal × 1.9002988488 = 180528.391 a month, 2166340.692 a year: +1.5 %
    report = annual("cnm")
    result = report.current_version.emission_result()
    assert result.by_stream == {"stack": D("2199600.000")}
    from mrv.validation import validate_report

    (check,) = validate_report(report).cross_checks
    assert (check.calculated_tco2e, check.difference_pct) == (D("2166340.692"), D("1.5"))
    assert report.determined_emissions_tco2e == D("2199600")


@pytest.mark.parametrize("prefix", ["tjs", "cnb", "fjc", "cnm"])
def test_each_went_through_verification_and_determination_with_an_audit_trail(seeded, prefix):
    report = annual(prefix)
    opinion = VerificationOpinion.objects.get(report=report)
    assert opinion.verified_emissions_tco2e == report.reported_emissions_tco2e
    assert Determination.objects.filter(report=report).exists()
    states = AuditLog.objects.filter(content_type__model="emissionreport", object_id=str(report.pk))
    reached = set(states.values_list("to_state", flat=True))
    assert {"submitted", "under_verification", "verified", "regulator_review", "determined"} <= reached, reached


def test_seeding_the_methods_twice_changes_nothing(seeded):
    counts = (EmissionReport.objects.count(), Determination.objects.count(), AuditLog.objects.count())
    demo.seed()
    assert (EmissionReport.objects.count(), Determination.objects.count(), AuditLog.objects.count()) == counts


def test_the_report_page_shows_the_biomass_apart_and_the_buyer_of_the_co2(seeded, client):
    from django.urls import reverse

    from mrv.models import User

    plant, chemicals = annual("cnb"), annual("fjc")
    client.force_login(User.objects.get(username="cnb_reporter"))
    page = client.get(reverse("ui:report_detail", args=[plant.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "biomass CO2 (reported, not counted)" in page.content.decode()
    assert "59,400 tCO2" in page.content.decode()
    assert client.get(reverse("ui:report_detail", args=[chemicals.pk])).status_code == 404  # another firm's
    client.force_login(User.objects.get(username="fjc_reporter"))
    page = client.get(reverse("ui:report_detail", args=[chemicals.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "CO2 transferred, 福州盛达食品级二氧化碳有限公司" in page
    assert "-96,000 tCO2" in page
