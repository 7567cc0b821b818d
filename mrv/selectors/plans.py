"""Reads of monitoring plans: the plan in force, the versions of a firm, the streams and sources a page edits."""

import datetime

from django.db.models import Prefetch, QuerySet

from mrv.models import EmissionSource, Firm, MonitoringPlan, PlanAttachment, PlanSourceStream


def plan_in_force(firm: Firm, on_date: datetime.date) -> MonitoringPlan | None:
    """The approved version in force on a date, with its streams, sources and parameters loaded."""
    streams = PlanSourceStream.objects.select_related("source").prefetch_related("parameters")
    queryset = MonitoringPlan.objects.select_related("firm__market").prefetch_related(Prefetch("streams", streams))
    return queryset.in_force(firm, on_date)


def plans_with_firm() -> QuerySet[MonitoringPlan]:
    """Plans with their firm loaded; callers scope them with `mrv.access`."""
    return MonitoringPlan.objects.select_related("firm")


def plans_for_page() -> QuerySet[MonitoringPlan]:
    """Plans with what the plan page shows loaded (firm and market, the third-party check's body)."""
    return MonitoringPlan.objects.select_related("firm__market", "check_body")


def plan_versions_with_streams() -> QuerySet[MonitoringPlan]:
    """Plan versions as the API shows them (firm and market, the checking body, streams with source and
    parameters), each firm's newest version first; callers scope them with `mrv.access`."""
    return plans_for_page().prefetch_related("streams__source", "streams__parameters").order_by("firm_id", "-version")


def firm_sources(firm: Firm | None) -> QuerySet[EmissionSource]:
    """The emission sources of a firm (a plan's streams are drawn from them)."""
    return EmissionSource.objects.filter(firm=firm)


def plan_streams(plan: MonitoringPlan | None) -> QuerySet[PlanSourceStream]:
    return PlanSourceStream.objects.filter(plan=plan)


def plan_streams_with_parameters(plan: MonitoringPlan) -> QuerySet[PlanSourceStream]:
    """A plan's streams with their source and parameters (the plan page lists them)."""
    return PlanSourceStream.objects.filter(plan=plan).select_related("source").prefetch_related("parameters")


def plan_attachments_with_uploader(plan: MonitoringPlan) -> QuerySet[PlanAttachment]:
    return PlanAttachment.objects.filter(plan=plan).select_related("uploaded_by")


def plan_attachments(plan: MonitoringPlan) -> QuerySet[PlanAttachment]:
    return PlanAttachment.objects.filter(plan=plan)
