"""The only writers of publications: propose a market-year's snapshot, publish it (four eyes), reject it."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosure import cache_keys, selectors, workflow
from disclosure.models import Publication
from mrv.audit import log_action
from mrv.models import Market, RulePack, User
from mrv.transitions import TransitionRefused, run_transition

NOT_THE_MARKETS_REGULATOR = _("Only a regulator of this market may propose what it publishes.")
NO_RULES_FOR_YEAR = _("%(market)s has no rules for %(year)s; there is nothing to publish for that year.")
NO_COVERED_FIRMS = _("%(market)s has no covered firms for %(year)s; there is nothing to publish.")
PROPOSAL_OPEN = _("A proposal for %(market)s %(year)s is waiting for its decision; decide it first.")
CORRECTION_NEEDS_NOTE = _("This market-year is already published: say what the correction changes.")


def publication_propose(*, market: Market, year: int, note: str, acting_user: User) -> Publication:
    """Freeze today's figures of a market-year as a proposal; after a publication it is a correction."""
    if not workflow.may_propose(market.pk, acting_user):
        raise PermissionDenied(NOT_THE_MARKETS_REGULATOR)
    labels = {"market": market, "year": year}
    try:
        snapshot = selectors.market_year_snapshot(market, year)
    except RulePack.DoesNotExist:
        raise TransitionRefused(NO_RULES_FOR_YEAR % labels, code="no_rules") from None
    if not snapshot["firms"]:
        raise TransitionRefused(NO_COVERED_FIRMS % labels, code="no_firms")
    with transaction.atomic():
        Market.objects.select_for_update().get(pk=market.pk)  # one proposer at a time per market
        if selectors.open_proposal(market, year):
            raise TransitionRefused(PROPOSAL_OPEN % labels, code="proposal_open")
        published = Publication.objects.filter(market=market, year=year, status=Publication.Status.PUBLISHED)
        version = (published.aggregate(v=Max("version"))["v"] or 0) + 1
        if version > 1 and not note.strip():
            raise TransitionRefused(CORRECTION_NEEDS_NOTE, code="note_required")
        try:
            publication = Publication.objects.create(
                market=market, year=year, version=version, snapshot=snapshot, note=note.strip(), proposed_by=acting_user
            )
        except IntegrityError:
            raise TransitionRefused(PROPOSAL_OPEN % labels, code="proposal_open") from None
        log_action(
            publication,
            "disclosure.publication.proposed",
            actor=acting_user,
            to_state=Publication.Status.PROPOSED,
            changes={"version": (None, version), "firms": (None, len(snapshot["firms"]))},
            reason=note.strip(),
        )
    return publication


def publication_publish(*, publication: Publication, acting_user: User) -> Publication:
    """A regulator head other than the proposer makes the snapshot public; the public pages are refreshed."""
    run_transition(
        publication,
        "publish",
        acting_user=acting_user,
        action="disclosure.publication.published",
        reason=publication.note,
        by=acting_user,
        at=timezone.now(),
    )
    previous = Publication.objects.filter(
        market=publication.market, year=publication.year, version=publication.version - 1, status=publication.status
    ).first()
    firms = max(len(publication.snapshot["firms"]), len(previous.snapshot["firms"]) if previous else 0)
    pages = max(1, -(-firms // selectors.FIRMS_PER_PAGE))
    keys = cache_keys.for_market_year(publication.market.code, publication.year, pages=pages)
    transaction.on_commit(lambda: cache.delete_many(keys))
    return publication


def publication_reject(*, publication: Publication, reason: str, acting_user: User) -> Publication:
    run_transition(
        publication,
        "reject",
        acting_user=acting_user,
        action="disclosure.publication.rejected",
        reason=reason,
        reason_required=True,
    )
    return publication
