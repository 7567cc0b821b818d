"""The read-only public JSON API: anonymous (no authentication at all), rate-limited, cached per market-year."""

from django.core.cache import cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from disclosure import cache_keys, selectors
from disclosure.models import HistoricalStatistic
from disclosure.throttling import PublicApiThrottle
from disclosure.views import CACHE_SECONDS, _market, _published


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicApiThrottle]

    def cached(self, key: str, build) -> Response:
        data = cache.get(key)
        if data is None:
            data = build()
            cache.set(key, data, CACHE_SECONDS)
        return Response(data)


class MarketsView(PublicView):
    """The markets and the years each has published."""

    @extend_schema(operation_id="public_markets", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        def build():
            years = selectors.published_years()
            return [
                {"code": m.code, "name_zh": m.name_zh, "name_en": m.name_en, "published_years": years.get(m.pk, [])}
                for m in selectors.markets_in_order()
            ]

        return self.cached(cache_keys.page("api-markets"), build)


class MarketYearView(PublicView):
    """The publication in force for a market-year (its frozen data) and the list of its corrections."""

    @extend_schema(operation_id="public_market_year", responses=OpenApiTypes.OBJECT)
    def get(self, request, code: str, year: int):
        def build():
            versions = _published(_market(code), year)
            current = versions[0]
            return {
                **current.snapshot,
                "version": current.version,
                "published_at": current.published_at.isoformat(),
                "corrections": [
                    {"version": v.version, "published_at": v.published_at.isoformat(), "note": v.note}
                    for v in versions
                    if v.is_correction
                ],
            }

        return self.cached(cache_keys.page("api-market-year", code, year), build)


def _history_row(stat: HistoricalStatistic) -> dict:
    computed = stat.computed_rate_pct
    return {
        "market": stat.market.code,
        "year": stat.year,
        "covered_firms": stat.obliged_firms,
        "compliant_firms": stat.compliant_firms,
        "compliant_firms_is_lower_bound": stat.compliant_is_lower_bound,
        "computed_rate_pct": None if computed is None else str(computed),
        "printed_rate_pct": stat.printed_rate or None,
        "printed_rate_differs": stat.printed_rate_differs,
        "deadline": stat.deadline_month or None,
        "completed": stat.actual_month or None,
        "source": stat.source,
    }


class HistoryView(PublicView):
    """The historical compliance statistics 2016–2020 of the seven pilots, with their source."""

    @extend_schema(operation_id="public_history", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response([_history_row(s) for s in selectors.history()])
