"""The second factor and step-up: who must have one, when a re-authentication is fresh enough, and the
decorator that makes the approving views ask for it."""

import functools
import time
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

FRESH_AT = "signin_fresh_at"
HAS_DEVICE = "signin_has_device"
RECOVERY_CODES = 10


def role_requires_mfa(user) -> bool:
    """The national administrator, regulators, lead verifiers and firm approvers (and superusers)."""
    return settings.MFA_REQUIRED and (user.role in settings.MFA_ROLES or user.is_superuser)


def has_device(user) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def mark_fresh(request: HttpRequest) -> None:
    request.session[FRESH_AT] = time.time()


def is_fresh(request: HttpRequest) -> bool:
    stamp = request.session.get(FRESH_AT)
    return stamp is not None and time.time() - stamp <= settings.STEP_UP_MINUTES * 60


def on_password_sign_in(request: HttpRequest, user) -> None:
    """A password is a fresh re-authentication only for someone who has no second factor."""
    request.session.pop(FRESH_AT, None)
    request.session[HAS_DEVICE] = has_device(user)
    if not request.session[HAS_DEVICE]:
        mark_fresh(request)


def must_verify(request: HttpRequest) -> bool:
    """Whoever has enrolled a second factor uses it; the roles (and the admin site) need one when required."""
    if request.session.get(HAS_DEVICE):
        return True
    return mfa_required_here(request)


def mfa_required_here(request: HttpRequest) -> bool:
    return settings.MFA_REQUIRED and (
        role_requires_mfa(request.user) or request.path.startswith(reverse("admin:index"))
    )


def second_factor_verify(request: HttpRequest, token: str):
    """The device (TOTP or a recovery code, used once) that accepts `token`, now marked on the session."""
    device = django_otp.match_token(request.user, token.strip().replace(" ", ""))
    if device is None:
        return None
    django_otp.login(request, device)
    mark_fresh(request)
    return device


def totp_device_pending(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def recovery_codes_issue(user) -> list[str]:
    """Ten new one-time recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def safe_next(request: HttpRequest, candidate: str | None, default: str = "home") -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(default)


def step_up_required(when=None):
    """Before an approving POST, ask for a second factor (or the password of someone who has none) unless
    one was given within `STEP_UP_MINUTES`; the person then comes back to the page and repeats the action.

    `when(request, **kwargs)` limits the check to some actions of a view (approve, not reject)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            needed = request.method == "POST" and (when is None or when(request, **kwargs))
            if not needed or is_fresh(request):
                return view(request, *args, **kwargs)
            back = safe_next(request, request.META.get("HTTP_REFERER"))
            url = f"{reverse('signin:step_up')}?{urlencode({'next': back})}"
            messages.info(request, _("Confirm it is you, then repeat the action."))
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)

        return wrapped

    return decorator
