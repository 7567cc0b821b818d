"""The second factor: required for the national administrator, regulators, lead verifiers, firm
approvers and every admin-site sign-in; enrolment with a QR code and recovery codes shown once."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mrv.models import User
from signin.models import SecurityEvent
from tests import factories as f
from tests.signin.conftest import authenticator, code_for

MFA_PERSONAS = ["national_admin", "regulator", "regulator_head", "verifier", "firm_approver"]


@pytest.mark.parametrize("persona", MFA_PERSONAS)
def test_sign_in_without_the_second_factor_is_refused_for_roles_that_need_it(
    request, db, client, sign_in, mfa_required, persona
):
    user = request.getfixturevalue(persona)
    assert sign_in(user).status_code == 302
    for url in (reverse("home"), reverse("ui:report_list"), reverse("registry:index"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("signin:enrol"))


@pytest.mark.parametrize("persona", MFA_PERSONAS)
def test_with_an_authenticator_the_password_alone_leads_only_to_the_code_page(
    request, db, client, sign_in, mfa_required, persona
):
    user = request.getfixturevalue(persona)
    authenticator(user)
    sign_in(user)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("signin:verify"))
    assert client.get(reverse("signin:enrol"))["Location"] == reverse("signin:verify")


def test_the_api_refuses_a_session_without_the_second_factor(client, sign_in, mfa_required, regulator):
    sign_in(regulator)
    assert client.get("/api/v1/firms/").status_code == 403


def test_a_firm_reporter_needs_no_second_factor(client, sign_in, mfa_required, firm_user):
    sign_in(firm_user)
    assert client.get(reverse("home")).status_code == 200


def test_without_mfa_required_a_regulator_signs_in_with_the_password(client, sign_in, settings, regulator):
    settings.MFA_REQUIRED = False
    sign_in(regulator)
    assert client.get(reverse("home")).status_code == 200


def test_the_admin_site_needs_the_second_factor_for_every_staff_member(client, sign_in, mfa_required, shanghai):
    authority = f.AuthorityFactory(kind="statistics_bureau", market=shanghai)
    staff = f.UserFactory(role=User.Role.STATISTICS_OFFICER, authority=authority, is_staff=True)
    sign_in(staff)
    assert client.get(reverse("home")).status_code == 200  # the role itself needs none
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("signin:enrol"))


def test_a_wrong_code_is_refused_and_the_right_one_opens_the_site(client, sign_in, mfa_required, regulator):
    device = authenticator(regulator)
    sign_in(regulator)
    response = client.post(reverse("signin:verify"), {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    response = client.post(reverse("signin:verify"), {"token": code_for(device), "next": reverse("ui:report_list")})
    assert response["Location"] == reverse("ui:report_list")
    assert client.get(reverse("home")).status_code == 200
    actions = list(SecurityEvent.objects.filter(user=regulator).values_list("action", "outcome"))
    assert ("second_factor_failed", "failure") in actions and ("second_factor", "success") in actions


def test_a_recovery_code_works_once(client, sign_in, mfa_required, regulator):
    from signin.mfa import recovery_codes_issue

    authenticator(regulator)
    code = recovery_codes_issue(regulator)[0]
    sign_in(regulator)
    assert client.post(reverse("signin:verify"), {"token": code})["Location"] == reverse("home")
    assert not StaticToken.objects.filter(token=code).exists()
    client.post(reverse("logout"))
    sign_in(regulator)
    assert client.post(reverse("signin:verify"), {"token": code}).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_enrolment_shows_a_qr_code_and_the_secret_then_the_recovery_codes_once(
    client, sign_in, mfa_required, national_admin
):
    sign_in(national_admin)
    page = client.get(reverse("signin:enrol")).content.decode()
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0]
    device = TOTPDevice.objects.get(user=national_admin, confirmed=False)
    from base64 import b32encode

    assert b32encode(device.bin_key).decode() in page
    wrong = client.post(reverse("signin:enrol"), {"token": "12"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    response = client.post(reverse("signin:enrol"), {"token": code_for(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and all(c in response.content.decode() for c in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert "codes" not in client.get(reverse("signin:enrol")).context
    assert SecurityEvent.objects.filter(user=national_admin, action="mfa_enrolled", outcome="success").exists()


def test_a_demo_user_without_the_requirement_may_enrol_and_is_then_asked_for_the_code(
    client, sign_in, settings, regulator
):
    settings.MFA_REQUIRED = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    sign_in(regulator)
    client.get(reverse("signin:enrol"))
    device = TOTPDevice.objects.get(user=regulator, confirmed=False)
    client.post(reverse("signin:enrol"), {"token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.post(reverse("logout"))
    sign_in(regulator)
    assert client.get(reverse("home"))["Location"].startswith(reverse("signin:verify"))
