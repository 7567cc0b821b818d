"""Helpers for the sign-in tests: a password sign-in through the real login page, a confirmed
authenticator for a person, and its current code."""

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.registry.conftest import cap_2025, firm_representative, funded, trusted  # noqa: F401  (registry fixtures)

PASSWORD = "pw-12345!"


def code_for(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.fixture
def sign_in(client):
    def as_user(user, password=PASSWORD, **extra):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client.post(
            reverse("login"), {"username": user.username, "password": password}, HTTP_USER_AGENT="pytest", **extra
        )

    return as_user


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    return settings
