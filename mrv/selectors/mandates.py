"""Data-entry mandates: whose data a person is entrusted with, and a firm's mandates (`DataEntryMandate`)."""

from django.db.models import QuerySet

from mrv.models import DataEntryMandate, Firm, User


def open_mandates() -> QuerySet[DataEntryMandate]:
    return DataEntryMandate.objects.filter(ended_at__isnull=True)


def mandated_firm_ids(user: User) -> frozenset[int]:
    """The firms whose data `user` is entrusted with now: one query, kept on the user object for its request
    (a mandate granted or ended meanwhile counts from the next request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_firm_user:
        return frozenset()
    cached = getattr(user, "_mandated_firm_ids", None)
    if cached is None:
        cached = frozenset(open_mandates().filter(grantee_id=user.pk).values_list("firm_id", flat=True))
        user._mandated_firm_ids = cached
    return cached


def mandates_of_firm(firm: Firm) -> QuerySet[DataEntryMandate]:
    """The firm's mandates, open ones first, with the people named (one query)."""
    return (
        DataEntryMandate.objects.filter(firm=firm)
        .select_related("grantee__firm", "granted_by", "ended_by")
        .order_by("ended_at", "-granted_at")
    )


def mandates_given_to(user: User) -> QuerySet[DataEntryMandate]:
    """The open mandates `user` holds, with each entrusting firm and its market (one query)."""
    return open_mandates().filter(grantee=user).select_related("firm__market", "granted_by").order_by("firm__name")
