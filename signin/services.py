"""The writers of this app besides tokens: second-factor enrolment and removal, and unlocking an account."""

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from mrv import access
from mrv.models import User
from signin import events, mfa
from signin.models import SecurityEvent

A = SecurityEvent.Action
OUT = SecurityEvent.Outcome

WRONG_CODE = _("That code is not right. Check the time on your phone and try the current code.")
MAY_NOT_UNLOCK = _("Only a regulator of the person's market or the national administrator may unlock an account.")
REQUIRED = _("Your role requires a second factor; enrol a new authenticator before removing this one.")


def second_factor_enrol(*, request: HttpRequest, device: TOTPDevice, code: str, acting_user: User) -> list[str]:
    """Confirm the pending authenticator with its first code; returns the recovery codes (shown once)."""
    if device.user_id != acting_user.pk or device.confirmed or not device.verify_token(code.strip()):
        events.record(A.MFA_ENROLLED, OUT.FAILURE, request=request, user=acting_user)
        raise PermissionDenied(WRONG_CODE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=acting_user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = mfa.recovery_codes_issue(acting_user)
        events.record(A.MFA_ENROLLED, OUT.SUCCESS, request=request, user=acting_user, object_ref=f"totp:{device.pk}")
    import django_otp

    django_otp.login(request, device)
    request.session[mfa.HAS_DEVICE] = True
    mfa.mark_fresh(request)
    return codes


def recovery_codes_renew(*, request: HttpRequest, acting_user: User) -> list[str]:
    with transaction.atomic():
        codes = mfa.recovery_codes_issue(acting_user)
        events.record(A.MFA_ENROLLED, OUT.SUCCESS, request=request, user=acting_user, detail="new recovery codes")
    return codes


def second_factor_remove(*, request: HttpRequest, acting_user: User) -> None:
    if mfa.role_requires_mfa(acting_user):
        raise PermissionDenied(REQUIRED)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=acting_user).delete()
        StaticDevice.objects.filter(user=acting_user).delete()
        events.record(A.MFA_REMOVED, OUT.SUCCESS, request=request, user=acting_user)
    request.session[mfa.HAS_DEVICE] = False


def signin_unlock(*, username: str, acting_user: User | None, request: HttpRequest | None = None) -> int:
    """Clear the failures that lock `username` (`acting_user` None: the operator's management command)."""
    if acting_user is not None:
        allowed = acting_user.is_national_admin or (
            acting_user.is_regulator and access.visible_to(acting_user, User).filter(username=username).exists()
        )
        if not allowed:
            raise PermissionDenied(MAY_NOT_UNLOCK)
    with transaction.atomic():
        cleared = axes_reset(username=username)
        target = User.objects.filter(username=username).first()
        events.record(
            A.UNLOCKED,
            OUT.SUCCESS,
            request=request,
            user=target,
            username=username,
            detail=f"by {acting_user.username if acting_user else 'manage.py unlock_signin'}",
        )
    return cleared
