"""The demo has reports in every workflow state in the demo markets, and seeding twice changes nothing."""

import pytest

from mrv import demo
from mrv.models import AuditLog, EmissionReport, SpotCheckSample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_a_report_in_every_state_and_is_idempotent():
    demo.seed()
    states = set(EmissionReport.objects.values_list("status", flat=True))
    assert states == set(EmissionReport.Status.values)
    counts = (EmissionReport.objects.count(), AuditLog.objects.count(), SpotCheckSample.objects.count())
    demo.seed()
    assert (EmissionReport.objects.count(), AuditLog.objects.count(), SpotCheckSample.objects.count()) == counts


def test_demo_markets_cover_the_rule_variants():
    demo.seed()
    by_market = {}
    for code, status in EmissionReport.objects.values_list("market__code", "status"):
        by_market.setdefault(code, set()).add(status)
    assert "closed" in by_market["shanghai"] and "spot_check" in by_market["shanghai"]
    assert "regulator_review" in by_market["beijing"] and "determination_proposed" in by_market["hubei"]
    assert {"co_review", "accepted"} <= by_market["shenzhen"]
    assert "returned_to_firm" in by_market["chongqing"]
