"""URLs of the verifier's, spot checker's and regulator's endpoints (mounted at /api/v1/ next to mrv.api.urls).

Action-only viewsets share a resource's prefix (`reports/{id}/sign-off/`) without list or detail routes of their
own, so the firm's endpoints on the same resources stay where they are."""

from rest_framework.routers import SimpleRouter

from mrv.api import regulator, verifier

router = SimpleRouter()
router.register("engagements", verifier.EngagementViewSet, basename="engagement")
router.register("findings", verifier.FindingViewSet, basename="finding")
router.register("reports", verifier.VerificationReportViewSet, basename="verification-report")
router.register("reports", regulator.ReviewReportViewSet, basename="review-report")
router.register("spot-check-items", verifier.SpotCheckItemViewSet, basename="spot-check-item")
router.register("spot-check-samples", regulator.SpotCheckSampleViewSet, basename="spot-check-sample")
router.register("queues", regulator.QueueViewSet, basename="queue")
router.register("firms", regulator.EstimateFirmViewSet, basename="estimate-firm")
router.register("plans", regulator.PlanReviewViewSet, basename="plan-review")
router.register("coverage", regulator.CoverageViewSet, basename="coverage")
router.register("coverage-entries", regulator.CoverageEntryViewSet, basename="coverage-entry")

urlpatterns = router.urls
