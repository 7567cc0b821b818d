"""The security events: sign-in, failures, sign-out, refusals on object URLs and registry movements are
recorded with the source; regulators see those of their market's people, with a CSV export; a burst of
failures from one source warns the national administrators."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from deadlines.models import Notification
from registry import services
from registry.ledger import Unit
from registry.models import ALLOWANCE
from signin.models import SecurityEvent
from tests import factories as f


def test_sign_in_success_failure_and_sign_out_are_recorded_with_source_and_agent(client, sign_in, firm_user):
    sign_in(firm_user, password="wrong", REMOTE_ADDR="10.0.0.5")
    sign_in(firm_user, REMOTE_ADDR="10.0.0.5")
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.5")
    rows = list(
        SecurityEvent.objects.order_by("pk").values_list("action", "outcome", "user", "source_ip", "user_agent")
    )
    rows = [r for r in rows if r[0] != "password_changed"]
    assert rows == [
        ("signin_failed", "failure", firm_user.pk, "10.0.0.5", "pytest"),
        ("signin", "success", firm_user.pk, "10.0.0.5", "pytest"),
        ("signout", "success", firm_user.pk, "10.0.0.5", ""),
    ]


def test_a_failure_for_an_unknown_name_is_recorded_with_the_name_tried(sign_in, db):
    user = f.UserFactory.build(username="nobody-here")
    sign_in(user)
    assert SecurityEvent.objects.get(action="signin_failed").username == "nobody-here"


def test_a_cross_tenant_404_on_an_object_url_is_recorded(client, funded, other_firm_user):
    client.force_login(other_firm_user)
    mine = funded[0]
    assert client.get(reverse("registry:account", args=[mine.pk])).status_code == 404
    event = SecurityEvent.objects.get(action="not_found")
    assert (event.user, event.outcome) == (other_firm_user, "denied")
    assert f"'pk': {mine.pk}" in event.object_ref and event.detail == f"/registry/accounts/{mine.pk}/"


def test_a_403_is_recorded(client, funded, regulator):
    client.force_login(regulator)
    assert client.get(reverse("registry:transfer_propose", args=[funded[0].pk])).status_code == 403
    assert SecurityEvent.objects.filter(action="forbidden", user=regulator).count() == 1


def test_a_404_on_a_page_that_names_no_object_is_not_an_event(client, firm_user):
    client.force_login(firm_user)
    assert client.get("/no-such-page/").status_code == 404
    assert not SecurityEvent.objects.filter(action="not_found").exists()


def test_a_registry_movement_is_recorded_with_the_acting_person_and_source(
    client, funded, trusted, firm_representative, firm_approver
):
    mine, theirs = funded
    proposal = services.transfer_propose(
        from_account=mine,
        to_account=theirs,
        unit=Unit(ALLOWANCE, 2025),
        quantity=10,
        price_cny_per_t=Decimal("40"),
        acting_user=firm_representative,
    )
    client.force_login(firm_approver)
    client.post(reverse("registry:transfer_approve", args=[proposal.pk]), REMOTE_ADDR="10.3.3.3")
    event = SecurityEvent.objects.filter(action="registry_movement").latest("pk")
    assert (event.user, event.source_ip) == (firm_approver, "10.3.3.3")
    assert event.object_ref.startswith("registry.transaction:")


def test_regulators_see_the_events_of_their_markets_people_only(
    client, sign_in, firm_user, beijing_firm, regulator, other_regulator
):
    beijing_user = f.UserFactory(role="firm_reporter", firm=beijing_firm)
    sign_in(firm_user, password="wrong")
    sign_in(beijing_user, password="wrong")
    client.force_login(regulator)
    seen = {e.username for e in client.get(reverse("signin:events")).context["events"]}
    assert firm_user.username in seen and beijing_user.username not in seen
    client.force_login(other_regulator)
    seen = {e.username for e in client.get(reverse("signin:events")).context["events"]}
    assert beijing_user.username in seen
    assert firm_user.username not in seen


@pytest.mark.parametrize("persona,status", [("firm_user", 403), ("verifier", 403), ("national_admin", 200)])
def test_who_may_open_the_events_page(request, db, client, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("signin:events")).status_code == status


def test_the_events_export_is_a_csv_of_the_filtered_events(client, sign_in, firm_user, national_admin):
    sign_in(firm_user, password="=cmd|' /C calc'!A0")
    sign_in(f.UserFactory.build(username="=HYPERLINK()"), password="x")
    client.force_login(national_admin)
    response = client.get(reverse("signin:events"), {"action": "signin_failed", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["time", "user", "source_ip", "user_agent", "action", "object", "outcome", "detail"]
    assert {r[1] for r in rows[1:]} == {firm_user.username, "'=HYPERLINK()"}
    assert {r[4] for r in rows[1:]} == {"signin_failed"}


def test_a_bad_filter_is_ignored_not_a_500(client, national_admin):
    client.force_login(national_admin)
    assert client.get(reverse("signin:events"), {"source_ip": "not-an-ip", "action": "x"}).status_code == 200


def test_a_burst_of_failures_from_one_source_warns_the_national_administrators_once(
    client, sign_in, settings, national_admin, firm_user, caplog
):
    settings.SIGNIN_BURST_FAILURES = 4
    settings.AXES_FAILURE_LIMIT = 100
    for i in range(6):
        sign_in(f.UserFactory.build(username=f"guess{i}"), password="x", REMOTE_ADDR="10.6.6.6")
    warnings = Notification.objects.filter(kind=Notification.Kind.SECURITY_BURST)
    assert [n.recipient for n in warnings] == [national_admin]
    assert "10.6.6.6" in str(warnings[0])
    assert "4 failed sign-ins from 10.6.6.6" in caplog.text


def test_security_events_cannot_be_changed_or_deleted(db, firm_user):
    from signin import events

    event = events.record("signin", "success", user=firm_user)
    event.detail = "edited"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_an_api_404_on_another_tenants_object_is_recorded_with_the_token_owner(other_regulator, firm):
    from rest_framework.test import APIClient

    from signin.tokens import token_create

    _t, key = token_create(user=other_regulator, name="x", scope="read", days=1, acting_user=other_regulator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/firms/{firm.pk}/").status_code == 404
    event = SecurityEvent.objects.get(action="not_found")
    assert event.user == other_regulator and f"'pk': '{firm.pk}'" in event.object_ref
