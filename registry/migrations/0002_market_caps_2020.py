"""The 2020 caps of the pilot markets from table 6 of the source paper (亿吨 = 10^8 t)."""

from decimal import Decimal

from django.db import migrations

E8 = Decimal("100000000")

# market: (cap in 10^8 t or None, reserve in 10^8 t, note)
CAPS_2020 = {
    "guangdong": (Decimal("4.22"), Decimal("0.23"), "Table 6: 4.22 (initial 3.99, reserve 0.23) × 10^8 t."),
    "hubei": (Decimal("2.57"), Decimal("0.22"), "Table 6: 2.57 (initial 2.35, reserve 0.22) × 10^8 t."),
    "shanghai": (Decimal("1.58"), Decimal("0"), "Table 6: 1.58 × 10^8 t, part auctioned; no reserve figure stated."),
    "chongqing": (Decimal("1.004"), Decimal("0.08"), "Table 6: 1.004 (initial 0.924, reserve 0.08) × 10^8 t."),
    "tianjin": (Decimal("1"), Decimal("0"), "Table 6: ≈1 × 10^8 t, no adjustment reserve."),
    "beijing": (Decimal("0.46"), Decimal("0.02"), "Table 6: 0.46 (≈0.44 initial, ≈0.02 reserve) × 10^8 t."),
    "shenzhen": (
        Decimal("0.3"), Decimal("0.01"),
        "Table 6 states ≈3 (≈2.9 initial, part auctioned) in the column of 10^8 t, i.e. 300 Mt, which is larger "
        "than Guangdong's whole cap and impossible for Shenzhen; the figure is read as ≈3 × 10^7 t "
        "(0.3 × 10^8 t, initial 0.29, reserve ≈0.01). Check against the official Shenzhen allocation plan.",
    ),
    "fujian": (
        None, Decimal("0"),
        "Table 6 gives no total: the cap is the sum of existing-project, new-project and market-adjustment "
        "allowances. Left empty until those components are recorded.",
    ),
}


def load(apps, schema_editor):
    Market = apps.get_model("mrv", "Market")
    MarketCap = apps.get_model("registry", "MarketCap")
    for market in Market.objects.filter(code__in=CAPS_2020):
        cap, reserve, note = CAPS_2020[market.code]
        MarketCap.objects.update_or_create(
            market=market, year=2020,
            defaults={"cap_tco2e": cap * E8 if cap is not None else None, "reserve_tco2e": reserve * E8, "note": note},
        )


def unload(apps, schema_editor):
    apps.get_model("registry", "MarketCap").objects.filter(year=2020).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_ledger_allocation_compliance"), ("mrv", "0002_market_rule_packs")]

    operations = [migrations.RunPython(load, unload)]
