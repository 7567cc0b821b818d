"""Reads of the MRV cycle that pages, the API and the services share (services write, selectors read).

Each function runs a fixed number of queries. Rules that are reads too (materiality, the reported
figure) are stated once in the workflow predicates and offered here under the names pages use.
"""

import datetime

from django.db.models import Prefetch

from mrv.models import Firm, MonitoringPlan, PlanSourceStream
from mrv.workflow.verification import Materiality, materiality, reported_emissions

__all__ = ["Materiality", "materiality", "plan_in_force", "reported_emissions"]


def plan_in_force(firm: Firm, on_date: datetime.date) -> MonitoringPlan | None:
    """The approved version in force on a date, with its streams, sources and parameters loaded."""
    streams = PlanSourceStream.objects.select_related("source").prefetch_related("parameters")
    queryset = MonitoringPlan.objects.select_related("firm__market").prefetch_related(Prefetch("streams", streams))
    return queryset.in_force(firm, on_date)
