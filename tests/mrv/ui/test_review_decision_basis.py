"""The head's approval page shows what the decision rests on."""

import pytest
from django.urls import reverse
from django.utils import translation

from mrv.models import EmissionReport, ReportWarningAcknowledgement, SpotCheckItem, SpotCheckSample
from tests import factories as f
from tests.verification_world import *  # noqa: F403
from tests.verification_world import verified_report

R = EmissionReport.Status
pytestmark = pytest.mark.django_db


def test_the_heads_page_shows_figures_materiality_spot_check_history_and_explained_warnings(
    client, firm, body, verifier, regulator_head, firm_user
):
    for year, figure in ((2022, 500000), (2023, 520000), (2024, 540000)):
        f.ReportFactory(firm=firm, year=year, status=R.CLOSED, determined_emissions_tco2e=figure)
    report = verified_report(
        firm, 600000, body=body, lead=verifier, status=R.DETERMINATION_PROPOSED, uncorrected="800", threshold="2"
    )
    sample = SpotCheckSample.objects.create(market=firm.market, year=2025, seed=7, rate_pct=10)
    SpotCheckItem.objects.create(
        sample=sample,
        report=report,
        risk_weight=3,
        outcome=SpotCheckItem.Outcome.DISCREPANCIES,
        discrepancies="计量器具未校准",
    )
    ReportWarningAcknowledgement.objects.create(
        report=report,
        key="coal:ncv",
        message="NCV 30% above the default",
        reason="new coal supplier",
        acknowledged_by=firm_user,
    )
    client.force_login(regulator_head)

    with translation.override("en"):
        html = client.get(reverse("ui:report_review", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "0.13 %" in html  # 800 t of 600,000 t, next to the 2 % threshold
    assert "2.00 %" in html
    assert "计量器具未校准" in html
    for year in ("2022", "2023", "2024"):
        assert f">{year}</a>" in html
    assert "new coal supplier" in html and "NCV 30% above the default" in html
