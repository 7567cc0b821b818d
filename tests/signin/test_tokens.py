"""API tokens: hashed, shown once, named, scoped, expiring, revoked on a password change or deactivation;
each person manages their own on a page, the national administrator sees and revokes everyone's."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from signin.models import ApiToken, SecurityEvent
from signin.tokens import token_create, token_revoke


def call(key, method="get", url="/api/v1/firms/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return getattr(client, method)(url)


def new(user, scope="read", days=30):
    return token_create(user=user, name="ERP", scope=scope, days=days, acting_user=user)


def test_the_tokens_page_shows_a_new_key_once_and_stores_only_its_hash(client, firm_user):
    client.force_login(firm_user)
    response = client.post(reverse("signin:tokens"), {"name": "ERP system", "scope": "write", "days": 30})
    key = response.context["new_key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=firm_user)
    assert (token.name, token.scope, token.prefix) == ("ERP system", "write", key[:8])
    assert key not in token.key_sha256 and len(token.key_sha256) == 64
    assert key not in client.get(reverse("signin:tokens")).content.decode()
    assert call(key).status_code == 200
    assert SecurityEvent.objects.filter(action="token_created", user=firm_user).exists()


def test_the_tokens_page_is_in_the_user_menu(client, national_admin):
    client.force_login(national_admin)
    assert reverse("signin:tokens") in client.get(reverse("home")).content.decode()
    assert client.get(reverse("signin:tokens")).status_code == 200


def test_an_expired_token_is_refused(firm_user):
    token, key = new(firm_user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(key).status_code == 401
    assert SecurityEvent.objects.filter(action="token_refused", user=firm_user).exists()


def test_a_revoked_token_is_refused(client, firm_user):
    token, key = new(firm_user)
    client.force_login(firm_user)
    client.post(reverse("signin:token_revoke", args=[token.pk]))
    assert call(key).status_code == 401


def test_a_password_change_revokes_every_token(client, firm_user):
    _t, key = new(firm_user)
    client.force_login(firm_user)
    client.post(
        reverse("password_change"),
        {"old_password": "pw-12345!", "new_password1": "a-New-pass-9876", "new_password2": "a-New-pass-9876"},
    )
    assert call(key).status_code == 401
    assert ApiToken.objects.get().revoked_reason == "password changed"
    assert SecurityEvent.objects.filter(action="password_changed", user=firm_user).exists()


def test_a_deactivated_persons_token_is_refused(firm_user):
    _t, key = new(firm_user)
    firm_user.is_active = False
    firm_user.save()
    assert call(key).status_code == 401
    assert ApiToken.objects.get().revoked_reason == "deactivated"


def test_a_read_token_is_refused_on_post_and_a_write_token_is_not(firm_user):
    _r, read_key = new(firm_user, scope="read")
    _w, write_key = new(firm_user, scope="write")
    assert call(read_key, "post").status_code == 403
    assert call(write_key, "post").status_code == 405  # past authentication and scope: the resource is read-only


def test_an_unknown_key_is_refused(db):
    assert call("not-a-key").status_code == 401


def test_a_token_lasts_at_most_the_configured_days(client, settings, firm_user):
    client.force_login(firm_user)
    response = client.post(reverse("signin:tokens"), {"name": "x", "scope": "read", "days": 10_000})
    assert response.context["form"].errors["days"]
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_persons_token_except_the_national_administrator(
    client, firm_user, other_firm_user, national_admin
):
    token, key = new(firm_user)
    client.force_login(other_firm_user)
    assert client.post(reverse("signin:token_revoke", args=[token.pk])).status_code == 404
    assert call(key).status_code == 200
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, acting_user=other_firm_user)
    client.force_login(national_admin)
    page = client.get(reverse("signin:tokens"))
    assert token in page.context["others"]
    client.post(reverse("signin:token_revoke", args=[token.pk]))
    assert call(key).status_code == 401


def test_a_firm_user_sees_only_their_own_tokens(client, firm_user, other_firm_user):
    mine, _k = new(firm_user)
    new(other_firm_user)
    client.force_login(firm_user)
    page = client.get(reverse("signin:tokens"))
    assert list(page.context["mine"]) == [mine] and page.context["others"] == []
