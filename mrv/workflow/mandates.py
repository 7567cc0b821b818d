"""Who grants and ends a data-entry mandate (`DataEntryMandate`)."""


def is_mandate_granter(firm_id: int, user) -> bool:
    """The firm's approver entrusts its data to a person of another firm, and ends the mandate."""
    return getattr(user, "role", "") == "firm_approver" and user.firm_id == firm_id


def mandate_actions(mandate, user) -> frozenset[str]:
    """What `user` may do with the mandate now: end it (the firm's approver, or the entrusted person giving it
    back) while it is open."""
    if mandate.ended_at is None and (is_mandate_granter(mandate.firm_id, user) or mandate.grantee_id == user.pk):
        return frozenset({"end"})
    return frozenset()
