"""The real spot-check draw (the verification workflow's service), run by the scan after the deadline."""

import datetime

from deadlines.models import Notification
from deadlines.services import spot_checks_draw_due
from mrv.models import EmissionReport, SpotCheckSample, User
from tests import factories as f
from tests.verification_world import verified_report


def test_the_day_after_the_verification_deadline_the_sample_is_drawn_and_its_body_told(
    shanghai, body, verifier, spot_body, spot_checker
):
    other_spot_body = f.BodyFactory(name="另一抽查机构", kind="spot_check", markets=[shanghai])
    other_checker = f.UserFactory(role=User.Role.SPOT_CHECKER, body=other_spot_body)
    reports = [verified_report(f.FirmFactory(market=shanghai), 100000 + i, body=body, lead=verifier) for i in range(3)]
    assert spot_checks_draw_due(today=datetime.date(2026, 4, 30), market_id=shanghai.pk) == 0
    assert spot_checks_draw_due(today=datetime.date(2026, 5, 1), market_id=shanghai.pk) == 1
    sample = SpotCheckSample.objects.get(market=shanghai, year=2025)
    assert sample.drawn_by is None and len(sample.population) == 3
    [item] = sample.items.select_related("report")  # 10 % of 3, rounded up
    assert item.report in reports and item.report.status == EmissionReport.Status.SPOT_CHECK
    # Only the spot-check body the sample went to is told, not every body registered in the market.
    assert item.body in (spot_body, other_spot_body)
    told, not_told = (spot_checker, other_checker) if item.body == spot_body else (other_checker, spot_checker)
    assert Notification.objects.filter(recipient=told, kind=Notification.Kind.SPOT_CHECK_DRAWN).count() == 1
    assert not Notification.objects.filter(recipient=not_told).exists()
    assert spot_checks_draw_due(today=datetime.date(2026, 5, 2), market_id=shanghai.pk) == 0
    assert SpotCheckSample.objects.count() == 1
