"""Rate limits per user and per source, counted in the cache (Redis in production): a decorator for
views and DRF throttles for the API, both answering 429 with `Retry-After`. Rates live in
`settings.RATE_LIMITS` as (per user, per source)."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from signin import events
from signin.models import SecurityEvent

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _parse(rate: str) -> tuple[int, int]:
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period]


def _hit(scope: str, who: str, rate: str) -> int:
    """Count one request in the current fixed window; the seconds to wait if over the limit, else 0."""
    limit, period = _parse(rate)
    now = time.time()
    window = int(now // period)
    key = f"{settings.RATE_LIMIT_PREFIX}:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return 0 if count <= limit else max(1, int((window + 1) * period - now) + 1)


def check(request: HttpRequest, scope: str) -> int:
    """Seconds to wait before `request` may try `scope` again (0: go ahead)."""
    per_user, per_source = settings.RATE_LIMITS[scope]
    ip, _agent = events.source_of(request)
    waits = [_hit(scope, f"ip:{ip}", per_source)]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        waits.append(_hit(scope, f"user:{user.pk}", per_user))
    elif scope == "signin" and request.POST.get("username"):
        waits.append(_hit(scope, f"name:{request.POST['username'][:150]}", per_user))
    return max(waits)


def too_many(request: HttpRequest, wait: int, scope: str) -> HttpResponse:
    events.record(SecurityEvent.Action.RATE_LIMITED, SecurityEvent.Outcome.DENIED, request=request, detail=scope)
    response = render(request, "signin/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(scope: str, methods: tuple[str, ...] = ("POST",)):
    """Limit the view's `methods` (POST by default) by `settings.RATE_LIMITS[scope]`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                wait = check(request, scope)
                if wait:
                    return too_many(request, wait, scope)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ApiThrottle(BaseThrottle):
    """`settings.RATE_LIMITS["api"]`, per token owner and per source."""

    wait_seconds = 0

    def allow_request(self, request, view) -> bool:
        self.wait_seconds = check(request, "api")
        if self.wait_seconds:
            events.record(
                SecurityEvent.Action.RATE_LIMITED, SecurityEvent.Outcome.DENIED, request=request, detail="api"
            )
        return not self.wait_seconds

    def wait(self):
        return self.wait_seconds
