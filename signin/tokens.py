"""API tokens: created and revoked only here; the REST API authenticates `Authorization: Token <key>`
against the stored SHA-256 of the key, refuses expired, revoked and inactive ones, and lets a read token
use only safe methods. A new password or a deactivation ends every token of the person."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission

from signin import events
from signin.models import ApiToken, SecurityEvent

A = SecurityEvent.Action
OUT = SecurityEvent.Outcome

TOKEN_INVALID = _("Invalid, expired or revoked token.")
READ_ONLY_TOKEN = _("This token may only read; create a read-and-write token to change data.")
NOT_YOUR_TOKEN = _("You may revoke only your own tokens.")
BAD_EXPIRY = _("A token lasts between 1 and %(max)s days.")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str, scope: str, days: int, acting_user, request=None) -> tuple[ApiToken, str]:
    """A new token for `acting_user` themself; the key is returned once and only its hash is kept."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(NOT_YOUR_TOKEN)
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(BAD_EXPIRY % {"max": settings.API_TOKEN_MAX_DAYS})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            scope=scope,
            prefix=key[:8],
            key_sha256=_digest(key),
            expires_at=timezone.now() + timedelta(days=days),
        )
        events.record(A.TOKEN_CREATED, OUT.SUCCESS, request=request, user=acting_user, object_ref=f"token:{token.pk}")
    return token, key


def may_revoke(user, token: ApiToken) -> bool:
    return token.user_id == user.pk or user.is_national_admin


def token_revoke(*, token: ApiToken, acting_user, request=None) -> None:
    if not may_revoke(acting_user, token):
        raise PermissionDenied(NOT_YOUR_TOKEN)
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now(), revoked_reason=f"revoked by {acting_user.username}"[:100]
        )
        if updated:
            events.record(
                A.TOKEN_REVOKED,
                OUT.SUCCESS,
                request=request,
                user=acting_user,
                object_ref=f"token:{token.pk}",
                detail=f"owner {token.user.username}",
            )


def tokens_revoke_all(*, user, reason: str) -> int:
    """Called when the password changes or the account is deactivated."""
    return ApiToken.objects.filter(user_id=user.pk, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _password_or_activity_changed(sender, instance, raw=False, **kwargs):
    """A new password or a deactivation ends every API token of the person, and is recorded.

    `set_password` leaves the raw password in `_password` until the save; Django's own re-hash of an
    unchanged password on sign-in clears it first, so it does not count as a change."""
    if raw or instance.pk is None:
        return
    if getattr(instance, "_password", None) is not None:
        tokens_revoke_all(user=instance, reason="password changed")
        events.record(A.PASSWORD_CHANGED, OUT.SUCCESS, user=instance)
    if not instance.is_active and sender.objects.filter(pk=instance.pk, is_active=True).exists():
        tokens_revoke_all(user=instance, reason="deactivated")


class HashedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, looked up by the key's SHA-256."""

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(key_sha256=_digest(key)).first()
        if token is None or not token.is_live or not token.user.is_active:
            events.record(
                A.TOKEN_REFUSED,
                OUT.DENIED,
                user=token.user if token else None,
                object_ref=f"token:{token.pk}" if token else f"token:{key[:8]}",
            )
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class TokenScopePermission(BasePermission):
    """A read token reads; POST, PUT, PATCH and DELETE need a read-and-write token."""

    message = READ_ONLY_TOKEN

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken) or request.method in SAFE_METHODS:
            return True
        return token.scope == ApiToken.Scope.WRITE
