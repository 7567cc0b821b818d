"""The new pages speak Chinese, and the demo says that its logins need no second factor."""

import io

from django.core.management import call_command
from django.urls import reverse
from django.utils import translation


def test_the_sign_in_pages_are_translated(client, settings, regulator):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(regulator)
    with translation.override("zh-hans"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        assert "第二因素" in client.get(reverse("signin:enrol")).content.decode()
        assert "新建令牌" in client.get(reverse("signin:tokens")).content.decode()
        assert "安全事件" in client.get(reverse("signin:events")).content.decode()
        assert "确认您的身份" in client.get(reverse("signin:step_up")).content.decode()


def test_demo_logins_says_whether_the_second_factor_is_required(settings, db):
    settings.MFA_REQUIRED = False
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "MFA_REQUIRED=false" in out.getvalue()
    settings.MFA_REQUIRED = True
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "second factor is required" in out.getvalue()
