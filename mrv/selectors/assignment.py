"""Who may verify a firm's year: each body's refusals under the firm's market rules (registration or
qualification, consecutive years, conflicts of interest), for one body or a whole list in a fixed number of
queries. The assignment services refuse with them; the assignment pages and the API list them per body."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from mrv.models import (
    ConflictOfInterest,
    Firm,
    RulePack,
    VerificationBody,
    VerificationEngagement,
    VerifierQualification,
)

REFUSED_NOT_THIRD_PARTY = _("%(body)s is a spot-check body, not a third-party verification body.")
REFUSED_NOT_REGISTERED = _("%(body)s is not registered with %(market)s for %(year)s.")
REFUSED_NOT_QUALIFIED = _("%(body)s holds no qualification for the sector “%(sector)s”, which %(market)s requires.")
REFUSED_CONSECUTIVE = _(
    "%(body)s has verified this firm for %(n)s consecutive years (%(first)s–%(last)s); %(market)s allows at most %(max)s."
)
REFUSED_CONFLICT = _("A conflict of interest is recorded between %(body)s and the firm: %(description)s")


def _consecutive_years(done: set[int], year: int) -> list[int]:
    """The unbroken run of years just before `year` in which the body verified the firm."""
    years = []
    while year - len(years) - 1 in done:
        years.append(year - len(years) - 1)
    return sorted(years)


def assignment_refusals_by_body(bodies, firm: Firm, year: int) -> dict[int, list[str]]:
    """Why each body may not verify `firm` for `year` (empty: it may), by body id: five queries however many."""
    bodies = list(bodies)
    ids = [b.pk for b in bodies]
    market = firm.market
    pack = market.rule_pack_for(year)
    registered: dict[int, list] = defaultdict(list)
    if pack.verifier_eligibility == RulePack.VerifierEligibility.REGISTRATION:
        for registration in market.verifier_registrations.filter(body_id__in=ids):
            registered[registration.body_id].append(registration)
        qualified = set()
    else:
        qualified = set(
            VerifierQualification.objects.filter(body_id__in=ids, sector_id=firm.sector_id).values_list(
                "body_id", flat=True
            )
        )
    done: dict[int, set[int]] = defaultdict(set)
    for body_id, done_year in VerificationEngagement.objects.filter(
        firm=firm,
        body_id__in=ids,
        year__lt=year,
        status__in=[VerificationEngagement.Status.ACCEPTED, VerificationEngagement.Status.COMPLETED],
    ).values_list("body_id", "year"):
        done[body_id].add(done_year)
    conflicts: dict[int, list[str]] = defaultdict(list)
    for body_id, description in ConflictOfInterest.objects.filter(body_id__in=ids, firm=firm).values_list(
        "body_id", "description"
    ):
        conflicts[body_id].append(description)
    return {b.pk: _refusals(b, firm, year, pack, registered, qualified, done, conflicts) for b in bodies}


def _refusals(body, firm, year, pack, registered, qualified, done, conflicts) -> list[str]:
    names = {"body": body.name, "market": str(firm.market), "year": year}
    refusals = []
    if body.kind != VerificationBody.Kind.THIRD_PARTY:
        refusals.append(REFUSED_NOT_THIRD_PARTY % names)
    if pack.verifier_eligibility == RulePack.VerifierEligibility.REGISTRATION:
        if not any(r.covers(year) for r in registered[body.pk]):
            refusals.append(REFUSED_NOT_REGISTERED % names)
    elif body.pk not in qualified:
        refusals.append(REFUSED_NOT_QUALIFIED % {**names, "sector": str(firm.sector)})
    years = _consecutive_years(done[body.pk], year)
    if len(years) >= pack.max_consecutive_verification_years:
        refusals.append(
            REFUSED_CONSECUTIVE
            % {
                **names,
                "n": len(years),
                "first": years[0],
                "last": years[-1],
                "max": pack.max_consecutive_verification_years,
            }
        )
    refusals += [REFUSED_CONFLICT % {**names, "description": d} for d in conflicts[body.pk]]
    return [str(r) for r in refusals]


def assignment_refusals(body: VerificationBody, firm: Firm, year: int) -> list[str]:
    """Why `body` may not verify `firm` for `year` under the firm's market rules; empty if it may."""
    return assignment_refusals_by_body([body], firm, year)[body.pk]
