"""Deadlines and notifications under /api/v1/ (see deadlines/api.py)."""

from rest_framework.routers import SimpleRouter

from deadlines import api

router = SimpleRouter()
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = [*api.urlpatterns, *router.urls]
