"""REST API for firms' own IT systems: the same access rules and services as the browser."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mrv import access
from mrv.api import serializers as s
from mrv.models import EmissionReport, Firm, Market


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and retrieves only what `mrv.access` lets the caller see (others get 404)."""

    def get_queryset(self):
        return access.visible_to(self.request.user, self.base_queryset())


class MarketViewSet(viewsets.ReadOnlyModelViewSet):
    """The markets and the rule pack in force for a compliance year (public reference data)."""

    serializer_class = s.MarketSerializer
    queryset = Market.objects.all()
    lookup_field = "code"

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True, description="compliance year")],
        responses=s.RulePackSerializer,
    )
    @action(detail=True, methods=["get"], url_path="rules")
    def rules(self, request, code=None):
        market = get_object_or_404(Market, code=code)
        try:
            year = int(request.query_params.get("year", ""))
            pack = market.rule_pack_for(year)
        except ValueError:
            return Response({"year": ["A compliance year such as 2025 is required."]}, status=400)
        except market.rule_packs.model.DoesNotExist:
            return Response({"year": [f"{market.code} has no rules for {year}."]}, status=404)
        pack = type(pack).objects.prefetch_related("thresholds", "sectors__sector", "deadlines").get(pk=pack.pk)
        return Response(s.RulePackSerializer(pack).data)


class FirmViewSet(ScopedViewSet):
    serializer_class = s.FirmSerializer

    def base_queryset(self):
        return Firm.objects.select_related("market", "sector").order_by("pk")


class ReportViewSet(ScopedViewSet):
    serializer_class = s.ReportSerializer

    def base_queryset(self):
        qs = EmissionReport.objects.select_related("market").order_by("-year", "pk")
        params = self.request.query_params
        for name in ("year", "period", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return qs
