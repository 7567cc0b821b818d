"""Rate limits per user and per source, counted in the real Redis cache: 429 with Retry-After on sign-in,
uploads, submissions, transfers and the API."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from rest_framework.test import APIClient

from signin.models import SecurityEvent
from signin.tokens import token_create


def test_the_counters_live_in_redis():
    assert isinstance(caches["default"], RedisCache)
    caches["default"].set("rl-probe", 1)
    assert caches["default"]._cache.get_client().exists(caches["default"].make_and_validate_key("rl-probe"))


def test_sign_in_attempts_beyond_the_per_source_rate_get_429_with_retry_after(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": ("100/m", "3/m")}
    statuses = [
        client.post(reverse("login"), {"username": f"u{i}", "password": "x"}, REMOTE_ADDR="10.4.4.4").status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.post(reverse("login"), {"username": "u9", "password": "x"}, REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 61
    assert client.post(reverse("login"), {"username": "u9", "password": "x"}, REMOTE_ADDR="10.4.4.5").status_code == 200
    assert SecurityEvent.objects.filter(action="rate_limited", detail="signin").count() == 2


def test_sign_in_attempts_on_one_account_are_limited_from_any_source(client, settings, firm_user):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": ("2/m", "100/m")}
    statuses = [
        client.post(
            reverse("login"), {"username": firm_user.username, "password": "x"}, REMOTE_ADDR=f"10.5.5.{i}"
        ).status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_a_page_shows_without_counting(client, settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": ("1/m", "1/m")}
    assert [client.get(reverse("login")).status_code for _ in range(3)] == [200, 200, 200]


def test_transfer_proposals_are_limited_per_user(client, settings, funded, firm_approver):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "transfer": ("2/m", "100/m")}
    client.force_login(firm_approver)
    url = reverse("registry:transfer_propose", args=[funded[0].pk])
    statuses = [client.post(url, {}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_uploads_and_submissions_are_limited(client, settings, firm_user, firm):
    from tests.factories import ReportFactory

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": ("1/m", "100/m"), "submit": ("1/m", "100/m")}
    report = ReportFactory(firm=firm, year=2025)
    client.force_login(firm_user)
    for name in ("ui:report_upload", "ui:report_submit"):
        url = reverse(name, args=[report.pk])
        assert client.post(url).status_code != 429
        response = client.post(url)
        assert response.status_code == 429 and response["Retry-After"]


def test_the_api_answers_429_with_retry_after_per_token_owner(settings, firm_user):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": ("3/m", "100/m")}
    _t, key = token_create(user=firm_user, name="x", scope="read", days=1, acting_user=firm_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [client.get("/api/v1/firms/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(client.get("/api/v1/firms/")["Retry-After"]) >= 1
