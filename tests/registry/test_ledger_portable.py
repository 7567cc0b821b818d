"""The embedded demo's (SQLite) path of the ledger's insert: the same rule as PostgreSQL's one statement."""

from decimal import Decimal as D

from django.utils import timezone

from registry import ledger
from registry.models import ALLOWANCE, Transaction


def _values(account, key: str) -> dict:
    return {
        "market_id": account.market_id,
        "kind": Transaction.Kind.TRANSFER,
        "idempotency_key": key,
        "request_sha256": "0" * 64,
        "created_at": timezone.now(),
        "memo": "",
    }


def test_a_covered_debit_with_a_new_key_is_inserted(funded):
    payer, _payee = funded
    debits = {(payer, ledger.Unit(ALLOWANCE, 2025)): D(400)}
    pk = ledger._insert_transaction_portable(_values(payer, "p:new"), debits)
    assert Transaction.objects.get(pk=pk).idempotency_key == "p:new"


def test_an_uncovered_debit_or_a_used_key_inserts_nothing(funded):
    payer, _payee = funded
    before = Transaction.objects.count()
    too_much = {(payer, ledger.Unit(ALLOWANCE, 2025)): D(1001)}
    assert ledger._insert_transaction_portable(_values(payer, "p:short"), too_much) is None
    used = Transaction.objects.first().idempotency_key
    assert ledger._insert_transaction_portable(_values(payer, used), {}) is None
    assert Transaction.objects.count() == before
