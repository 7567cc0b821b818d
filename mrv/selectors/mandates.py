"""Data-entry mandates: whose data a person is entrusted with, and a firm's mandates (`DataEntryMandate`)."""

from django.db.models import QuerySet

from mrv.models import DataEntryMandate, Firm, User


def open_mandates() -> QuerySet[DataEntryMandate]:
    return DataEntryMandate.objects.filter(ended_at__isnull=True)


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
