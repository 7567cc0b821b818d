"""Who may move a market-year's covered-firm list: an officer proposes, a different head approves."""


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def is_list_regulator(coverage_list, user) -> bool:
    """A regulator (officer or head) of the list's market."""
    return _role(user) in ("regulator_officer", "regulator_head") and user.market_id == coverage_list.market_id


def is_list_head(coverage_list, user) -> bool:
    return _role(user) == "regulator_head" and user.market_id == coverage_list.market_id


def may_approve_list(coverage_list, user) -> bool:
    """Four eyes: a head of the market who did not propose the list."""
    return is_list_head(coverage_list, user) and coverage_list.proposed_by_id != user.pk


def has_entries(coverage_list) -> bool:
    return coverage_list.entries.exists()
