"""Idempotency keys belong to the acting account and are bound to a SHA-256 of the request."""

from decimal import Decimal

import pytest

from registry import selectors, services
from registry.ledger import LedgerError, Unit, holding_account
from registry.models import ALLOWANCE, Transaction
from tests.registry.conftest import determine, fund

D = Decimal
A25 = Unit(ALLOWANCE, 2025)


def test_a_retry_returns_the_earlier_transaction_and_says_so(funded):
    mine, theirs = funded
    first = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=10, idempotency_key="r")
    again = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=10, idempotency_key="r")
    assert (first.replayed, again.replayed, again.pk) == (False, True, first.pk)
    assert len(first.request_sha256) == 64
    assert selectors.account_balances([theirs]) == {theirs.pk: D(10)}


def test_a_reused_key_with_another_payload_is_refused(funded):
    mine, theirs = funded
    first = services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=10, idempotency_key="r")
    with pytest.raises(LedgerError) as err:
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=11, idempotency_key="r")
    assert str(err.value) == (
        f"The idempotency key r was already used for a different request (recorded as transaction #{first.pk}); "
        "use a new key for a new request."
    )
    assert selectors.account_balances([theirs]) == {theirs.pk: D(10)}
    assert Transaction.objects.filter(kind="transfer").count() == 1


def test_a_key_another_firm_used_never_makes_a_surrender_look_done(firm, other_firm, cap_2025):
    fund(firm, 500)
    fund(other_firm, 500)
    determine(firm, 2025, 300)
    determine(other_firm, 2025, 300)
    theirs = services.units_surrender(firm=other_firm, year=2025, allowances={2025: 300}, idempotency_key="s-1")
    mine = services.units_surrender(firm=firm, year=2025, allowances={2025: 300}, idempotency_key="s-1")
    assert mine.pk != theirs.pk and not mine.replayed
    assert selectors.compliance_status(firm, 2025).status == selectors.Status.COMPLIANT
    assert selectors.account_balances([holding_account(firm)]) == {holding_account(firm).pk: D(200)}


def test_an_over_long_key_is_refused_with_a_clear_message(funded):
    mine, theirs = funded
    with pytest.raises(LedgerError, match="at most 80 characters"):
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=1, idempotency_key="x" * 81)
    assert not Transaction.objects.filter(kind="transfer").exists()


def test_a_key_with_control_characters_is_refused(funded):
    mine, theirs = funded
    with pytest.raises(LedgerError, match="control characters"):
        services.units_transfer(from_account=mine, to_account=theirs, unit=A25, quantity=1, idempotency_key="a\x00b")


def test_a_resubmitted_surrender_page_says_it_was_already_recorded(client, funded, firm, firm_user):
    from django.urls import reverse

    mine, _ = funded
    determine(firm, 2025, 300)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(firm_user)
    url = reverse("registry:surrender", args=[mine.pk]) + "?year=2025"
    form = {"year": 2025, "idempotency_key": "page-key", "u_ALLOWANCE_2025_": 300}
    client.post(url, form)
    again = client.post(url, form, follow=True).content.decode()
    assert "already recorded as transaction" in again
    assert Transaction.objects.filter(kind="surrender").count() == 1
