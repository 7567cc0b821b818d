"""Who sees the requests about deadlines and the monthly deposits.

The market's regulators and the firm's people see them all; the verifiers of the body engaged for the
firm-year see its requests for information and its monthly deposits. Extension requests stay between
the firm and its regulator.
"""

from django.db import models
from django.db.models import Q

from mrv.access.core import NOTHING, predicate, regulates, scope
from mrv.access.reports import FILE_OWNER_MODELS
from mrv.models import ExtensionRequest, InformationRequest, MonthlyDeposit, User, VerificationEngagement

ENGAGED = (VerificationEngagement.Status.ACCEPTED, VerificationEngagement.Status.COMPLETED)


def _engaged_firm_year(user: User) -> Q:
    engaged = VerificationEngagement.objects.filter(
        firm_id=models.OuterRef("firm_id"), year=models.OuterRef("year"), body_id=user.body_id, status__in=ENGAGED
    )
    return Q(models.Exists(engaged))


def _is_engaged(user: User, obj) -> bool:
    return VerificationEngagement.objects.filter(
        firm_id=obj.firm_id, year=obj.year, body_id=user.body_id, status__in=ENGAGED
    ).exists()


def _firm_and_regulator(user: User) -> Q | None:
    if user.role in User.AUTHORITY_ROLES and user.market_id:
        return Q(market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
    return None


def _sees_as_firm_or_regulator(user: User, obj) -> bool | None:
    if user.role in User.AUTHORITY_ROLES:
        return regulates(user, obj.market_id)
    if user.is_firm_user:
        return obj.firm_id == user.firm_id
    return None


@scope(InformationRequest)
@scope(MonthlyDeposit)
def _engaged_work(user: User) -> Q:
    found = _firm_and_regulator(user)
    if found is not None:
        return found
    return _engaged_firm_year(user) if user.is_verifier and user.body_id else NOTHING


@predicate(InformationRequest)
@predicate(MonthlyDeposit)
def _engaged_work_item(user: User, obj) -> bool:
    found = _sees_as_firm_or_regulator(user, obj)
    if found is not None:
        return found
    return bool(user.is_verifier and user.body_id and _is_engaged(user, obj))


@scope(ExtensionRequest)
def _extension_requests(user: User) -> Q:
    return _firm_and_regulator(user) or NOTHING


@predicate(ExtensionRequest)
def _extension_request(user: User, request: ExtensionRequest) -> bool:
    return bool(_sees_as_firm_or_regulator(user, request))


FILE_OWNER_MODELS.append(MonthlyDeposit)
