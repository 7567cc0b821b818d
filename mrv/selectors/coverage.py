"""Reads of the coverage lists: the entries of a list a user may see."""

from django.db.models import QuerySet

from mrv import access
from mrv.models import CoverageEntry, CoverageList


def coverage_entries(user, coverage: CoverageList) -> list[CoverageEntry]:
    """The entries of a coverage list that `user` may see, with sector and firm (one query)."""
    rows = CoverageEntry.objects.filter(coverage_list=coverage).select_related("sector", "firm")
    return list(access.visible_to(user, rows))


def coverage_entries_with_market() -> QuerySet[CoverageEntry]:
    """Coverage entries with their list's market loaded; callers scope them with `mrv.access`."""
    return CoverageEntry.objects.select_related("coverage_list__market")
