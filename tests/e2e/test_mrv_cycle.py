"""The whole MRV cycle in a real headless Chromium, in Shanghai (a spot-check market), in Chinese and English.

The firm's reporter downloads the Excel template, fills it (a negative value first: the row/column
message is read, then the corrected file), acknowledges the warning, and the approver submits. The
regulator assigns the verification body (its eligibility shown); the lead verifier accepts with the
team, writes the verification plan and raises a finding; returned to the firm, the reporter answers
it and the approver resubmits; the verifier closes it and signs off (satisfactory, figure = reported).
The regulator draws the spot-check sample (seed shown) or adds the report by hand; the spot checker
confirms; the case officer proposes the verified figure and the head approves it.

Figures: one kiln stream, emission factor 0.5 tCO2/t by default; 83.249 t a month → 41.6245 → 41.625 t
(half up); 12 months = 499.5 → 500 tCO2e reported, verified and determined. Last year's 100 t makes a
+400 % change: one warning to acknowledge.
"""

import io
import re
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mrv.activity_sheet import HEADINGS, NEGATIVE
from mrv.models import EmissionReport, User
from mrv.services import reports as firm_reports
from tests import factories as f
from tests.mrv.reporting import approved_plan, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-12345!"
KILN = {
    "code": "kiln",
    "source": "kiln",
    "method": "process",
    "unit": "t",
    "params": {"emission_factor": ("tCO2/t", "default", "0.5")},
}
LANGUAGES = {"zh-hans": "zh-hans", "en": "en"}


def t(language: str, message, **params) -> str:
    """The text the page shows in `language`; a Chinese text must really be translated."""

    def render() -> str:
        text = translation.gettext(message) if isinstance(message, str) else str(message)
        return text % params if params else text

    with translation.override(language):
        text = render()
    if language == "zh-hans":
        with translation.override("en"):
            english = render()
        assert text != english, f"not translated: {english}"
    return text


class Browser:
    """One signed-in browser context per user, in the language of the run."""

    def __init__(self, chromium, base_url: str, language: str, shots_dir=None):
        self.chromium, self.base_url, self.language = chromium, base_url, language
        self.shots_dir = shots_dir  # tests/e2e/screenshots.py sets it; the test takes none
        self.contexts = []

    def shot(self, page, name: str) -> None:
        if self.shots_dir is not None:
            page.screenshot(path=str(self.shots_dir / f"{name}-{self.language}.png"))

    def login(self, username: str):
        context = self.chromium.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 800}, accept_downloads=True, locale="en-US"
        )
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language, "url": self.base_url}])
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.goto(reverse("login"))
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit].primary")
        page.wait_for_url(re.compile(r"/$"))
        return page

    def close(self):
        for context in self.contexts:
            context.close()


def post(page, action: str, button: str = "button[type=submit]"):
    """Click the submit button of the form posting to a URL ending in `action` and wait for the page."""
    with page.expect_navigation():
        page.click(f"form[action$='{action}'] {button}")


def world(shanghai):
    """Shanghai: a firm with an approved plan and a draft 2025 report (output data entered), its people,
    an eligible verification body, a spot-check body, the regulator's officer and head."""
    firm = f.FirmFactory(market=shanghai, name="上海示范水泥有限公司", sector=f.sector("power"))
    body = f.BodyFactory(name="第一核查机构", markets=[shanghai], sectors=[f.sector("power")])
    spot_body = f.BodyFactory(name="抽查机构", kind="spot_check", markets=[shanghai])
    authority = f.AuthorityFactory(name="上海市生态环境局", market=shanghai)
    people = {
        "reporter": f.UserFactory(username="reporter", role=User.Role.FIRM_REPORTER, firm=firm),
        "approver": f.UserFactory(username="approver", role=User.Role.FIRM_APPROVER, firm=firm),
        "lead": f.UserFactory(username="lead", role=User.Role.LEAD_VERIFIER, body=body),
        "member": f.UserFactory(username="member", role=User.Role.VERIFIER, body=body),
        "checker": f.UserFactory(username="checker", role=User.Role.SPOT_CHECKER, body=spot_body),
        "officer": f.UserFactory(username="officer", role=User.Role.REGULATOR_OFFICER, authority=authority),
        "head": f.UserFactory(username="head", role=User.Role.REGULATOR_HEAD, authority=authority),
    }
    approved_plan(firm, [KILN])
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=Decimal("100"))
    draft = report(firm)
    firm_reports.report_save_output_data(
        report=draft,
        rows=[{"kind": "product", "name": "熟料产量", "amount": "1000000", "unit": "t"}],
        acting_user=people["approver"],
    )
    engagement = f.EngagementFactory(firm=firm, year=2025)
    return draft, engagement, body, people


