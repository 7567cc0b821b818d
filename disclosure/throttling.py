"""Rate limits for anonymous clients of the public pages and the public API (DRF's throttles, shared cache)."""

import math
from functools import wraps

from django.http import HttpResponse
from django.utils.translation import gettext as _

from mrv.api.throttling import PublicApiThrottle, PublicPageThrottle

__all__ = ["PublicApiThrottle", "PublicPageThrottle", "throttled"]


def throttled(view):
    """Answer 429 with Retry-After when an anonymous client asks too often (signed-in users are not limited)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle = PublicPageThrottle()
        if not throttle.allow_request(request, None):
            wait = throttle.wait() or 1
            response = HttpResponse(_("Too many requests; please try again later."), status=429)
            response["Retry-After"] = str(math.ceil(wait))
            return response
        return view(request, *args, **kwargs)

    return wrapper
