"""Who may act on a request for information or an extension request (transition permissions)."""

from django.apps import apps


def _role(user) -> str:
    return getattr(user, "role", "") or ""


REGULATOR_ROLES = ("regulator_officer", "regulator_head")
VERIFIER_ROLES = ("verifier", "lead_verifier")


def regulates_firm_market(obj, user) -> bool:
    """A case officer or head of the market of the object's firm."""
    return _role(user) in REGULATOR_ROLES and user.market_id == obj.market_id


def is_request_firm_user(obj, user) -> bool:
    """A reporter or approver of the firm the request is addressed to."""
    return bool(getattr(user, "is_firm_user", False) and user.firm_id == obj.firm_id)


def is_engaged_verifier_of(firm_id: int, year: int, user) -> bool:
    """A verifier of the body whose engagement for the firm-year is accepted."""
    if _role(user) not in VERIFIER_ROLES or not user.body_id:
        return False
    engagement = apps.get_model("mrv", "VerificationEngagement")
    return engagement.objects.filter(firm_id=firm_id, year=year, body_id=user.body_id, status="accepted").exists()


def is_requester_side(obj, user) -> bool:
    """Who may withdraw a request: the regulator of the market, or (for a verifier's request) its body's verifiers."""
    if regulates_firm_market(obj, user):
        return True
    return is_engaged_verifier_of(obj.firm_id, obj.year, user) and _role(obj.requested_by) in VERIFIER_ROLES