def filled(template: bytes, **cells) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book.active
    for row in range(3, 15):
        sheet.cell(row, 5, 83.249)
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_whole_cycle_in_the_browser(chromium, live_server, shanghai, language, tmp_path):
    started = time.monotonic()
    draft = walk_the_cycle(Browser(chromium, live_server.url, language), shanghai, language, tmp_path)
    assert draft.status == EmissionReport.Status.DETERMINED
    assert draft.determined_emissions_tco2e == Decimal("500")
    assert time.monotonic() - started < 120


def walk_the_cycle(browser, shanghai, language, tmp_path) -> EmissionReport:
    draft, engagement, body, people = world(shanghai)
    try:
        _firm_reports(browser, draft, language, tmp_path)
        _regulator_assigns(browser, engagement, body, language)
        _verifier_accepts_and_raises(browser, engagement, draft, people, language)
        _firm_answers_and_resubmits(browser, draft, language)
        _verifier_closes_and_signs(browser, draft, language)
        _spot_check(browser, draft, language)
        _determination(browser, draft, language)
    finally:
        browser.close()
    draft.refresh_from_db()
    return draft


def _firm_reports(browser, draft, language, tmp_path):
    page = browser.login("reporter")
    page.goto(reverse("ui:report_data", args=[draft.pk]))
    with page.expect_download() as download:
        page.click(f"a[href$='{reverse('ui:report_template', args=[draft.pk])}']")
    template = open(download.value.path(), "rb").read()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(filled(template, E7=-3))
    page.set_input_files("form[action$='/upload/'] input[type=file]", str(bad))
    post(page, "/upload/")
    with translation.override(language):
        field = str(HEADINGS["activity"])
    assert t(language, NEGATIVE, row=7, column="E", field=field) in page.content()
    browser.shot(page, "01-firm-upload-error")
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled(template))
    page.set_input_files("form[action$='/upload/'] input[type=file]", str(good))
    post(page, "/upload/")
    page.fill(
        "form[action$='/warnings/'] textarea[name=reason]", "新增产线，产量翻番" if language != "en" else "new line"
    )
    post(page, "/warnings/")
    approver = browser.login("approver")
    approver.goto(reverse("ui:report_data", args=[draft.pk]))
    browser.shot(approver, "02-firm-submit")
    approver.check("form[action$='/submit/'] input[name=certify]")  # the certification statement
    post(approver, "/submit/")
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.SUBMITTED and draft.reported_emissions_tco2e == Decimal("500")


def _regulator_assigns(browser, engagement, body, language):
    page = browser.login("officer")
    page.goto(reverse("ui:market_overview"))
    assert t(language, "Engagements awaiting assignment or acceptance") in page.content()
    browser.shot(page, "03-regulator-market-overview")
    page.click(f"a[href$='{reverse('ui:engagement_detail', args=[engagement.pk])}']")
    assert t(language, "eligible") in page.content()
    browser.shot(page, "04-regulator-assignment")
    with page.expect_navigation():
        page.click(f"form[action$='/assign/']:has(input[value='{body.pk}']) button")
    assert t(language, "The verification body is assigned.") in page.content()


