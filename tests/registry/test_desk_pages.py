"""Small defects of the desk: no second penalty proposal, no link the reader cannot open, registry navigation."""

import pytest
from django.urls import reverse

from mrv.models import EmissionReport, SpotCheckItem, SpotCheckSample
from registry.models import ComplianceRecord, Penalty
from tests.registry.conftest import determine
from tests.verification_world import verified_report

pytestmark = pytest.mark.django_db


def propose_button(firm) -> str:
    return f'<input type="hidden" name="firm" value="{firm.pk}">'


def test_propose_penalty_is_offered_once_and_hidden_after_the_proposal(client, regulator, firm, cap_2025):
    determine(firm, 2025, 1000)
    ComplianceRecord.objects.create(firm=firm, year=2025, shortfall_tco2e=1000)
    client.force_login(regulator)
    url = reverse("registry:compliance") + "?year=2025"

    assert propose_button(firm) in client.get(url).content.decode()

    client.post(reverse("registry:penalties"), {"firm": firm.pk, "year": 2025})
    assert Penalty.objects.filter(firm=firm, year=2025).exists()
    html = client.get(url).content.decode()
    assert propose_button(firm) not in html
    assert reverse("registry:penalties") in html


def test_the_spot_checker_sees_no_link_to_an_engagement_it_may_not_open(
    client, firm, body, verifier, spot_body, spot_checker
):
    report = verified_report(firm, 50000, body=body, lead=verifier, status=EmissionReport.Status.SPOT_CHECK)
    sample = SpotCheckSample.objects.create(market=firm.market, year=2025, seed=1, rate_pct=10)
    SpotCheckItem.objects.create(sample=sample, report=report, risk_weight=1, body=spot_body)
    client.force_login(spot_checker)

    html = client.get(reverse("ui:report_verification", args=[report.pk])).content.decode()

    assert "/engagements/" not in html


@pytest.mark.parametrize(
    ("persona", "reaches"),
    [("firm_user", "registry:index"), ("regulator", "registry:index"), ("verifier", None)],
)
def test_the_registry_is_in_the_navigation_of_firms_and_regulators(client, request, persona, reaches):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    nav = [str(item["url"]) for item in client.get("/").context["nav_items"]]
    assert (reverse("registry:index") in nav) is (reaches is not None)


def test_the_firms_home_shows_its_shortfall_and_penalty_with_grouped_figures(client, firm, firm_user, cap_2025):
    from django.utils import timezone

    year = timezone.localdate().year - 1
    determine(firm, year, "604780")
    Penalty.objects.create(firm=firm, year=year, shortfall_tco2e=9780, fine_cny=50000, deduction_tco2e=9780)
    client.force_login(firm_user)
    page = client.get("/").content.decode()
    assert f"Surrender for {year}" in page and "obligation 604,780 t, shortfall 604,780 t" in page
    assert "fine CNY 50,000.00, deduction 9,780 t" in page
