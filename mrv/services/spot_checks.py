"""Fourth-party spot checks: a reproducible, risk-weighted draw of verified reports, and the results.

The draw is integer arithmetic on recorded data: the population with its risk weights is stored
on the sample together with the seed, so `spot_check_replay(sample)` re-draws the same reports.
"""

import math
import random
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import (
    EmissionReport,
    Market,
    SpotCheckItem,
    SpotCheckSample,
    User,
    VerificationBody,
)
from mrv.selectors.risk import risk_weights
from mrv.services.verification import run_with_follow_ups
from mrv.transitions import NOT_PERMITTED, TransitionRefused, check_transition
from mrv.workflow import verification as rules

NO_SPOT_CHECKS = _("%(market)s has no fourth-party spot checks.")
ALREADY_DRAWN = _("The %(year)s spot-check sample of %(market)s was already drawn (seed %(seed)s).")
NO_SAMPLE_YET = _("Draw the %(year)s spot-check sample of %(market)s before adding reports to it.")
ALREADY_IN_SAMPLE = _("This report is already in the spot-check sample.")
NOT_A_SPOT_CHECK_BODY = _("%(body)s is not a spot-check body registered with %(market)s.")
DISCREPANCIES_REQUIRED = _("Describe the discrepancies found.")


def weighted_draw(population: list[list[int]], seed: int, size: int) -> list[int]:
    """Draw `size` ids without replacement, each with probability proportional to its integer weight."""
    rng = random.Random(seed)
    pool = [(int(pk), int(weight)) for pk, weight in population]
    chosen = []
    while pool and len(chosen) < size:
        ticket = rng.randrange(sum(weight for _pk, weight in pool))
        for index, (pk, weight) in enumerate(pool):
            if ticket < weight:
                chosen.append(pk)
                del pool[index]
                break
            ticket -= weight
    return chosen


def sample_size(rate_pct: Decimal, population: int) -> int:
    """ceil(rate × number of verified reports)."""
    return math.ceil(Decimal(rate_pct) * population / Decimal("100"))


def _spot_check_body(market: Market, year: int) -> VerificationBody | None:
    bodies = (
        VerificationBody.objects.filter(kind=VerificationBody.Kind.SPOT_CHECK, registrations__market=market)
        .order_by("name", "pk")
        .distinct()
    )
    return next(
        (
            b
            for b in bodies.prefetch_related("registrations")
            if any(r.market_id == market.pk and r.covers(year) for r in b.registrations.all())
        ),
        None,
    )


def _check_regulator(market: Market, acting_user: User | None) -> None:
    if acting_user is not None and not (acting_user.is_regulator and acting_user.market_id == market.pk):
        raise PermissionDenied(
            NOT_PERMITTED % {"action": _("draw a spot-check sample"), "object": SpotCheckSample._meta.verbose_name}
        )


def spot_check_draw(*, market: Market, year: int, acting_user: User | None = None, seed: int | None = None):
    """Draw the market-year's risk-weighted sample of verified reports (the system at the deadline, or a regulator)."""
    _check_regulator(market, acting_user)
    pack = market.rule_pack_for(year)
    if not pack.spot_check:
        raise TransitionRefused(NO_SPOT_CHECKS % {"market": market}, code="no_spot_checks")
    with transaction.atomic():
        drawn = SpotCheckSample.objects.select_for_update().filter(market=market, year=year).first()
        if drawn is not None:
            raise TransitionRefused(
                ALREADY_DRAWN % {"market": market, "year": year, "seed": drawn.seed}, code="already_drawn"
            )
        reports = list(
            EmissionReport.objects.filter(
                market=market, year=year, period=EmissionReport.Period.ANNUAL, status=EmissionReport.Status.VERIFIED
            ).order_by("pk")
        )
        weights = risk_weights(reports, market, year)
        population = [[r.pk, weights[r.pk][0]] for r in reports]
        seed = secrets.randbits(62) if seed is None else int(seed)
        sample = SpotCheckSample.objects.create(
            market=market,
            year=year,
            seed=seed,
            rate_pct=pack.spot_check_rate_pct,
            population=population,
            drawn_by=acting_user,
        )
        chosen = weighted_draw(population, seed, sample_size(pack.spot_check_rate_pct, len(reports)))
        log_action(
            sample,
            "mrv.spotchecksample.drawn",
            actor=acting_user,
            changes={"seed": (None, seed), "reports": (None, chosen), "population": (None, len(reports))},
        )
        by_pk = {r.pk: r for r in reports}
        body = _spot_check_body(market, year)
        for pk in chosen:
            _add_item(sample, by_pk[pk], weights[pk], body=body, acting_user=acting_user, by_hand=False)
    return sample


