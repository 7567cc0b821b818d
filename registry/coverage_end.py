"""The end of a firm's coverage: a year the regulator excludes, or the last covered year of a firm that closed.

An officer of the firm's market proposes with a reason; a head other than the proposer approves (four eyes).
On approval the firm's positions follow in the same transaction: an excluded year owes nothing and leaves the
compliance rate's denominator; after the last covered year the firm is no longer covered (`mrv.coverage`).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import Firm
from mrv.transitions import run_transition
from registry import positions
from registry.ledger import LedgerError
from registry.models import CoverageChange
from registry.services.common import _require_regulator

REASON_REQUIRED = _("Say why the firm's coverage changes.")
YEAR_BEFORE_COVERAGE = _("%(year)s is before the first compliance year of %(market)s (%(first)s).")
ALREADY_CHANGED = _("This change of %(firm)s for %(year)s is already proposed or approved.")
UNKNOWN_KIND = _("Choose whether to exclude one year or to end the coverage.")


def coverage_change_propose(*, firm: Firm, kind: str, year: int, reason: str, acting_user) -> CoverageChange:
    """An officer of the firm's market proposes to exclude a year or to end the coverage after a year."""
    _require_regulator(acting_user, firm.market_id)
    if kind not in CoverageChange.Kind.values:
        raise LedgerError(UNKNOWN_KIND)
    if not (reason or "").strip():
        raise LedgerError(REASON_REQUIRED)
    first = firm.market.first_compliance_year
    if year < first:
        raise LedgerError(YEAR_BEFORE_COVERAGE % {"year": year, "market": firm.market, "first": first})
    open_or_done = CoverageChange.objects.filter(
        firm=firm, kind=kind, year=year, status__in=[CoverageChange.Status.PROPOSED, CoverageChange.Status.APPROVED]
    )
    if open_or_done.exists():
        raise LedgerError(ALREADY_CHANGED % {"firm": firm, "year": year})
    with transaction.atomic():
        change = CoverageChange.objects.create(
            firm=firm, kind=kind, year=year, reason=reason.strip(), proposed_by=acting_user
        )
        log_action(
            change,
            "registry.coveragechange.proposed",
            actor=acting_user,
            reason=change.reason,
            changes={"kind": (None, kind), "year": (None, year)},
        )
    return change


def coverage_change_approve(*, change: CoverageChange, acting_user) -> CoverageChange:
    """A head other than the proposer approves; the coverage and the firm's positions change at once."""
    with transaction.atomic():
        change = CoverageChange.objects.select_for_update(of=("self",)).select_related("firm").get(pk=change.pk)
        run_transition(change, "approve", acting_user=acting_user, by=acting_user)
        firm = change.firm
        if change.kind == CoverageChange.Kind.LAST_YEAR:
            before = firm.covered_until
            Firm.objects.filter(pk=firm.pk).update(covered_until=change.year)
            log_action(
                firm,
                "mrv.firm.coverage_ended",
                actor=acting_user,
                reason=change.reason,
                changes={"covered_until": (before, change.year)},
            )
        positions.refresh_firms([firm.pk])
    return change


def coverage_change_reject(*, change: CoverageChange, acting_user, reason: str = "") -> CoverageChange:
    run_transition(change, "reject", acting_user=acting_user, reason=reason, by=acting_user)
    return change