def _verifier_accepts_and_raises(browser, engagement, draft, people, language):
    page = browser.login("lead")
    page.goto(reverse("ui:engagement_list"))
    page.click(f"a[href$='{reverse('ui:engagement_detail', args=[engagement.pk])}']")
    page.check(f"input[name=team][value='{people['member'].pk}']")
    post(page, "/accept/")
    assert t(language, "The engagement is accepted.") in page.content()
    page.goto(reverse("ui:verification_plan", args=[engagement.pk]))
    page.fill("#id_document_review", "排放报告、监测计划、台账")
    page.fill("#id_site_visit_dates", "2026-03-02")
    page.check(f"input[name=site_team][value='{people['member'].pk}']")
    page.fill("#id_sampling", "熟料产量月度台账")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert t(language, "The verification plan is saved.") in page.content()
    page.goto(reverse("ui:report_verification", args=[draft.pk]))
    page.select_option("#id_kind", "non_conformity")
    page.select_option("#id_line_key", "kiln:2025-03")
    page.fill("#id_description", "三月份台账缺少签字")
    post(page, "/findings/")
    assert t(language, "The finding is raised.") in page.content()
    browser.shot(page, "05-verifier-findings")
    post(page, "/return-to-firm/")
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.RETURNED_TO_FIRM


def _firm_answers_and_resubmits(browser, draft, language):
    page = browser.login("reporter")
    page.goto(reverse("ui:report_verification", args=[draft.pk]))
    assert "三月份台账缺少签字" in page.content()
    page.fill("form[action$='/answer/'] textarea[name=text]", "已补签，见附件")
    page.click("form[action$='/answer/'] button")  # htmx swaps the finding's card in place
    page.wait_for_selector("text=已补签，见附件")
    assert page.locator("form[action$='/answer/']").count() == 0
    approver = browser.login("approver")
    approver.goto(reverse("ui:report_data", args=[draft.pk]))
    approver.check("form[action$='/submit/'] input[name=certify]")
    post(approver, "/submit/")
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.UNDER_VERIFICATION


def _verifier_closes_and_signs(browser, draft, language):
    page = browser.login("lead")
    page.goto(reverse("ui:report_verification", args=[draft.pk]))
    post(page, "/close/")
    assert t(language, "The finding is closed.") in page.content()
    page.goto(reverse("ui:report_sign_off", args=[draft.pk]))
    assert t(language, "Materiality") in page.content()
    browser.shot(page, "06-verifier-sign-off")
    page.select_option("#id_outcome", "satisfactory")
    page.fill("#id_verified_emissions_tco2e", "500")
    page.check("main form input[name=certify]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert t(language, "The opinion is signed.") in page.content()
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.VERIFIED


def _spot_check(browser, draft, language):
    page = browser.login("officer")
    page.goto(reverse("ui:spot_check_draw"))
    page.fill("#id_year", "2025")
    page.fill("#id_seed", "20251125")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert t(language, "The sample is drawn with seed %(seed)s.", seed=20251125) in page.content()
    browser.shot(page, "07-regulator-spot-check-draw")
    draft.refresh_from_db()
    if draft.status != EmissionReport.Status.SPOT_CHECK:
        page.goto(reverse("ui:report_review", args=[draft.pk]))
        post(page, "/review/decide/", "button[value=add_to_sample]")
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.SPOT_CHECK
    checker = browser.login("checker")
    checker.goto(reverse("ui:spot_check_list"))
    checker.click(f"a[href$='{reverse('ui:report_verification', args=[draft.pk])}']")
    post(checker, "/spot-check/", "button[value=confirm]")
    assert t(language, "The verification is confirmed; the report goes to the regulator.") in checker.content()


def _determination(browser, draft, language):
    page = browser.login("officer")
    page.goto(reverse("ui:report_review", args=[draft.pk]))
    post(page, "/review/decide/", "button[value=propose]")
    assert t(language, "The verified figure is proposed; a regulator head must approve it.") in page.content()
    head = browser.login("head")
    head.goto(reverse("ui:report_review", args=[draft.pk]))
    browser.shot(head, "08-head-four-eyes-approval")
    post(head, "/review/decide/", "button[value=approve]")
    assert t(language, "The determination is approved.") in head.content()
    head.goto(reverse("ui:report_detail", args=[draft.pk]))
    assert "500" in head.content()
