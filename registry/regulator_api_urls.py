"""URLs of the regulator's registry endpoints, mounted at /api/v1/registry/ by config/urls.py (before the firm's
registry endpoints: none of these patterns matches one of theirs)."""

from rest_framework.routers import SimpleRouter

from registry import regulator_api as api

router = SimpleRouter()
router.register("allocation-tables", api.AllocationTableViewSet, basename="allocation-table")
router.register("compliance", api.ComplianceViewSet, basename="compliance")
router.register("statistics", api.StatisticsViewSet, basename="statistics")
router.register("penalties", api.PenaltyViewSet, basename="penalty")
router.register("trades/import", api.TradeImportViewSet, basename="trade-import")
router.register("production/import", api.ProductionImportViewSet, basename="production-import")

urlpatterns = router.urls
