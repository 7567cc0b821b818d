"""Two middlewares: the second factor gate, and the record of refusals on object URLs."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from signin import events, mfa
from signin.models import SecurityEvent

OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/accounts/logout/")


class SecondFactorMiddleware:
    """Someone whose role needs a second factor, or anyone on the admin site, goes no further than the
    verification (or enrolment) page until the session carries a verified second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and self._needed(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _needed(request: HttpRequest) -> bool:
        path = request.path
        if path.startswith(OPEN_PREFIXES) or path.startswith((reverse("signin:verify"), reverse("signin:enrol"))):
            return False
        return mfa.must_verify(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Verify your second factor in the browser first.")}, status=403)
        target = "signin:verify" if mfa.has_device(request.user) else "signin:enrol"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class DeniedObjectMiddleware:
    """Every 403, and every 404 on a URL naming an object, becomes a security event; the request's source
    is also made available to services that record events without a request (registry movements)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = events.remember_source(request)
        try:
            response = self.get_response(request)
        finally:
            events.forget_source(token)
        if response.status_code in (403, 404):
            self._record(request, response.status_code)
        return response

    @staticmethod
    def _record(request: HttpRequest, status: int) -> None:
        match = request.resolver_match
        object_kwargs = {k: v for k, v in (match.kwargs if match else {}).items() if k == "pk" or k.endswith("_pk")}
        if status == 404 and not object_kwargs:
            return
        action = SecurityEvent.Action.FORBIDDEN if status == 403 else SecurityEvent.Action.NOT_FOUND
        ref = f"{match.view_name} {object_kwargs}" if match else ""
        events.record(action, SecurityEvent.Outcome.DENIED, request=request, object_ref=ref, detail=request.path[:300])