def _add_item(sample, report, weight_and_factors, *, body, acting_user, by_hand: bool, reason: str = ""):
    engagement = rules.engagement_of(report)
    item = SpotCheckItem.objects.create(
        sample=sample,
        report=report,
        risk_weight=weight_and_factors[0],
        risk_factors=weight_and_factors[1],
        added_by_hand=by_hand,
        body=body,
        verifier_body_id=engagement.body_id if engagement else None,
    )
    run_with_follow_ups(
        report,
        "select_for_spot_check",
        acting_user=acting_user,
        reason=reason,
        changes={"spot_check_item": (None, item.pk), "added_by_hand": (None, by_hand)},
    )
    return item


def spot_check_replay(sample: SpotCheckSample) -> list[int]:
    """The report ids the recorded seed and population draw again (the reports not added by hand)."""
    return weighted_draw(sample.population, sample.seed, sample_size(sample.rate_pct, len(sample.population)))


def spot_check_add_report(*, report: EmissionReport, acting_user: User, reason: str = "") -> SpotCheckItem:
    """The regulator adds a verified report to the market-year's sample by hand."""
    check_transition(report, "select_for_spot_check", acting_user, conditions=False)
    if not rules.market_has_spot_checks(report):
        raise TransitionRefused(NO_SPOT_CHECKS % {"market": report.market}, code="no_spot_checks")
    sample = SpotCheckSample.objects.filter(market_id=report.market_id, year=report.year).first()
    if sample is None:
        raise TransitionRefused(NO_SAMPLE_YET % {"market": report.market, "year": report.year}, code="no_sample")
    if sample.items.filter(report=report).exists():
        raise TransitionRefused(ALREADY_IN_SAMPLE, code="already_sampled")
    weight = risk_weights([report], report.market, report.year)[report.pk]
    with transaction.atomic():
        return _add_item(
            sample,
            report,
            weight,
            body=_spot_check_body(report.market, report.year),
            acting_user=acting_user,
            by_hand=True,
            reason=reason,
        )


def spot_check_assign_body(*, item: SpotCheckItem, body: VerificationBody, acting_user: User) -> SpotCheckItem:
    """The regulator gives a sampled report to another registered spot-check body."""
    market = item.sample.market
    _check_regulator(market, acting_user)
    registered = body.registrations.filter(market=market).exists()
    if body.kind != VerificationBody.Kind.SPOT_CHECK or not registered:
        raise TransitionRefused(NOT_A_SPOT_CHECK_BODY % {"body": body, "market": market}, code="body")
    with transaction.atomic():
        before = item.body
        item.body = body
        item.save(update_fields=["body"])
        log_action(item, "mrv.spotcheckitem.body_assigned", actor=acting_user, changes={"body": (before, body)})
    return item


def _pending_item(report: EmissionReport) -> SpotCheckItem | None:
    return SpotCheckItem.objects.filter(report=report, outcome=SpotCheckItem.Outcome.PENDING).first()


def _record(report, name, outcome, *, acting_user, text: str) -> SpotCheckItem:
    check_transition(report, name, acting_user, conditions=False)
    with transaction.atomic():
        item = _pending_item(report)
        run_with_follow_ups(
            report,
            name,
            acting_user=acting_user,
            reason=text,
            changes={"spot_check_item": (None, item.pk if item else None)},
        )
        SpotCheckItem.objects.filter(pk=item.pk).update(
            outcome=outcome, discrepancies=text, checked_by=acting_user, checked_at=timezone.now()
        )
        item.refresh_from_db()
    return item


def spot_check_confirm(*, report: EmissionReport, acting_user: User, comment: str = "") -> SpotCheckItem:
    """The spot-check body confirms the verification; the report goes to the regulator."""
    return _record(report, "confirm_spot_check", SpotCheckItem.Outcome.CONFIRMED, acting_user=acting_user, text=comment)


def spot_check_record_discrepancy(*, report: EmissionReport, discrepancies: str, acting_user: User) -> SpotCheckItem:
    """The spot-check body records discrepancies; the report goes back to the verifier."""
    check_transition(report, "record_spot_check_discrepancy", acting_user, conditions=False)
    if not (discrepancies or "").strip():
        raise TransitionRefused(DISCREPANCIES_REQUIRED, code="reason_required")
    return _record(
        report,
        "record_spot_check_discrepancy",
        SpotCheckItem.Outcome.DISCREPANCIES,
        acting_user=acting_user,
        text=discrepancies,
    )
