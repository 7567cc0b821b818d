"""Reads of the MRV cycle that pages, the API and the services share (services write, selectors read).

Each function runs a fixed number of queries. Rules that are reads too (materiality, the reported
figure) are stated once in the workflow predicates and offered here under the names pages use.
"""

import datetime

from django.db.models import Prefetch

from mrv.models import (
    Determination,
    EmissionReport,
    Finding,
    Firm,
    MonitoringPlan,
    PlanSourceStream,
    QuarterlyReview,
    SpotCheckItem,
    VerificationOpinion,
)
from mrv.workflow.verification import Materiality, materiality, reported_emissions

__all__ = [
    "Materiality",
    "materiality",
    "plan_in_force",
    "reported_emissions",
    "review_page_reads",
    "verification_page_reads",
]


def plan_in_force(firm: Firm, on_date: datetime.date) -> MonitoringPlan | None:
    """The approved version in force on a date, with its streams, sources and parameters loaded."""
    streams = PlanSourceStream.objects.select_related("source").prefetch_related("parameters")
    queryset = MonitoringPlan.objects.select_related("firm__market").prefetch_related(Prefetch("streams", streams))
    return queryset.in_force(firm, on_date)


def verification_page_reads(report: EmissionReport) -> dict:
    """What the verification page of a report lists: findings with answers, opinions, spot-check items."""
    findings = (
        Finding.objects.filter(report=report).select_related("raised_by").prefetch_related("answers__answered_by")
    )
    return {
        "findings": list(findings),
        "opinions": VerificationOpinion.objects.filter(report=report).select_related("signed_by"),
        "spot_items": SpotCheckItem.objects.filter(report=report).select_related("body", "checked_by", "sample"),
    }


def review_page_reads(report: EmissionReport) -> dict:
    """What the regulator's review page of a report lists: determinations (every version, each with its
    evidence) and quarterly co-reviews, in a fixed number of queries."""
    from django.contrib.contenttypes.models import ContentType

    from mrv.models import StoredFile

    determinations = list(Determination.objects.filter(report=report).select_related("proposed_by", "decided_by"))
    files = StoredFile.objects.filter(
        owner_type=ContentType.objects.get_for_model(Determination),
        owner_id__in=[str(d.pk) for d in determinations],
    ).order_by("uploaded_at", "id")
    by_owner: dict[str, list] = {}
    for f in files:
        by_owner.setdefault(f.owner_id, []).append(f)
    for d in determinations:
        d.evidence = by_owner.get(str(d.pk), [])
    return {
        "determinations": determinations,
        "co_reviews": QuarterlyReview.objects.filter(report=report).select_related("reviewed_by"),
    }


# --- Documents of record ---------------------------------------------------------------------------------


def seals_with_checks(seals) -> list:
    """Each seal with its check (`seal.check`), the live records read in one query per kind."""
    from mrv.records.seals import KINDS, seal_check

    seals = list(seals)
    wanted: dict[str, set[int]] = {}
    for seal in seals:
        wanted.setdefault(seal.kind, set()).add(seal.object_id)
    records = {kind: KINDS[kind].model._default_manager.in_bulk(ids) for kind, ids in wanted.items() if kind in KINDS}
    for seal in seals:
        seal.check = seal_check(seal, records.get(seal.kind, {}).get(seal.object_id))
    return seals


def report_seals(user, report) -> list:
    """The sealed copies of record about a report that `user` may see, newest first, checked."""
    from mrv import access
    from mrv.models import Seal

    seals = access.visible_to(user, Seal).filter(report=report).select_related("signed_by", "document")
    return seals_with_checks(seals.order_by("-signed_at", "-id"))
