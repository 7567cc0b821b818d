"""Response headers: a Content Security Policy without inline code, no caching of signed-in pages, HTTPS in
production, and `check --deploy` clean with the production settings of the README."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def production_env(**overrides) -> dict:
    """The production settings of the README ("Production"), with this machine's database."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mrv.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://mrv.example.gov.cn",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
        "SECURE_PROXY_SSL_HEADER": "true",
        "DATABASE_APP_ROLE": "mrv_app",
        "STATIC_MANIFEST": "false",
    }
    env.update(overrides)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' harness, never in production
    return {k: v for k, v in env.items() if v is not None}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_hsts_and_https_redirect():
    result = check_deploy(production_env(SECURE_HSTS_SECONDS="0", SECURE_SSL_REDIRECT="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.mark.django_db
def test_every_page_gets_a_content_security_policy_without_inline_code(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("regulator", "home"),
        ("regulator", "ui:market_overview"),
        ("regulator", "ui:report_list"),
        ("regulator", "ui:chain_check"),
        ("firm_user", "ui:plan_list"),
        ("firm_user", "deadlines:notifications"),
        (None, "login"),
    ],
)
def test_pages_have_no_inline_scripts_handlers_or_styles(client, request, persona, url_name):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    page = response.content.decode()
    assert not INLINE_SCRIPT.search(page), INLINE_SCRIPT.search(page).group(0)
    assert not INLINE_HANDLER.search(page), INLINE_HANDLER.search(page).group(0)
    assert not INLINE_STYLE.search(page), INLINE_STYLE.search(page).group(0)
    if persona:  # htmx must not inject its indicator <style>, nor evaluate code from attributes
        assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page


@pytest.mark.django_db
def test_signed_in_pages_are_not_stored_by_browsers_or_proxies(client, regulator):
    client.force_login(regulator)
    cache_control = client.get(reverse("home"))["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


@pytest.mark.django_db
def test_https_redirect_and_hsts_follow_the_settings(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get(reverse("healthz")).status_code == 200  # the load balancer's probe is not redirected
    secure = client.get(reverse("login"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_without_the_settings_there_is_no_redirect_and_no_hsts(client):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200 and "Strict-Transport-Security" not in response
