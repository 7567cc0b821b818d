"""Reads of the coverage lists: the entries of a list a user may see."""

from django.db.models import QuerySet

from mrv import access
from mrv.models import CoverageEntry, CoverageList


def _entries_with_sector_and_firm(coverage: CoverageList) -> QuerySet[CoverageEntry]:
    return CoverageEntry.objects.filter(coverage_list=coverage).select_related("sector", "firm")


def coverage_entries(user, coverage: CoverageList) -> list[CoverageEntry]:
    """The entries of a coverage list that `user` may see, with sector and firm (one query)."""
    return list(access.visible_to(user, _entries_with_sector_and_firm(coverage)))


def coverage_entries_in_added_order(*, user, coverage: CoverageList) -> list[CoverageEntry]:
    """As `coverage_entries`, in the order the entries were added (by id: the API's order)."""
    return list(access.visible_to(user, _entries_with_sector_and_firm(coverage).order_by("pk")))


def coverage_entries_with_market() -> QuerySet[CoverageEntry]:
    """Coverage entries with their list's market loaded; callers scope them with `mrv.access`."""
    return CoverageEntry.objects.select_related("coverage_list__market")
