"""Every market's rule pack is loaded with the rules that set it apart (DOMAIN.md)."""

from decimal import Decimal

import pytest

from mrv.models import DeadlineRule, Market, RulePack

pytestmark = pytest.mark.django_db


def pack(code: str) -> RulePack:
    return Market.objects.get(code=code).rule_pack_for(2025)


def test_all_nine_markets_are_loaded():
    assert set(Market.objects.values_list("code", flat=True)) == {
        "national",
        "beijing",
        "tianjin",
        "shanghai",
        "guangdong",
        "shenzhen",
        "hubei",
        "chongqing",
        "fujian",
    }


def test_only_chongqing_covers_all_six_gases():
    six = {code for code in Market.objects.values_list("code", flat=True) if len(pack(code).gases) == 6}
    assert six == {"chongqing"}
    assert all(
        pack(c).gases == ["CO2"]
        for c in ["beijing", "tianjin", "shanghai", "guangdong", "shenzhen", "hubei", "fujian", "national"]
    )


def test_mobile_sources_are_covered_in_shenzhen_and_chongqing_only():
    mobile = {p.market.code for p in RulePack.objects.select_related("market") if p.covers_mobile_sources}
    assert mobile == {"shenzhen", "chongqing"}


def test_only_shenzhen_reports_quarterly_with_two_co_reviewers():
    quarterly = RulePack.objects.filter(quarterly_reporting=True)
    assert {p.market.code for p in quarterly} == {"shenzhen"}
    assert quarterly[0].quarterly_co_reviewers == ["regulator", "statistics_bureau"]
    kinds = set(quarterly[0].deadlines.values_list("kind", flat=True))
    assert {"q1_report", "q2_report", "q3_report", "q4_report"} <= kinds


def test_only_tianjin_plans_need_a_third_party_check():
    assert {p.market.code for p in RulePack.objects.filter(plan_requires_third_party_check=True)} == {"tianjin"}


def test_spot_checks_in_shanghai_beijing_and_hubei():
    assert {p.market.code for p in RulePack.objects.filter(spot_check=True)} == {"shanghai", "beijing", "hubei"}
    assert all(p.spot_check_rate_pct > 0 for p in RulePack.objects.filter(spot_check=True))


def test_verification_plan_markets():
    assert {p.market.code for p in RulePack.objects.filter(verification_plan_required=True)} == {
        "shanghai",
        "chongqing",
        "guangdong",
        "hubei",
        "shenzhen",
    }


def test_sector_qualification_markets_and_registration_markets():
    qualified = {p.market.code for p in RulePack.objects.filter(verifier_eligibility="sector_qualification")}
    assert qualified == {"beijing", "hubei", "shanghai", "guangdong"}
    assert pack("tianjin").verifier_eligibility == "registration"


def test_thresholds_carry_unit_and_year_combination():
    hubei = {(t.unit, t.combination, t.amount, t.first_year_offset) for t in pack("hubei").thresholds.all()}
    assert hubei == {("tce", "any_year", Decimal("60000"), -2), ("tco2e", "any_year", Decimal("120000"), -2)}
    beijing = pack("beijing").thresholds.get()
    assert (beijing.combination, beijing.years(2020)) == ("average", [2017, 2018, 2019])
    assert pack("shenzhen").thresholds.get().amount == Decimal("3000")
    assert pack("fujian").thresholds.get().years(2020) == [2016, 2017, 2018, 2019]


def test_offset_types_accepted_per_market():
    assert pack("guangdong").accepted_offset_types == ["CCER", "PHCER"]
    assert pack("fujian").accepted_offset_types == ["CCER", "FFCER"]
    assert pack("shanghai").accepted_offset_types == ["CCER"]
    assert all(Decimal("5") <= p.offset_cap_pct <= Decimal("10") for p in RulePack.objects.all())


def test_reserve_shares_are_computed_from_table_6():
    assert pack("guangdong").reserve_pct == (Decimal("0.23") / Decimal("4.22") * 100).quantize(Decimal("0.01"))
    assert pack("hubei").reserve_pct == (Decimal("0.22") / Decimal("2.57") * 100).quantize(Decimal("0.01"))
    assert pack("tianjin").reserve_pct == 0


def test_allocation_method_per_sector():
    methods = dict(pack("shanghai").sectors.values_list("sector__code", "allocation_method"))
    assert methods["power"] == "shanghai_power"
    assert methods["power_grid"] == "shanghai_grid"
    assert methods["heat"] == "shanghai_heat"
    assert set(pack("chongqing").sectors.values_list("allocation_method", flat=True)) == {"self_declaration"}
    assert pack("hubei").sectors.get(sector__code="cement").allocation_method == "benchmark_market_adjusted"


def test_compliance_deadlines_and_first_year_extension():
    tianjin = pack("tianjin").deadline(DeadlineRule.Kind.COMPLIANCE)
    assert tianjin.due_date(2020).isoformat() == "2021-05-30"
    assert tianjin.due_date(2020, first_year_extension_days=30).isoformat() == "2021-06-29"
    assert pack("chongqing").first_year_extension_days == 365


def test_a_later_rule_pack_changes_later_years_only():
    shanghai = Market.objects.get(code="shanghai")
    old = shanghai.rule_pack_for(2025)
    RulePack.objects.create(
        market=shanghai,
        valid_from_year=2026,
        gases=["CO2"],
        verifier_eligibility="registration",
        offset_cap_pct=Decimal("3"),
    )
    assert shanghai.rule_pack_for(2025) == old
    assert shanghai.rule_pack_for(2027).offset_cap_pct == Decimal("3")
    with pytest.raises(RulePack.DoesNotExist):
        shanghai.rule_pack_for(2015)


def test_materiality_threshold_is_tighter_above_500_kt():
    p = pack("shanghai")
    assert p.materiality_threshold_pct(Decimal("500000")) == Decimal("5")
    assert p.materiality_threshold_pct(Decimal("500001")) == Decimal("2")
