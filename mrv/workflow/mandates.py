"""Who grants and ends a data-entry mandate (`DataEntryMandate`), and whose data a person is entrusted with."""

from django.apps import apps


def mandated_firm_ids(user) -> frozenset[int]:
    """The firms whose data `user` is entrusted with now (open mandates): one query, kept on the user object for
    its request (a mandate granted or ended meanwhile counts from the next request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_firm_user:
        return frozenset()
    cached = getattr(user, "_mandated_firm_ids", None)
    if cached is None:
        mandates = apps.get_model("mrv", "DataEntryMandate").objects
        cached = frozenset(mandates.filter(grantee_id=user.pk, ended_at__isnull=True).values_list("firm_id", flat=True))
        user._mandated_firm_ids = cached
    return cached


def is_mandate_granter(firm_id: int, user) -> bool:
    """The firm's approver entrusts its data to a person of another firm, and ends the mandate."""
    return getattr(user, "role", "") == "firm_approver" and user.firm_id == firm_id


def mandate_actions(mandate, user) -> frozenset[str]:
    """What `user` may do with the mandate now: end it (the firm's approver, or the entrusted person giving it
    back) while it is open."""
    if mandate.ended_at is None and (is_mandate_granter(mandate.firm_id, user) or mandate.grantee_id == user.pk):
        return frozenset({"end"})
    return frozenset()
