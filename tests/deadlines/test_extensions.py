import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from deadlines.calendar import firm_deadlines
from deadlines.models import DeadlineExtension, Notification
from deadlines.services.extensions import (
    EXTENSION_DAYS_RANGE,
    EXTENSION_NOT_REGULATOR,
    EXTENSION_REASON_REQUIRED,
    EXTENSION_UNKNOWN_DEADLINE,
    deadline_extension_grant,
)
from mrv.models import AuditLog


def grant(user, firm, **overrides):
    values = dict(firm=firm, year=2025, kind="annual_report", extra_days=14, reason="Typhoon", acting_user=user)
    return deadline_extension_grant(**(values | overrides))


def test_regulator_extends_a_deadline_audited_and_the_firm_is_told(firm, firm_user, regulator):
    grant(regulator, firm)
    extension = DeadlineExtension.objects.get(firm=firm)
    assert (extension.extra_days, extension.granted_by) == (14, regulator)
    log = AuditLog.objects.get(action="deadlines.extension.granted")
    assert (log.actor, log.reason, log.changes) == (regulator, "Typhoon", {"extra_days": [0, 14]})
    [note] = Notification.objects.filter(recipient=firm_user, kind=Notification.Kind.EXTENSION_GRANTED)
    assert note.params["due_date"] == "2026-04-14"  # 31 March + 14 days


def test_a_second_grant_replaces_the_first_and_is_audited(firm, regulator):
    grant(regulator, firm)
    grant(regulator, firm, extra_days=20, reason="Longer outage")
    assert DeadlineExtension.objects.get(firm=firm).extra_days == 20
    assert AuditLog.objects.filter(action="deadlines.extension.granted").latest("pk").changes == {
        "extra_days": [14, 20]
    }
    annual = next(d for d in firm_deadlines([firm], [2025]) if d.kind == "annual_report")
    assert str(annual.due_date) == "2026-04-20"


@pytest.mark.parametrize("persona", ["firm_user", "other_regulator", "verifier", "national_admin"])
def test_only_the_firms_regulator_may_extend(request, firm, persona):
    with pytest.raises(PermissionDenied, match=str(EXTENSION_NOT_REGULATOR)):
        grant(request.getfixturevalue(persona), firm)
    assert not DeadlineExtension.objects.exists() and not AuditLog.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"extra_days": 0}, EXTENSION_DAYS_RANGE),
        ({"extra_days": 366}, EXTENSION_DAYS_RANGE),
        ({"reason": "  "}, EXTENSION_REASON_REQUIRED),
        ({"kind": "q1_report"}, EXTENSION_UNKNOWN_DEADLINE % {"kind": "q1_report", "year": 2025}),
    ],
)
def test_bad_extensions_are_refused_with_a_reason_and_change_nothing(firm, regulator, overrides, message):
    with pytest.raises(ValueError, match=str(message)):
        grant(regulator, firm, **overrides)
    assert not DeadlineExtension.objects.exists() and not Notification.objects.exists()


def test_extension_page_is_for_the_firms_regulator(client, firm, firm_user, regulator, other_regulator):
    url = reverse("deadlines:extension_grant", args=[firm.pk])
    client.force_login(firm_user)
    assert client.get(url).status_code == 403
    client.force_login(other_regulator)
    assert client.get(url).status_code == 404
    client.force_login(regulator)
    assert client.get(url).status_code == 200


def test_extension_page_shows_the_services_refusal_and_changes_nothing(client, firm, regulator):
    client.force_login(regulator)
    response = client.post(
        reverse("deadlines:extension_grant", args=[firm.pk]),
        {"year": 2025, "kind": "q1_report", "extra_days": 5, "reason": "x"},
    )
    assert response.status_code == 200
    assert (
        str(EXTENSION_UNKNOWN_DEADLINE % {"kind": "q1_report", "year": 2025})
        in response.context["form"].non_field_errors()
    )
    assert not DeadlineExtension.objects.exists()


def test_calendar_offers_the_extension_page_to_the_regulator_only(client, firm, firm_user, regulator):
    link = reverse("deadlines:extension_grant", args=[firm.pk])
    client.force_login(regulator)
    assert link in client.get(reverse("deadlines:calendar")).content.decode()
    client.force_login(firm_user)
    assert link not in client.get(reverse("deadlines:calendar")).content.decode()
