"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) against Django's live server."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The sync Playwright API runs an event loop in this thread; Django's ORM calls in the test are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _e2e_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """The app serves no media (MEDIA_URL = None), but Django's live server wraps a media handler that
    needs a URL string; give it one that no page links to, before the (session) live server starts."""
    from django.conf import settings

    before = settings.MEDIA_URL
    settings.MEDIA_URL = "/__e2e_no_media__/"
    yield
    settings.MEDIA_URL = before


@pytest.fixture
def shanghai(transactional_db):
    """Shanghai, with the reference data the migrations load put back if an earlier transactional test's
    flush removed it (a reused test database is serialised after such a flush)."""
    from django.apps import apps

    from mrv import grid_factor_data, reference_data
    from mrv.models import Market

    if not Market.objects.filter(code="shanghai").exists():
        reference_data.load(apps)
        grid_factor_data.load(apps)
    return Market.objects.get(code="shanghai")


@pytest.fixture(scope="session", autouse=True)
def _reference_data_back_after_the_last_flush(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush; put the markets and grid factors back at the end of the
    session so that a reused test database (--reuse-db) still holds what the migrations loaded."""
    yield
    from django.apps import apps

    from mrv import grid_factor_data, reference_data
    from mrv.models import Market

    with django_db_blocker.unblock():
        if not Market.objects.exists():
            reference_data.load(apps)
            grid_factor_data.load(apps)
