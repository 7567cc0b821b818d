"""Reads of monitoring plans: the plan in force, the versions of a firm, the streams and sources a page edits."""

import datetime

from django.db.models import Prefetch

from mrv.models import Firm, MonitoringPlan, PlanSourceStream


def plan_in_force(firm: Firm, on_date: datetime.date) -> MonitoringPlan | None:
    """The approved version in force on a date, with its streams, sources and parameters loaded."""
    streams = PlanSourceStream.objects.select_related("source").prefetch_related("parameters")
    queryset = MonitoringPlan.objects.select_related("firm__market").prefetch_related(Prefetch("streams", streams))
    return queryset.in_force(firm, on_date)
