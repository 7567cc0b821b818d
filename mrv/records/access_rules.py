"""Who sees a sealed copy of record (and its PDF): whoever sees the report it is about; for the registry's
notices (no report), the market's regulators and the firm's own users. Registered from MrvConfig.ready()."""

from django.db.models import Q

from mrv.access import can_view, predicate, regulates, scope, visible_to
from mrv.models import EmissionReport, Seal, User


@scope(Seal)
def _seals(user: User) -> Q:
    about_reports = Q(report__isnull=False, report_id__in=visible_to(user, EmissionReport).values("pk"))
    if user.is_regulator and user.market_id:
        return about_reports | Q(report__isnull=True, market_id=user.market_id)
    if user.is_firm_user:
        return about_reports | Q(report__isnull=True, firm_id=user.firm_id)
    return about_reports


@predicate(Seal)
def _seal(user: User, seal: Seal) -> bool:
    if seal.report_id is not None:
        return can_view(user, seal.report)
    if user.is_regulator:
        return regulates(user, seal.market_id)
    return user.is_firm_user and user.firm_id == seal.firm_id


def is_repudiator(user: User, seal: Seal) -> bool:
    """Who may say a submission recorded in the firm's name was not theirs: the firm's approver, for a
    submitted report version (the service refuses anyone else; the page offers the form to them only)."""
    return (
        seal.kind == Seal.Kind.REPORT_VERSION and user.role == User.Role.FIRM_APPROVER and user.firm_id == seal.firm_id
    )
