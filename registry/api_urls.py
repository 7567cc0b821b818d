"""The registry's API under /api/v1/registry/ (see registry/api.py)."""

from rest_framework.routers import SimpleRouter

from registry import api

router = SimpleRouter()
router.register("accounts", api.AccountViewSet, basename="registry-account")
router.register("transactions", api.TransactionViewSet, basename="registry-transaction")
router.register("transfers", api.TransferViewSet, basename="registry-transfer")
router.register("compliance", api.ComplianceViewSet, basename="registry-compliance")
router.register("penalties", api.PenaltyViewSet, basename="registry-penalty")

urlpatterns = router.urls
