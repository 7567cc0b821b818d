"""The demo, seeded on the migrations' reference data even after an earlier transactional test's flush emptied it."""

import importlib

from django.apps import apps as django_apps


def seed_demo() -> None:
    from mrv import demo, grid_factor_data, reference_data
    from mrv.models import Market
    from registry.models import MarketCap

    if not Market.objects.exists():
        reference_data.load(django_apps)
        grid_factor_data.load(django_apps)
    if not MarketCap.objects.exists():
        importlib.import_module("registry.migrations.0002_market_caps_2020").load(django_apps, None)
    demo.seed()
