"""A bad settings value stops the start with a message that names the setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_is_refused():
    result = start(DEBUG="false")
    assert result.returncode != 0 and "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("DEBUG", "perhaps", "DEBUG must be true or false, not 'perhaps'"),
        ("CONN_MAX_AGE", "ten", "CONN_MAX_AGE must be a whole number, not 'ten'"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL is not a valid database URL"),
    ],
)
def test_bad_values_name_the_setting(name, value, message):
    result = start(SECRET_KEY="k", **{name: value})
    assert result.returncode != 0 and message in result.stderr


def test_debug_demo_starts_without_any_service():
    assert start(DEBUG="true").returncode == 0


def test_csrf_cookie_is_secure_exactly_when_the_session_cookie_is():
    from django.conf import settings

    assert settings.CSRF_COOKIE_SECURE is settings.SESSION_COOKIE_SECURE
    assert settings.SPECTACULAR_SETTINGS["TITLE"] == "Carbon MRV API"
