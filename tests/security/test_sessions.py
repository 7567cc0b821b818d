"""Sessions end after 30 minutes without a request and 12 hours after sign-in, whatever the activity."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from mrv.security.sessions import LAST_SEEN, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    user.set_password("pw-for-session-test")
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": "pw-for-session-test"})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.session.session_key)


def test_defaults_are_thirty_minutes_idle_and_twelve_hours_absolute(settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60 == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_ABSOLUTE_LIFETIME_SECONDS == 12 * 3600


def test_a_request_moves_the_idle_expiry_forward(client, regulator):
    session = sign_in(client, regulator)
    assert abs((session.expire_date - timezone.now()).total_seconds() - 1800) < 60
    store = client.session
    store[LAST_SEEN] = int(time.time()) - 120  # the last request two minutes ago
    store.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get(reverse("home")).status_code == 200
    session.refresh_from_db()
    assert (session.expire_date - timezone.now()).total_seconds() > 1700


def test_requests_within_a_minute_do_not_write_the_session(client, regulator):
    session = sign_in(client, regulator)
    client.get(reverse("home"))
    expiry = Session.objects.get(pk=session.pk).expire_date
    client.get(reverse("home"))
    assert Session.objects.get(pk=session.pk).expire_date == expiry


def test_a_session_idle_for_thirty_minutes_is_signed_out(client, regulator):
    session = sign_in(client, regulator)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_older_than_twelve_hours_is_signed_out_despite_activity(client, regulator):
    sign_in(client, regulator)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302  # and stays signed out


def test_a_session_younger_than_the_absolute_lifetime_stays(client, regulator):
    sign_in(client, regulator)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 11 * 3600
    session.save()
    assert client.get(reverse("home")).status_code == 200


def test_the_absolute_lifetime_is_a_setting(client, regulator, settings):
    settings.SESSION_ABSOLUTE_LIFETIME_SECONDS = 60
    sign_in(client, regulator)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 61
    session.save()
    assert client.get(reverse("home")).status_code == 302
