"""The shell: navigation per role, home page sections and activity, language switch, password change and reset."""

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from mrv.audit import log_action
from mrv.models import EmissionReport, VerificationEngagement
from tests import factories as f


def render(text, **context):
    return Template("{% load mrv_ui %}" + text).render(Context(context))


def test_state_badge_renders_a_models_state_with_its_tone_and_label(firm):
    report = f.ReportFactory(firm=firm)
    with translation.override("en"):
        html = render("{{ r|state_badge }}", r=report)
    assert html == '<span class="badge badge-neutral" data-state="draft">draft</span>'


@pytest.mark.parametrize(
    "state,tone",
    [("returned_to_firm", "warn"), ("verified", "ok"), ("under_verification", "info"), ("declined", "danger")],
)
def test_state_badge_works_for_a_bare_state_value_of_any_model(state, tone):
    with translation.override("en"):
        html = render("{{ s|state_badge }}", s=state)
    assert f'class="badge badge-{tone}"' in html


def test_state_badge_uses_the_chinese_label_in_chinese(db):
    with translation.override("zh-hans"):
        assert "核查中" in render("{{ s|state_badge }}", s="under_verification")


def test_quantities_show_their_unit_and_group_digits():
    with translation.override("en"):
        assert render("{{ v|tco2e }}", v="1234567.4") == "1,234,567 tCO2e"
        assert render("{{ v|wan_tonnes }}", v="1234567") == "1,234.57 kt CO2e"
        assert render("{{ v|tco2e }}", v=None) == "—"
    with translation.override("zh-hans"):
        # 1,234,567 t ÷ 10,000 = 123.4567 → 123.46 万吨
        assert render("{{ v|wan_tonnes }}", v="1234567") == "123.46 万吨CO2e"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_firm_user_sees_their_reports_to_complete_and_firm_navigation(client, firm_user, firm, other_firm):
    mine = f.ReportFactory(firm=firm)
    f.ReportFactory(firm=other_firm)
    client.force_login(firm_user)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("ui:report_detail", args=[mine.pk]) in html
    assert other_firm.name not in html
    assert f'href="{reverse("ui:report_list")}"' in html


def test_verifier_sees_engagements_to_accept_and_no_firm_navigation(client, verifier, firm, body):
    f.EngagementFactory(firm=firm, body=body, year=2026, status=VerificationEngagement.Status.ASSIGNED)
    client.force_login(verifier)
    html = client.get(reverse("home")).content.decode()
    assert "Engagements to accept or decline" in html and firm.name in html
    assert f'href="{reverse("ui:report_list")}"' not in html


def test_regulator_sees_engagements_awaiting_assignment_of_their_market_only(client, regulator, firm, beijing_firm):
    f.EngagementFactory(firm=firm, body=None, year=2026)
    f.EngagementFactory(firm=beijing_firm, body=None, year=2026)
    client.force_login(regulator)
    html = client.get(reverse("home")).content.decode()
    assert firm.name in html and beijing_firm.name not in html


def test_recent_activity_shows_rows_about_what_the_user_may_see_only(client, firm_user, firm, other_firm):
    from django.db import transaction

    mine, theirs = f.ReportFactory(firm=firm), f.ReportFactory(firm=other_firm)
    with transaction.atomic():
        log_action(mine, "mrv.report.noted", reason="visible note")
        log_action(theirs, "mrv.report.noted", reason="hidden note")
    client.force_login(firm_user)
    html = client.get(reverse("home")).content.decode()
    assert "visible note" in html and "hidden note" not in html


def test_home_page_queries_do_not_grow_with_reports_and_activity(
    client, regulator, firm, other_firm, django_assert_max_num_queries
):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    def reports_with_activity(for_firm, years):
        for year in years:
            report = f.ReportFactory(firm=for_firm, year=year, status=EmissionReport.Status.REGULATOR_REVIEW)
            with transaction.atomic():
                log_action(report, "mrv.report.noted")

    reports_with_activity(firm, [2024])
    client.force_login(regulator)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    few = len(captured.captured_queries)
    reports_with_activity(other_firm, range(2000, 2024))
    with django_assert_max_num_queries(few):
        html = client.get(reverse("home")).content.decode()
    # the 20 newest reports awaiting review are listed; every queue of the desk in a bounded number of queries
    assert html.count('href="/reports/') > 10 and few < 30


def test_the_language_switch_renders_chinese_and_english(client, firm_user):
    client.force_login(firm_user)
    chinese = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")}, follow=True)
    assert "需要我处理的事项" in chinese.content.decode() and '<html lang="zh-hans">' in chinese.content.decode()
    english = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)
    assert "What needs my action" in english.content.decode() and '<html lang="en">' in english.content.decode()


def test_chinese_is_the_default_language(client, firm_user, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(firm_user)
    assert "需要我处理的事项" in client.get(reverse("home")).content.decode()


def test_form_errors_are_tied_to_their_field(client):
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert 'aria-describedby="id_username_error"' in html and 'id="id_username_error"' in html
    assert 'aria-invalid="true"' in html


def test_password_change_works_and_needs_the_old_password(client, firm_user):
    client.force_login(firm_user)
    bad = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "N3w-pass-word!", "new_password2": "N3w-pass-word!"},
    )
    assert bad.status_code == 200 and 'id="id_old_password_error"' in bad.content.decode()
    good = client.post(
        reverse("password_change"),
        {"old_password": "pw-12345!", "new_password1": "N3w-pass-word!", "new_password2": "N3w-pass-word!"},
    )
    assert good.status_code == 302
    firm_user.refresh_from_db()
    assert firm_user.check_password("N3w-pass-word!")


def test_password_reset_sends_one_bilingual_email_with_a_working_link(client, firm_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("password_reset"), {"email": firm_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "重置" in message.subject and "Reset your Carbon MRV password" in message.subject
    assert "忽略" in message.body and "ignore this email" in message.body
    link = next(line for line in message.body.splitlines() if "/reset/" in line)
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()
    assert message.alternatives and "<html>" in message.alternatives[0][0]


def test_an_unknown_address_sends_no_email_but_the_same_answer(client, settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and mail.outbox == []


def test_the_quarterly_status_values_have_badges_too(firm):
    report = f.ReportFactory(firm=firm, period=EmissionReport.Period.Q1)
    with translation.override("en"):
        assert 'data-state="draft"' in render("{{ r|state_badge:'status' }}", r=report)


def test_chinese_is_shown_whatever_the_browser_asks_until_the_user_switches(client, firm_user, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(firm_user)
    assert "需要我处理的事项" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "What needs my action" in client.get(reverse("home")).content.decode()


def test_audit_actions_are_named_in_words(firm):
    with translation.override("en"):
        assert render("{{ c|action_label }}", c="mrv.emissionreport.submit") == "submitted"
        assert render("{{ c|action_label }}", c="mrv.something.brand_new") == "brand new"


def test_chinese_pages_group_figures_by_thousands_like_english_ones():
    from django.utils import translation

    from mrv.templatetags.mrv_ui import tco2e

    with translation.override("zh-hans"):
        assert tco2e(1848493) == "1,848,493 吨CO2e"
    with translation.override("en"):
        assert tco2e(1848493) == "1,848,493 tCO2e"
