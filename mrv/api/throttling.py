"""Rate limits for anonymous clients of the public API and pages (DRF's throttles over the shared cache)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class _AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.DISCLOSURE_ANON_RATES[self.scope]


class PublicPageThrottle(_AnonThrottle):
    scope = "public_pages"


class PublicApiThrottle(_AnonThrottle):
    scope = "public_api"
