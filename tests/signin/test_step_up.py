"""Step-up: approving a transfer, surrendering, issuing allocation, approving a determination and deciding
a penalty need a re-authentication within STEP_UP_MINUTES; the page asks for it and sends the person back."""

import time
from decimal import Decimal

import pytest
from django.urls import reverse

from registry import services
from registry.ledger import Unit
from registry.models import ALLOWANCE, TransferProposal
from signin.mfa import FRESH_AT
from signin.models import SecurityEvent
from tests.signin.conftest import authenticator, code_for

A25 = Unit(ALLOWANCE, 2025)


@pytest.fixture
def proposal(funded, trusted, firm_representative):
    """Proposed by a representative to an account on the trusted list, so approval executes it at once."""
    mine, theirs = funded
    return services.transfer_propose(
        from_account=mine,
        to_account=theirs,
        unit=A25,
        quantity=100,
        price_cny_per_t=Decimal("50"),
        acting_user=firm_representative,
    )


def _age_the_sign_in(client, minutes):
    session = client.session
    session[FRESH_AT] = time.time() - minutes * 60
    session.save()


def test_a_fresh_sign_in_approves_a_transfer_at_once(client, sign_in, proposal, firm_approver):
    sign_in(firm_approver)
    response = client.post(reverse("registry:transfer_approve", args=[proposal.pk]))
    assert response["Location"] == reverse("registry:account", args=[proposal.from_account_id])
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.EXECUTED


def test_an_old_sign_in_is_sent_to_step_up_and_nothing_moves(client, sign_in, settings, proposal, firm_approver):
    sign_in(firm_approver)
    _age_the_sign_in(client, settings.STEP_UP_MINUTES + 1)
    account_page = reverse("registry:account", args=[proposal.from_account_id])
    response = client.post(
        reverse("registry:transfer_approve", args=[proposal.pk]), HTTP_REFERER=f"http://testserver{account_page}"
    )
    assert response["Location"].startswith(reverse("signin:step_up"))
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.PROPOSED


def test_without_a_device_step_up_asks_for_the_password_again(client, sign_in, settings, proposal, firm_approver):
    sign_in(firm_approver)
    _age_the_sign_in(client, settings.STEP_UP_MINUTES + 1)
    page = client.get(reverse("signin:step_up"), {"next": "/registry/"})
    assert 'type="password"' in page.content.decode()
    wrong = client.post(reverse("signin:step_up"), {"password": "nope", "next": "/registry/"})
    assert wrong.status_code == 200 and "not your password" in wrong.content.decode()
    right = client.post(reverse("signin:step_up"), {"password": "pw-12345!", "next": "/registry/"})
    assert right["Location"] == "/registry/"
    client.post(reverse("registry:transfer_approve", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.EXECUTED
    outcomes = list(SecurityEvent.objects.filter(action="step_up").order_by("pk").values_list("outcome", flat=True))
    assert outcomes == ["failure", "success"]


def test_with_a_device_step_up_asks_for_the_code_and_a_password_sign_in_is_not_fresh(
    client, sign_in, mfa_required, proposal, firm_approver
):
    device = authenticator(firm_approver)
    sign_in(firm_approver)
    client.post(reverse("signin:verify"), {"token": code_for(device)})
    session = client.session
    del session[FRESH_AT]
    session.save()
    response = client.post(reverse("registry:transfer_approve", args=[proposal.pk]))
    assert response["Location"].startswith(reverse("signin:step_up"))
    assert 'autocomplete="one-time-code"' in client.get(reverse("signin:step_up")).content.decode()
    assert client.post(reverse("signin:step_up"), {"token": "x"}).status_code == 200
    device.refresh_from_db()
    device.last_t = -1  # the sign-in used this time step's code; the step-up may use it again in a test
    device.save()
    assert client.post(reverse("signin:step_up"), {"token": code_for(device)})["Location"] == reverse("home")
    client.post(reverse("registry:transfer_approve", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.EXECUTED


def test_rejecting_a_transfer_needs_no_step_up(client, sign_in, settings, proposal, firm_approver):
    sign_in(firm_approver)
    _age_the_sign_in(client, settings.STEP_UP_MINUTES + 1)
    client.post(reverse("registry:transfer_reject", args=[proposal.pk]), {"reason": "wrong buyer"})
    proposal.refresh_from_db()
    assert proposal.status == TransferProposal.Status.REJECTED


@pytest.mark.parametrize(
    "url_name,args,data",
    [
        ("registry:surrender", "account", {}),
        ("registry:allocation_issue", 1, {}),
        ("registry:penalty_decide", 1, {}),
        ("ui:report_decide", 1, {"action": "approve"}),
    ],
)
def test_the_other_approving_actions_ask_for_step_up_before_anything_else(
    client, sign_in, settings, funded, regulator_head, firm_approver, url_name, args, data
):
    user = firm_approver if url_name == "registry:surrender" else regulator_head
    sign_in(user)
    _age_the_sign_in(client, settings.STEP_UP_MINUTES + 1)
    pk = funded[0].pk if args == "account" else args
    response = client.post(reverse(url_name, args=[pk]), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("signin:step_up"))


def test_proposing_a_determination_needs_no_step_up(client, sign_in, settings, regulator):
    sign_in(regulator)
    _age_the_sign_in(client, settings.STEP_UP_MINUTES + 1)
    response = client.post(reverse("ui:report_decide", args=[999999]), {"action": "propose"})
    assert response.status_code == 404  # reached the view: no step-up for proposing


def test_step_up_sends_back_only_to_this_site(client, sign_in, firm_approver):
    sign_in(firm_approver)
    response = client.post(reverse("signin:step_up"), {"password": "pw-12345!", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
