"""REST API for firms' own IT systems: the same access rules and services as the browser."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from mrv import access, inputs
from mrv.api import serializers as s
from mrv.api.throttling import PublicApiThrottle
from mrv.models import YearNotSupported
from mrv.selectors.markets import firms_with_market_and_sector, markets, rule_pack_with_rules


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and retrieves only what `mrv.access` lets the caller see (others get 404)."""

    def get_queryset(self):
        return access.visible_to(self.request.user, self.base_queryset())


class MarketViewSet(viewsets.ReadOnlyModelViewSet):
    """The markets and the rule pack in force for a compliance year (public reference data)."""

    serializer_class = s.MarketSerializer
    permission_classes = [AllowAny]  # public reference data: anonymous, rate-limited like the public pages
    throttle_classes = [PublicApiThrottle]
    lookup_field = "code"

    def get_queryset(self):
        return markets()

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True, description="compliance year")],
        responses=s.RulePackSerializer,
    )
    @action(detail=True, methods=["get"], url_path="rules")
    def rules(self, request, code=None):
        market = get_object_or_404(markets(), code=code)
        try:
            year = inputs.parse_year(request.query_params.get("year", ""))
        except ValidationError as error:
            raise serializers.ValidationError({"year": error.messages}) from None
        try:
            pack = market.rule_pack_for(year)
        except YearNotSupported as refused:
            raise NotFound(refused.message) from None
        pack = rule_pack_with_rules(pack)
        return Response(s.RulePackSerializer(pack).data)


class FirmViewSet(ScopedViewSet):
    serializer_class = s.FirmSerializer

    def base_queryset(self):
        return firms_with_market_and_sector().order_by("pk")
