"""The pages of requests, extensions and monthly deposits read clean Chinese and clean English (the demo
crawl's checker, on pages with data of every kind)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mrv.models import Finding, MonthlyDeposit, User
from mrv.services import clocks as svc
from mrv.services import verification as verification_svc
from tests import factories as f
from tests.mrv.test_monthly_deposits import deposit
from tests.test_bilingual_pages import data_strings, problems
from tests.verification_world import *  # noqa: F403

pytestmark = pytest.mark.django_db


def pages_are_clean(user, urls) -> dict:
    data, bad = data_strings(), {}
    for language in ("en", "zh-hans"):
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            if found := problems(response.content.decode(), language, data):
                bad[f"{user.username} {language} {url}"] = sorted(found)
    return bad


def test_requests_and_extensions_pages_in_both_languages(under_verification, verifier, firm, firm_user, regulator):
    finding = verification_svc.finding_raise(
        report=under_verification, kind=Finding.Kind.NON_CONFORMITY, description="缺少化验报告", acting_user=verifier
    )
    svc.information_request_open(finding=finding, question="请提供化验报告", acting_user=verifier)
    svc.information_request_open(firm=firm, year=2025, kind="review", question="请说明", acting_user=regulator)
    granted = svc.extension_request_submit(
        firm=firm, year=2025, kind="annual_report", reason="检修", acting_user=firm_user
    )
    svc.extension_request_grant(
        extension_request=granted,
        new_due_date=granted.due_date_before.replace(day=28).replace(month=4),
        acting_user=regulator,
    )
    svc.extension_request_submit(firm=firm, year=2025, kind="verification", reason="检修", acting_user=firm_user)
    urls = [reverse("ui:information_request_list"), reverse("ui:extension_request_list")]
    verification = [reverse("ui:report_verification", args=[under_verification.pk])]
    bad = pages_are_clean(firm_user, urls) | pages_are_clean(regulator, urls) | pages_are_clean(verifier, verification)
    assert bad == {}


def test_deposit_pages_in_both_languages():
    national = f.market("national")
    firm = f.FirmFactory(name="国家测试发电有限公司", market=national, sector=f.sector("power"))
    reporter = f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm)
    made = deposit(reporter, firm, 1)
    deposit(reporter, firm, 1, evidence=(), fuel_consumed_t="1")
    MonthlyDeposit.objects.filter(pk=made.pk).update(first_deposited_on=made.due_date.replace(day=20))
    officer = f.UserFactory(role=User.Role.REGULATOR_OFFICER, authority=f.AuthorityFactory(market=national))
    months = [reverse("ui:deposit_months", args=[firm.pk, 2026])]
    bad = pages_are_clean(reporter, months) | pages_are_clean(officer, [reverse("ui:deposit_overview"), *months])
    assert bad == {}
