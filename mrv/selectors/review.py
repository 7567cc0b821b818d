"""Reads of the regulator's review: determinations with their evidence, quarterly co-reviews."""

from django.contrib.contenttypes.models import ContentType

from mrv.models import Determination, EmissionReport, QuarterlyReview, StoredFile


def review_page_reads(report: EmissionReport) -> dict:
    """What the regulator's review page of a report lists: determinations (every version, each with its
    evidence) and quarterly co-reviews, in a fixed number of queries."""
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
