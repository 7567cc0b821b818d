"""Screenshots of the main pages in both languages for the README (docs/screenshots/, 1280×800 PNG).

Not collected by the test run (the file name does not start with test_); run it with `make screenshots`.
It walks the same cycle as test_mrv_cycle.py and saves a picture at each main page.
"""

import pathlib

import pytest

from mrv.models import EmissionReport
from tests.e2e.test_mrv_cycle import LANGUAGES, Browser, walk_the_cycle

SHOTS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


#: After the cycle: the desk and the registry (page, login, file name).
DESK_PAGES = [
    ("/", "officer", "09-regulator-home"),
    ("/registry/compliance/?year=2025", "officer", "10-regulator-registry-compliance"),
    ("/registry/statistics/?year=2025", "officer", "11-regulator-registry-statistics"),
    ("/registry/", "approver", "12-firm-registry-account"),
    ("/deadlines/", "approver", "13-firm-deadlines"),
]


def desk_shots(browser: Browser) -> None:
    pages = {}
    try:
        for url, username, name in DESK_PAGES:
            page = pages.get(username) or pages.setdefault(username, browser.login(username))
            page.goto(url)
            browser.shot(page, name)
    finally:
        browser.close()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_screenshots_of_the_main_pages(chromium, live_server, shanghai, language, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    draft = walk_the_cycle(Browser(chromium, live_server.url, language, shots_dir=SHOTS), shanghai, language, tmp_path)
    assert draft.status == EmissionReport.Status.DETERMINED
    desk_shots(Browser(chromium, live_server.url, language, shots_dir=SHOTS))
    assert len(list(SHOTS.glob(f"[0-9]*-{language}.png"))) == 8 + len(DESK_PAGES)
