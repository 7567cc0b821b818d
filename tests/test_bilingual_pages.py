"""Every page of the demo crawl, in Chinese and in English, is clean of untranslated text.

A page fails on an untranslated identifier (a snake_case code or model constant), on Chinese text in
an English page, or on an English phrase in a Chinese page — outside data: what users typed (names,
descriptions, reasons) is removed first, as are code samples (<code>) and quotations (<q>).
"""

import html as htmlmod
import re
from collections import deque

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from mrv.models import User
from tests.demo_seed import seed_demo

PAGES_PER_USER = 50
#: One login per role (and market kinds: Shenzhen's quarterly reports, a spot-check market).
LOGINS = (
    "admin",
    "sh_officer",
    "sh_head",
    "sz_officer",
    "sz_stats",
    "sh_reporter",
    "sz_reporter",
    "verifier_lead",
    "spotcheck",
)
SKIP = ("/static", "/accounts/logout", "/admin/", "export", "download", "/i18n/", "format=", ".xlsx", "/api/")
#: Rows that record what the system wrote, not what users typed: their text must not be excused as data.
NOT_DATA = {"auditlog", "notification", "outboxmessage", "backgroundjob", "reminder", "duework", "duewordone"}

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z]{3,}_[A-Z_]+\b")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]{2,}(?: [a-z]{2,})+\b")
#: Units, formats and proper names that stay Latin in a Chinese page.
LATIN_OK = re.compile(r"\b(tCO2e?|tCO2/\w+|MWh|GJ|TJ|tce|CSV|XLSX|CCER|PHCER|FFCER|CNY)\b")


def data_strings() -> list[str]:
    """Every text users typed or the seed recorded as data, longest first."""
    found = set()
    for model in apps.get_models():
        if (
            model._meta.app_label not in ("mrv", "registry", "deadlines", "disclosure")
            or model._meta.model_name in NOT_DATA
        ):
            continue
        names = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name != "status"
        ]
        for row in model._default_manager.values_list(*names) if names else ():
            found.update(v.strip() for v in row if v and v.strip())
    return sorted(found, key=len, reverse=True)


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|svg|code|q|textarea|title)\b[^>]*>.*?</\1>", " ", page)
    page = re.sub(r'(?s)<select id="lang-select".*?</select>', " ", page)
    page = re.sub(r"<[^>]+>", " ", page)
    return htmlmod.unescape(page)


def data_pattern(data: list[str]) -> re.Pattern:
    """Chinese data anywhere; Latin data (codes, units) only as whole words of three letters or more."""
    chinese = [re.escape(v) for v in data if CHINESE.search(v)]
    latin = [rf"(?<!\w){re.escape(v)}(?!\w)" for v in data if not CHINESE.search(v) and len(v) >= 3]
    return re.compile("|".join(chinese + latin) or "(?!)")


def problems(page: str, language: str, data: list[str] | re.Pattern) -> set[str]:
    text = visible_text(page)
    pattern = data if isinstance(data, re.Pattern) else data_pattern(data)
    text = pattern.sub(" ", text)
    text = LATIN_OK.sub(" ", text)
    found = set(IDENTIFIER.findall(text))
    if language == "en":
        found |= set(CHINESE.findall(text))
    else:
        found |= set(ENGLISH_PHRASE.findall(text))
    return found


def crawl(client: Client, language: str, data: list[str]) -> dict[str, set[str]]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    queue, seen, pages, bad = deque(["/"]), {"/"}, 0, {}
    while queue and pages < PAGES_PER_USER:
        url = queue.popleft()
        response = client.get(url, follow=True)
        pages += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        if found := problems(page, language, data):
            bad[url] = found
        for href in re.findall(r'href="(/[^"#]*)"', page):
            href = href.replace("&amp;", "&")
            if href not in seen and not any(part in href for part in SKIP):
                seen.add(href)
                queue.append(href)
    return bad


@pytest.mark.django_db
def test_every_page_of_the_demo_crawl_is_clean_chinese_and_clean_english(settings):
    settings.DISCLOSURE_ANON_RATES = {
        "public_pages": "100000/min",
        "public_api": "100000/min",
    }  # one crawler, many pages
    seed_demo()
    data = data_pattern(data_strings())
    failures = {}
    for user in User.objects.filter(username__in=LOGINS).order_by("username"):
        for language in ("en", "zh-hans"):
            client = Client()
            client.force_login(user)
            for url, found in crawl(client, language, data).items():
                failures[f"{user.username} {language} {url}"] = sorted(found)
    assert failures == {}


def test_the_checker_finds_codes_chinese_in_english_and_english_in_chinese():
    assert problems("<p>status: non_compliant</p>", "zh-hans", []) == {"non_compliant"}
    assert problems("<p>Compliance 2025 年度</p>", "en", []) == {"年度"}
    assert problems("<p>履约 quarterly taken over</p>", "zh-hans", []) == {"quarterly taken over"}
    assert problems("<h2>Overdue deadlines</h2>", "zh-hans", []) == {"Overdue deadlines"}
    assert problems("<p>上海申能 · 2025</p>", "en", ["上海申能"]) == set()
    assert problems("<p>排放 12 tCO2e · <code>trade_id</code></p>", "zh-hans", []) == set()
