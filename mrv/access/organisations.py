"""Who sees firms, authorities, covered-firm lists, reference data, users and pending changes."""

from django.db import models
from django.db.models import Q

from mrv.access.core import EVERYTHING, NOTHING, can_view, predicate, regulates, scope, visible_to
from mrv.models import (
    Authority,
    ConflictOfInterest,
    CoverageEntry,
    CoverageList,
    DataEntryMandate,
    EmissionSource,
    Firm,
    FirmYearFigure,
    Market,
    PendingChange,
    RulePack,
    Sector,
    User,
    VerificationBody,
    VerificationEngagement,
)


@scope(Firm)
def _firms(user: User) -> Q:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(market_id=user.market_id)
    if user.is_firm_user:
        return Q(pk=user.firm_id)
    if user.is_verifier:
        engaged = VerificationEngagement.objects.filter(firm_id=models.OuterRef("pk"), body_id=user.body_id)
        return Q(models.Exists(engaged))
    return NOTHING


@predicate(Firm)
def _firm(user: User, firm: Firm) -> bool:
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, firm.market_id)
    if user.is_firm_user:
        return firm.pk == user.firm_id
    if user.is_verifier:
        return VerificationEngagement.objects.filter(firm=firm, body_id=user.body_id).exists()
    return False


@scope(DataEntryMandate)
def _mandates(user: User) -> Q:
    """The firm's own mandates, and those the person holds; the regulator sees its market's."""
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(firm__market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id) | Q(grantee_id=user.pk)
    return NOTHING


@predicate(DataEntryMandate)
def _mandate(user: User, mandate: DataEntryMandate) -> bool:
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, mandate.firm.market_id)
    if user.is_firm_user:
        return mandate.firm_id == user.firm_id or mandate.grantee_id == user.pk
    return False


@scope(Authority)
def _authorities(user: User) -> Q:
    return Q(pk=user.authority_id) if user.authority_id else NOTHING


@predicate(Authority)
def _authority(user: User, authority: Authority) -> bool:
    return authority.pk == user.authority_id


@scope(CoverageList)
def _coverage_lists(user: User) -> Q:
    return Q(market_id=user.market_id) if user.role in User.AUTHORITY_ROLES and user.market_id else NOTHING


@predicate(CoverageList)
def _coverage_list(user: User, coverage_list: CoverageList) -> bool:
    return regulates(user, coverage_list.market_id)


@scope(CoverageEntry)
def _coverage_entries(user: User) -> Q:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(coverage_list__market_id=user.market_id)
    return NOTHING


@predicate(CoverageEntry)
def _coverage_entry(user: User, entry: CoverageEntry) -> bool:
    return regulates(user, entry.coverage_list.market_id)


@scope(Market)
def _markets(user: User) -> Q:
    return Q(pk=user.market_id) if user.market_id else EVERYTHING


@predicate(Market)
def _market(user: User, market: Market) -> bool:
    return user.market_id is None or market.pk == user.market_id


@scope(RulePack)
def _rule_packs(user: User) -> Q:
    return Q(market_id=user.market_id) if user.market_id else EVERYTHING


@predicate(RulePack)
def _rule_pack(user: User, pack: RulePack) -> bool:
    return user.market_id is None or pack.market_id == user.market_id


@scope(Sector)
def _sectors(user: User) -> Q:
    return EVERYTHING


@predicate(Sector)
def _sector(user: User, sector: Sector) -> bool:
    return True


@scope(VerificationBody)
def _bodies(user: User) -> Q:
    """Bodies are a public register; their people and engagements are not."""
    return EVERYTHING


@predicate(VerificationBody)
def _body(user: User, body: VerificationBody) -> bool:
    return True


@scope(FirmYearFigure)
def _figures(user: User) -> Q:
    return Q(firm__in=visible_to(user, Firm).values("pk"))


@predicate(FirmYearFigure)
def _figure(user: User, figure: FirmYearFigure) -> bool:
    return can_view(user, figure.firm)


@scope(EmissionSource)
def _sources(user: User) -> Q:
    return Q(firm__in=visible_to(user, Firm).values("pk"))


@predicate(EmissionSource)
def _source(user: User, source: EmissionSource) -> bool:
    return can_view(user, source.firm)


@scope(ConflictOfInterest)
def _conflicts(user: User) -> Q:
    if user.is_regulator:
        return Q(firm__market_id=user.market_id)
    return NOTHING


@predicate(ConflictOfInterest)
def _conflict(user: User, conflict: ConflictOfInterest) -> bool:
    return user.is_regulator and regulates(user, conflict.firm.market_id)


@scope(User)
def _users(user: User) -> Q:
    """People of one's own organisation; regulators also see the people of their market's firms."""
    own = Q(pk=user.pk)
    if user.firm_id:
        own |= Q(firm_id=user.firm_id)
    if user.body_id:
        own |= Q(body_id=user.body_id)
    if user.authority_id:
        own |= Q(authority_id=user.authority_id)
    if user.is_regulator:
        own |= Q(firm__market_id=user.market_id)
    return own


@predicate(User)
def _user(user: User, other: User) -> bool:
    return (
        other.pk == user.pk
        or (user.firm_id is not None and other.firm_id == user.firm_id)
        or (user.body_id is not None and other.body_id == user.body_id)
        or (user.authority_id is not None and other.authority_id == user.authority_id)
        or (user.is_regulator and other.firm_id is not None and other.firm.market_id == user.market_id)
    )


@scope(PendingChange)
def _pending_changes(user: User) -> Q:
    return Q(market_id=user.market_id) if user.is_regulator else NOTHING


@predicate(PendingChange)
def _pending_change(user: User, change: PendingChange) -> bool:
    return user.is_regulator and regulates(user, change.market_id)
