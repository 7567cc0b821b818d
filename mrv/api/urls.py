from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from mrv.api import views

router = DefaultRouter()
router.register("markets", views.MarketViewSet, basename="market")
router.register("firms", views.FirmViewSet, basename="firm")
router.register("reports", views.ReportViewSet, basename="report")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
]
