"""Fourth-party spot checks: a reproducible, risk-weighted draw; confirmation or discrepancies."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from mrv import access
from mrv.models import AuditLog, EmissionReport, Firm, SpotCheckItem, SpotCheckSample, User
from mrv.services import review
from mrv.services import spot_checks as sc
from mrv.transitions import TransitionRefused
from tests import factories as f
from tests.verification_world import *  # noqa: F403
from tests.verification_world import assert_logged, assert_queued, person, verified_report

R = EmissionReport.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve(shanghai, body, verifier):
    """Twelve verified Shanghai reports of 100,000–111,000 t: no risk factor, weight 1 each."""
    firms = [f.FirmFactory(market=shanghai) for _ in range(12)]
    return [verified_report(x, 100000 + 1000 * i, body=body, lead=verifier) for i, x in enumerate(firms)]


def test_the_sample_size_is_the_rate_times_the_verified_reports_rounded_up():
    assert sc.sample_size(Decimal("10"), 12) == 2  # ceil(1.2)
    assert sc.sample_size(Decimal("10"), 10) == 1
    assert sc.sample_size(Decimal("10"), 0) == 0


def test_the_draw_is_reproducible_from_its_recorded_seed(twelve, regulator, wired):
    sample = sc.spot_check_draw(market=twelve[0].market, year=2025, acting_user=regulator, seed=20260425)
    drawn = list(sample.items.order_by("id").values_list("report_id", flat=True))
    assert len(drawn) == 2
    assert sc.spot_check_replay(sample) == drawn
    assert sc.weighted_draw(sample.population, 20260425, 2) == drawn
    assert sample.population == [[r.pk, 1] for r in twelve]
    # The seed matters: twenty seeds do not all pick the same pair.
    assert len({tuple(sc.weighted_draw(sample.population, s, 2)) for s in range(20)}) > 1


def test_a_heavier_report_is_drawn_more_often():
    # Weight 1 against 9: over 200 seeds the heavy one should win about 90 % of the single draws.
    wins = sum(sc.weighted_draw([[1, 1], [2, 9]], seed, 1) == [2] for seed in range(200))
    assert 160 <= wins <= 200


def test_drawn_reports_go_to_spot_check_logged_and_queued(twelve, regulator, spot_body, wired):
    sample = sc.spot_check_draw(market=twelve[0].market, year=2025, acting_user=regulator, seed=7)
    for item in sample.items.select_related("report"):
        item.report.refresh_from_db()
        assert item.report.status == R.SPOT_CHECK and item.body == spot_body and not item.added_by_hand
        assert_logged(item.report, "mrv.emissionreport.select_for_spot_check", regulator, R.VERIFIED, R.SPOT_CHECK)
        assert_queued("mrv.emissionreport.select_for_spot_check", emissionreport_id=item.report_id)
    row = AuditLog.objects.get(action="mrv.spotchecksample.drawn")
    assert row.changes["seed"] == [None, 7] and row.changes["population"] == [None, 12]
    untouched = EmissionReport.objects.filter(status=R.VERIFIED).count()
    assert untouched == 10


def test_the_system_draws_at_the_deadline_without_a_user(twelve):
    sample = sc.spot_check_draw(market=twelve[0].market, year=2025)
    assert sample.drawn_by is None and sample.seed > 0 and sample.items.count() == 2
    assert AuditLog.objects.filter(action="mrv.emissionreport.select_for_spot_check", actor=None).count() == 2


def test_risk_factors_raise_the_weight(shanghai, body, verifier, spot_body):
    from mrv.models import FirmYearFigure, SpotCheckSample

    firms = [f.FirmFactory(market=shanghai) for _ in range(5)]
    plain = verified_report(firms[0], 100000, body=body, lead=verifier)
    FirmYearFigure.objects.create(firm=firms[1], year=2024, emissions_tco2e=100000)
    jump = verified_report(firms[1], 130000, body=body, lead=verifier)  # +30 % ≥ 20 % → +3
    near_threshold = verified_report(firms[2], 21000, body=body, lead=verifier)  # 20,000 ≤ 21,000 ≤ 22,000 → +2
    near_switch = verified_report(firms[3], 520000, body=body, lead=verifier)  # |520,000 − 500,000| ≤ 50,000 → +2
    near_material = verified_report(firms[4], 200000, body=body, lead=verifier, uncorrected="5000", threshold="5")
    # 5,000 / 200,000 = 2.5 % ≥ half of 5 % → +2
    weights = sc.risk_weights([plain, jump, near_threshold, near_switch, near_material], shanghai, 2025)
    assert {k: v[0] for k, v in weights.items()} == {
        plain.pk: 1,
        jump.pk: 4,
        near_threshold.pk: 3,
        near_switch.pk: 3,
        near_material.pk: 3,
    }
    assert weights[jump.pk][1] == ["large_year_on_year_change"]
    # The same verifier had one discrepancy found in 2024: +2 on each of its reports.
    old = SpotCheckSample.objects.create(market=shanghai, year=2024, seed=1, rate_pct=10, population=[])
    old_report = f.ReportFactory(firm=firms[0], year=2024, status=R.CLOSED)
    SpotCheckItem.objects.create(
        sample=old, report=old_report, risk_weight=1, verifier_body=body, outcome=SpotCheckItem.Outcome.DISCREPANCIES
    )
    assert sc.risk_weights([plain], shanghai, 2025)[plain.pk] == (3, ["verifier_past_discrepancies"])


def test_risk_weights_take_a_fixed_number_of_queries(twelve, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        sc.risk_weights(twelve, twelve[0].market, 2025)


def test_only_the_markets_regulator_or_the_system_may_draw(twelve, other_regulator, verifier):
    for user in (other_regulator, verifier):
        with pytest.raises(PermissionDenied):
            sc.spot_check_draw(market=twelve[0].market, year=2025, acting_user=user)
    assert not SpotCheckSample.objects.exists()


def test_a_market_without_spot_checks_refuses_the_draw():
    with pytest.raises(TransitionRefused) as refused:
        sc.spot_check_draw(market=f.market("tianjin"), year=2025)
    assert refused.value.message == sc.NO_SPOT_CHECKS % {"market": f.market("tianjin")}


def test_a_market_year_is_drawn_once(twelve):
    first = sc.spot_check_draw(market=twelve[0].market, year=2025, seed=5)
    with pytest.raises(TransitionRefused) as refused:
        sc.spot_check_draw(market=twelve[0].market, year=2025, seed=6)
    assert refused.value.message == sc.ALREADY_DRAWN % {"market": first.market, "year": 2025, "seed": 5}
    assert SpotCheckItem.objects.count() == 2


def test_the_regulator_adds_a_report_by_hand(twelve, regulator, wired):
    sample = sc.spot_check_draw(market=twelve[0].market, year=2025, seed=3)
    left = EmissionReport.objects.filter(status=R.VERIFIED).first()
    item = sc.spot_check_add_report(report=left, acting_user=regulator, reason="举报线索")
    left.refresh_from_db()
    assert left.status == R.SPOT_CHECK and item.added_by_hand and item.sample == sample
    assert_logged(left, "mrv.emissionreport.select_for_spot_check", regulator, R.VERIFIED, R.SPOT_CHECK, "举报线索")
    with pytest.raises(TransitionRefused):
        sc.spot_check_add_report(report=left, acting_user=regulator)  # no longer verified
    assert sc.spot_check_replay(sample) == list(
        sample.items.filter(added_by_hand=False).order_by("id").values_list("report_id", flat=True)
    )


def test_adding_by_hand_before_the_draw_is_refused(twelve, regulator):
    with pytest.raises(TransitionRefused) as refused:
        sc.spot_check_add_report(report=twelve[0], acting_user=regulator)
    assert refused.value.message == sc.NO_SAMPLE_YET % {"market": twelve[0].market, "year": 2025}


def test_a_verified_report_waits_for_the_draw_before_review(twelve, regulator, wired):
    with pytest.raises(TransitionRefused):
        review.report_send_to_review(report=twelve[0], acting_user=regulator)
    twelve[0].refresh_from_db()
    assert twelve[0].status == R.VERIFIED
    sc.spot_check_draw(market=twelve[0].market, year=2025, seed=11)
    left = EmissionReport.objects.filter(status=R.VERIFIED).first()
    review.report_send_to_review(report=left, acting_user=regulator)
    left.refresh_from_db()
    assert left.status == R.REGULATOR_REVIEW
    assert_logged(left, "mrv.emissionreport.send_to_review", regulator, R.VERIFIED, R.REGULATOR_REVIEW)
    assert_queued("mrv.emissionreport.send_to_review", emissionreport_id=left.pk)


@pytest.fixture
def in_spot_check(twelve, spot_body):
    sample = sc.spot_check_draw(market=twelve[0].market, year=2025, seed=99)
    return sample.items.first().report


def test_the_spot_checker_confirms(in_spot_check, spot_checker, wired):
    item = sc.spot_check_confirm(report=in_spot_check, acting_user=spot_checker, comment="抽查无异议")
    in_spot_check.refresh_from_db()
    assert in_spot_check.status == R.REGULATOR_REVIEW
    assert (item.outcome, item.checked_by) == (SpotCheckItem.Outcome.CONFIRMED, spot_checker)
    assert_logged(
        in_spot_check,
        "mrv.emissionreport.confirm_spot_check",
        spot_checker,
        R.SPOT_CHECK,
        R.REGULATOR_REVIEW,
        "抽查无异议",
    )
    assert_queued("mrv.emissionreport.confirm_spot_check", emissionreport_id=in_spot_check.pk)


def test_discrepancies_send_the_report_back_to_the_verifier(in_spot_check, spot_checker, wired):
    with pytest.raises(TransitionRefused) as refused:
        sc.spot_check_record_discrepancy(report=in_spot_check, discrepancies="", acting_user=spot_checker)
    assert refused.value.message == sc.DISCREPANCIES_REQUIRED
    item = sc.spot_check_record_discrepancy(
        report=in_spot_check, discrepancies="外购电量少报 1,200 MWh", acting_user=spot_checker
    )
    in_spot_check.refresh_from_db()
    assert in_spot_check.status == R.UNDER_VERIFICATION
    assert (item.outcome, item.discrepancies) == (SpotCheckItem.Outcome.DISCREPANCIES, "外购电量少报 1,200 MWh")
    assert_logged(
        in_spot_check,
        "mrv.emissionreport.record_spot_check_discrepancy",
        spot_checker,
        R.SPOT_CHECK,
        R.UNDER_VERIFICATION,
        "外购电量少报 1,200 MWh",
    )
    assert_queued("mrv.emissionreport.record_spot_check_discrepancy", emissionreport_id=in_spot_check.pk)


def test_a_checker_of_another_spot_check_body_cannot_decide(in_spot_check, shanghai):
    from mrv.models import VerificationBody

    rival = f.BodyFactory(kind=VerificationBody.Kind.SPOT_CHECK, markets=[shanghai])
    stranger = person(User.Role.SPOT_CHECKER, body=rival)
    with pytest.raises(PermissionDenied):
        sc.spot_check_confirm(report=in_spot_check, acting_user=stranger)


def test_the_regulator_can_hand_an_item_to_another_spot_check_body(in_spot_check, shanghai, regulator, spot_checker):
    from mrv.models import VerificationBody

    rival = f.BodyFactory(kind=VerificationBody.Kind.SPOT_CHECK, markets=[shanghai])
    item = SpotCheckItem.objects.get(report=in_spot_check)
    sc.spot_check_assign_body(item=item, body=rival, acting_user=regulator)
    with pytest.raises(PermissionDenied):
        sc.spot_check_confirm(report=in_spot_check, acting_user=spot_checker)
    third_party = f.BodyFactory(markets=[shanghai])
    with pytest.raises(TransitionRefused):
        sc.spot_check_assign_body(item=item, body=third_party, acting_user=regulator)


def test_the_regulator_hands_a_sampled_report_to_another_body_on_the_draw_page(
    client, in_spot_check, shanghai, regulator, spot_checker
):
    from mrv.models import AuditLog, VerificationBody

    rival = f.BodyFactory(name="另一抽查机构", kind=VerificationBody.Kind.SPOT_CHECK, markets=[shanghai])
    item = SpotCheckItem.objects.get(report=in_spot_check)
    client.force_login(regulator)
    assert "另一抽查机构" in client.get("/spot-checks/draw/").content.decode()
    response = client.post(f"/spot-checks/items/{item.pk}/body/", {"body": rival.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.body == rival
    assert AuditLog.objects.filter(action="mrv.spotcheckitem.body_assigned", actor=regulator).exists()
    client.force_login(spot_checker)
    assert client.post(f"/spot-checks/items/{item.pk}/body/", {"body": rival.pk}).status_code == 403


def test_spot_checkers_see_only_the_reports_and_firms_sampled_to_their_body(in_spot_check, spot_checker, twelve):
    sampled = set(SpotCheckItem.objects.values_list("report_id", flat=True))
    assert len(sampled) == 2 and in_spot_check.pk in sampled
    assert set(access.visible_to(spot_checker, EmissionReport).values_list("pk", flat=True)) == sampled
    assert set(access.visible_to(spot_checker, Firm).values_list("reports__pk", flat=True)) == sampled
    assert access.can_view(spot_checker, in_spot_check) and access.can_view(spot_checker, in_spot_check.firm)
    other = next(r for r in twelve if r.pk not in sampled)
    assert not access.can_view(spot_checker, other) and not access.can_view(spot_checker, other.firm)


def test_after_discrepancies_the_verifier_can_send_the_report_on_to_the_firm(
    in_spot_check, spot_checker, verifier, body
):
    from mrv.models import Finding, VerificationEngagement
    from mrv.services import verification as svc

    VerificationEngagement.objects.filter(firm=in_spot_check.firm, year=2025).update(lead_verifier=verifier)
    sc.spot_check_record_discrepancy(report=in_spot_check, discrepancies="外购电量少报", acting_user=spot_checker)
    in_spot_check.refresh_from_db()
    svc.finding_raise(
        report=in_spot_check,
        kind=Finding.Kind.MISSTATEMENT,
        description="外购电量少报 1,200 MWh",
        amount_tco2e=Decimal("500"),
        acting_user=verifier,
    )
    svc.report_return_to_firm(report=in_spot_check, acting_user=verifier, reason="抽查发现差异")
    in_spot_check.refresh_from_db()
    assert in_spot_check.status == R.RETURNED_TO_FIRM
