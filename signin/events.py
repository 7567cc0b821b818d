"""The security events: who did what, from where, with what outcome. Written by signal receivers, the
middleware and the services of this app; read on the regulator's security page."""

import contextvars
import logging
from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from signin.models import SecurityEvent

A = SecurityEvent.Action
OUT = SecurityEvent.Outcome
logger = logging.getLogger("signin.security")

_source: contextvars.ContextVar[tuple[str | None, str]] = contextvars.ContextVar("security_source", default=(None, ""))


def source_of(request: HttpRequest | None) -> tuple[str | None, str]:
    """The client's address and user agent (the address as django-axes resolves it behind proxies)."""
    if request is None:
        return _source.get()
    from axes.helpers import get_client_ip_address

    ip = getattr(request, "axes_ip_address", None) or get_client_ip_address(request) or None
    return ip, request.META.get("HTTP_USER_AGENT", "")[:300]


def remember_source(request: HttpRequest) -> contextvars.Token:
    """Services without a request (the ledger) take the address of the request being served."""
    return _source.set(source_of(request))


def forget_source(token: contextvars.Token) -> None:
    _source.reset(token)


def record(
    action: str,
    outcome: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    object_ref: str = "",
    detail: str = "",
) -> SecurityEvent:
    ip, agent = source_of(request)
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    event = SecurityEvent.objects.create(
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        source_ip=ip,
        user_agent=agent,
        action=action,
        outcome=outcome,
        object_ref=object_ref[:300],
        detail=detail[:300],
    )
    if action == A.SIGNIN_FAILED and ip:
        _warn_on_burst(ip)
    return event


def _warn_on_burst(ip: str) -> None:
    """Once per burst (when the count reaches the threshold), tell the national administrators."""
    since = timezone.now() - timedelta(minutes=settings.SIGNIN_BURST_MINUTES)
    failures = SecurityEvent.objects.filter(source_ip=ip, action=A.SIGNIN_FAILED, at__gte=since).count()
    if failures != settings.SIGNIN_BURST_FAILURES:
        return
    logger.warning("%s failed sign-ins from %s within %s minutes", failures, ip, settings.SIGNIN_BURST_MINUTES)
    from deadlines.models import Notification
    from deadlines.services.notifications import notify

    admins = get_user_model().objects.filter(role="national_admin", is_active=True)
    notify(
        admins,
        Notification.Kind.SECURITY_BURST,
        {"ip": ip, "failures": failures, "minutes": settings.SIGNIN_BURST_MINUTES},
        url="/security/events/?action=signin_failed",
    )


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    from signin import mfa

    if request is not None and hasattr(request, "session"):
        mfa.on_password_sign_in(request, user)
    record(A.SIGNIN, OUT.SUCCESS, request=request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    user = get_user_model().objects.filter(username=username).first()
    record(A.SIGNIN_FAILED, OUT.FAILURE, request=request, user=user, username=username)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(A.SIGNOUT, OUT.SUCCESS, request=request, user=user)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first()
    record(A.LOCKED_OUT, OUT.DENIED, request=request, user=user, username=username or "")
