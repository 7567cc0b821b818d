"""Who sees monitoring plans, their source streams, parameters and attachments, and grid factors."""

from django.db import models
from django.db.models import Q

from mrv.access.core import EVERYTHING, NOTHING, can_view, predicate, regulates, scope, visible_to
from mrv.models import (
    GridFactor,
    MonitoringPlan,
    PlanAttachment,
    PlanParameter,
    PlanSourceStream,
    User,
    VerificationEngagement,
)

# A plan follows its firm: the market's regulators and the firm's people see every version. A
# verifier sees the submitted versions of firms their body has an active engagement with (the plan
# in force is what they verify against), and those whose third-party check their body was chosen
# for (Tianjin). Drafts stay with the firm. Report data, versions and acknowledgements follow the
# report's visibility.


_ACTIVE_ENGAGEMENT = (
    VerificationEngagement.Status.ASSIGNED,
    VerificationEngagement.Status.ACCEPTED,
    VerificationEngagement.Status.COMPLETED,
)


@scope(MonitoringPlan)
def _plans(user: User) -> Q:
    if user.is_regulator:
        return Q(firm__market_id=user.market_id)
    if user.is_firm_user:
        return Q(firm_id=user.firm_id)
    if user.is_verifier:
        engaged = VerificationEngagement.objects.filter(
            firm_id=models.OuterRef("firm_id"), body_id=user.body_id, status__in=_ACTIVE_ENGAGEMENT
        )
        shown = Q(models.Exists(engaged)) | Q(check_body_id=user.body_id)
        return shown & ~Q(status=MonitoringPlan.Status.DRAFT)
    return NOTHING


@predicate(MonitoringPlan)
def _plan(user: User, plan: MonitoringPlan) -> bool:
    if user.is_regulator:
        return regulates(user, plan.firm.market_id)
    if user.is_firm_user:
        return plan.firm_id == user.firm_id
    if user.is_verifier and plan.status != MonitoringPlan.Status.DRAFT:
        if plan.check_body_id is not None and plan.check_body_id == user.body_id:
            return True
        return VerificationEngagement.objects.filter(
            firm_id=plan.firm_id, body_id=user.body_id, status__in=_ACTIVE_ENGAGEMENT
        ).exists()
    return False


@scope(PlanSourceStream)
def _plan_streams(user: User) -> Q:
    return Q(plan__in=visible_to(user, MonitoringPlan).values("pk"))


@predicate(PlanSourceStream)
def _plan_stream(user: User, stream: PlanSourceStream) -> bool:
    return can_view(user, stream.plan)


@scope(PlanParameter)
def _plan_parameters(user: User) -> Q:
    return Q(stream__plan__in=visible_to(user, MonitoringPlan).values("pk"))


@predicate(PlanParameter)
def _plan_parameter(user: User, parameter: PlanParameter) -> bool:
    return can_view(user, parameter.stream.plan)


@scope(PlanAttachment)
def _plan_attachments(user: User) -> Q:
    return Q(plan__in=visible_to(user, MonitoringPlan).values("pk"))


@predicate(PlanAttachment)
def _plan_attachment(user: User, attachment: PlanAttachment) -> bool:
    return can_view(user, attachment.plan)


@scope(GridFactor)
def _grid_factors(user: User) -> Q:
    """Published reference values: everyone signed in sees them."""
    return EVERYTHING


@predicate(GridFactor)
def _grid_factor(user: User, factor: GridFactor) -> bool:
    return True
