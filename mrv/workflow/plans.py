"""Who may move a monitoring plan, and when: predicates used as transition permissions and conditions.

Permissions take (plan, user); conditions take (plan). They read only the plan, its firm and the
user's organisation, so they cost at most one query (the body's registration).
"""


def is_firm_user(plan, user) -> bool:
    """A reporter or approver of the plan's firm (they draft and correct)."""
    return bool(user.is_firm_user and user.firm_id == plan.firm_id)


def is_firm_approver(plan, user) -> bool:
    return user.role == "firm_approver" and user.firm_id == plan.firm_id


def is_plan_editor(plan, user) -> bool:
    """A firm user while the version is editable (draft or returned): edits its streams, parameters, files."""
    return is_firm_user(plan, user) and plan.is_editable


def is_plan_regulator(plan, user) -> bool:
    """An officer or head of the competent authority of the firm's market."""
    return bool(user.is_regulator and user.market_id == plan.firm.market_id)


def needs_third_party_check(plan) -> bool:
    return plan.rule_pack().plan_requires_third_party_check


def no_third_party_check_needed(plan) -> bool:
    return not needs_third_party_check(plan)


def body_registered_for(plan) -> bool:
    """The chosen checking body is registered (备案) with the firm's market for the plan's year."""
    if plan.check_body_id is None:
        return False
    registrations = plan.check_body.registrations.filter(market_id=plan.firm.market_id)
    return any(r.covers(plan.valid_from.year) for r in registrations)


def is_checking_verifier(plan, user) -> bool:
    """A verifier of the body the firm chose to check its plan, registered with the market."""
    return bool(
        user.is_verifier and plan.check_body_id and user.body_id == plan.check_body_id and body_registered_for(plan)
    )


def may_return_plan(plan, user) -> bool:
    """The regulator at any review step; the checking verifier too while the third-party check is pending."""
    if is_plan_regulator(plan, user):
        return True
    return plan.status == "submitted" and needs_third_party_check(plan) and is_checking_verifier(plan, user)
