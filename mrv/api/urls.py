from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from mrv.api import mandates, plans, reports, views

router = DefaultRouter()
router.register("markets", views.MarketViewSet, basename="market")
router.register("firms", views.FirmViewSet, basename="firm")
router.register("reports", reports.ReportViewSet, basename="report")
router.register("plans", plans.PlanViewSet, basename="plan")
router.register("mandates", mandates.MandateViewSet, basename="mandate")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Redoc (bundled, served from our static files) styles itself with inline <style> and renders in a blob
    # worker; its page alone allows those. Scripts stay ours only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-docs",
    ),
]
