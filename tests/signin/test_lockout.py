"""Lock-out after repeated failed sign-ins (django-axes), per account and per source, with an unlock path."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from signin.models import SecurityEvent
from tests import factories as f


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def _fail(sign_in, user, times, **extra):
    return [sign_in(user, password="wrong", **extra).status_code for _ in range(times)]


def test_the_right_password_is_refused_while_the_account_is_locked(client, sign_in, limit, firm_user):
    assert _fail(sign_in, firm_user, limit - 1) == [200] * (limit - 1)
    assert sign_in(firm_user, password="wrong").status_code == 429
    response = sign_in(firm_user)
    assert response.status_code == 429
    assert "Account locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(action="locked_out", username=firm_user.username).exists()
    assert SecurityEvent.objects.filter(action="signin_failed", user=firm_user).count() >= limit


def test_another_source_is_locked_out_of_the_same_account(client, sign_in, limit, firm_user):
    _fail(sign_in, firm_user, limit)
    assert sign_in(firm_user, REMOTE_ADDR="10.9.8.7").status_code == 429


def test_a_source_that_fails_on_many_accounts_is_locked_out(client, sign_in, limit, firm_user, other_firm_user):
    users = [firm_user, other_firm_user, f.UserFactory()]
    for user in users:
        sign_in(user, password="wrong", REMOTE_ADDR="10.1.1.1")
    assert sign_in(firm_user, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert sign_in(f.UserFactory(), REMOTE_ADDR="10.1.1.1").status_code == 429


def test_failures_below_the_limit_are_forgotten_after_a_success(client, sign_in, limit, firm_user):
    _fail(sign_in, firm_user, limit - 1)
    assert sign_in(firm_user).status_code == 302
    client.post(reverse("logout"))
    _fail(sign_in, firm_user, limit - 1)
    assert sign_in(firm_user).status_code == 302


def test_the_management_command_unlocks_an_account(client, sign_in, limit, firm_user):
    _fail(sign_in, firm_user, limit)
    call_command("unlock_signin", firm_user.username, stdout=open("/dev/null", "w"))
    assert sign_in(firm_user).status_code == 302
    assert SecurityEvent.objects.filter(action="unlocked", user=firm_user).exists()


def test_the_regulator_unlocks_a_firm_user_of_the_market_from_the_events_page(
    client, sign_in, limit, firm_user, regulator
):
    _fail(sign_in, firm_user, limit, REMOTE_ADDR="10.2.2.2")
    client.force_login(regulator)
    page = client.get(reverse("signin:events"))
    assert page.context["locked"] == [firm_user.username]
    client.post(reverse("signin:unlock"), {"username": firm_user.username})
    client.post(reverse("logout"))
    assert sign_in(firm_user, REMOTE_ADDR="10.2.2.3").status_code == 302


def test_another_markets_regulator_cannot_unlock(client, sign_in, limit, firm_user, other_regulator):
    _fail(sign_in, firm_user, limit)
    client.force_login(other_regulator)
    assert client.get(reverse("signin:events")).context["locked"] == []
    assert client.post(reverse("signin:unlock"), {"username": firm_user.username}).status_code == 403
    client.logout()
    assert sign_in(firm_user).status_code == 429
