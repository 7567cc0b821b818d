"""The only code that writes ledger rows.

Every movement is one `Transaction` whose entries sum to zero per unit. The accounts of a movement
are locked in a fixed order (by primary key) with SELECT … FOR UPDATE before their balances are read,
so two movements out of the same account run one after the other and a balance never goes negative.
The idempotency key is scoped to the acting account (the paying one) and bound to a SHA-256 of the
request: a retry, sequential or concurrent, returns the first transaction marked `replayed`; the same
key with another request is refused; a key another account used is a different key.

Round trips per movement: one statement locks the accounts; one INSERT checks every debit's cover
(after the lock, so it reads what earlier holders of the lock committed) and writes the transaction,
skipping it on a key already used; one INSERT writes the entries and one the audit row.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import Firm, Market
from mrv.refusals import Refused
from registry.models import ALLOWANCE, Account, Entry, Transaction
from signin import events as security_events
from signin.models import SecurityEvent

NOT_BALANCED = _("The entries of a transaction must sum to zero for every unit.")
NOT_WHOLE = _("Quantities are whole tonnes greater than zero.")
OTHER_MARKET = _("All accounts of a transaction must belong to its market.")
INSUFFICIENT = _("Account %(account)s holds %(held)s t of %(unit)s %(vintage)s; %(wanted)s t are needed.")
KEY_REQUIRED = _("An idempotency key is required.")
KEY_REUSED = _(
    "The idempotency key %(key)s was already used for a different request (recorded as transaction #%(tx)s); "
    "use a new key for a new request."
)
KEY_TOO_LONG = _("An idempotency key has at most %(max)s characters.")
KEY_NOT_PRINTABLE = _("An idempotency key may not contain control characters.")
KEY_MAX = 80
CONFLICT = _("A concurrent movement recorded the same thing first; reload and check before trying again.")
SAME_ACCOUNT = _("The receiving account must differ from the paying account.")


class LedgerError(Refused):
    """A movement that may not be recorded; the message is shown to the user as it is."""

    default_code = "ledger"


@dataclass(frozen=True)
class Unit:
    unit_type: str = ALLOWANCE
    vintage: int = 0
    project: str = ""

    def __str__(self) -> str:
        return f"{self.unit_type} {self.project} {self.vintage}".replace("  ", " ")


@dataclass(frozen=True)
class Leg:
    account: Account
    unit: Unit
    quantity: Decimal


def holding_account(firm: Firm) -> Account:
    account, _created = Account.objects.get_or_create(
        market_id=firm.market_id,
        firm=firm,
        kind=Account.Kind.HOLDING,
        defaults={"number": f"{firm.market.code.upper()}-H-{firm.credit_code}"},
    )
    return account


def government_account(market: Market, kind: str) -> Account:
    account, _created = Account.objects.get_or_create(
        market=market, firm=None, kind=kind, defaults={"number": f"{market.code.upper()}-G-{kind.upper()}"}
    )
    return account


def balance(account: Account, unit: Unit) -> Decimal:
    total = Entry.objects.filter(
        account=account, unit_type=unit.unit_type, vintage=unit.vintage, project=unit.project
    ).aggregate(q=Sum("quantity"))["q"]
    return total or Decimal(0)


def _validate(market: Market, legs: list[Leg]) -> None:
    sums: dict[Unit, Decimal] = defaultdict(Decimal)
    for leg in legs:
        if leg.quantity == 0 or leg.quantity != leg.quantity.to_integral_value():
            raise LedgerError(NOT_WHOLE)
        if leg.account.market_id != market.pk:
            raise LedgerError(OTHER_MARKET)
        sums[leg.unit] += leg.quantity
    if any(sums.values()):
        raise LedgerError(NOT_BALANCED)


def lock_accounts(accounts: Iterable[Account]) -> list[int]:
    """Lock the accounts in key order (one statement); returns their ids."""
    ids = sorted({a.pk for a in accounts})
    if connection.vendor != "postgresql":  # the embedded demo (SQLite): one writer at a time, nothing to lock
        return ids
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Account._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids])
        return [row[0] for row in cursor.fetchall()]


def request_sha256(kind: str, legs: list[Leg], fields: dict) -> str:
    """The fingerprint a key is bound to: kind, legs and the caller's fields, canonically ordered."""
    payload = {
        "kind": kind,
        "legs": sorted(
            [leg.account.pk, leg.unit.unit_type, leg.unit.vintage, leg.unit.project, str(leg.quantity)] for leg in legs
        ),
        "fields": {k: str(getattr(v, "pk", v)) for k, v in sorted(fields.items())},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def scoped_key(idempotency_key: str, legs: list[Leg]) -> str:
    """Keys belong to the acting (paying) account: the same key chosen by another account is another key."""
    if not idempotency_key:
        raise LedgerError(KEY_REQUIRED)
    if len(idempotency_key) > KEY_MAX:
        raise LedgerError(KEY_TOO_LONG % {"max": KEY_MAX})
    if not idempotency_key.isprintable():
        raise LedgerError(KEY_NOT_PRINTABLE)
    payer = min((leg.account.pk for leg in legs if leg.quantity < 0), default=0)
    return f"{payer}:{idempotency_key}"


def _earlier(key: str, sha: str, shown_key: str, kind: str) -> Transaction | None:
    """The transaction already recorded under this key, marked as a replay; another request under it is refused."""
    existing = Transaction.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    recorded = existing.request_sha256
    same = existing.kind == kind if not recorded else recorded == sha  # empty: a row from before the hash
    if not same:
        raise LedgerError(KEY_REUSED % {"key": shown_key, "tx": existing.pk})
    existing.replayed = True
    return existing


def _debits(legs: list[Leg]) -> dict[tuple[Account, Unit], Decimal]:
    debits: dict[tuple[Account, Unit], Decimal] = defaultdict(Decimal)
    for leg in legs:
        if not leg.account.may_go_negative:
            debits[(leg.account, leg.unit)] += leg.quantity
    return {k: -v for k, v in debits.items() if v < 0}


def _insert_transaction(values: dict, debits: dict) -> int | None:
    """INSERT the transaction only if every debit is covered and the key is new; its id, or None."""
    if connection.vendor != "postgresql":
        return _insert_transaction_portable(values, debits)
    fields = [(Transaction._meta.get_field(name), value) for name, value in values.items()]
    columns = ", ".join(connection.ops.quote_name(f.column) for f, _v in fields)
    params = [f.get_db_prep_save(v, connection) for f, v in fields]
    sql = f"INSERT INTO {Transaction._meta.db_table} ({columns}) SELECT {', '.join(['%s'] * len(fields))}"
    if debits:
        rows = ", ".join(["(%s::bigint, %s::varchar, %s::int, %s::varchar, %s::numeric)"] * len(debits))
        sql += (
            f" WHERE NOT EXISTS (SELECT 1 FROM (VALUES {rows}) AS d(account_id, unit_type, vintage, project, wanted)"
            f" WHERE COALESCE((SELECT SUM(e.quantity) FROM {Entry._meta.db_table} e WHERE e.account_id = d.account_id"
            " AND e.unit_type = d.unit_type AND e.vintage = d.vintage AND e.project = d.project), 0) < d.wanted)"
        )
        for (account, unit), wanted in debits.items():
            params += [account.pk, unit.unit_type, unit.vintage, unit.project, wanted]
    sql += " ON CONFLICT DO NOTHING RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _insert_transaction_portable(values: dict, debits: dict) -> int | None:
    """The same rule in plain ORM steps for the embedded demo (SQLite), where one writer runs at a time."""
    if Transaction.objects.filter(idempotency_key=values["idempotency_key"]).exists():
        return None
    if any(balance(account, unit) < wanted for (account, unit), wanted in debits.items()):
        return None
    tx = Transaction(**values)
    tx.save(force_insert=True)
    return tx.pk


def _why_not_inserted(debits: dict) -> LedgerError:
    for (account, unit), wanted in debits.items():
        held = balance(account, unit)
        if held < wanted:
            return LedgerError(
                INSUFFICIENT
                % {
                    "account": account.number,
                    "held": held,
                    "unit": unit.unit_type,
                    "vintage": unit.vintage,
                    "wanted": wanted,
                }
            )
    return LedgerError(CONFLICT)  # another unique rule (one reversal per transaction) was hit concurrently


def record(
    *,
    market: Market,
    kind: str,
    idempotency_key: str,
    legs: list[Leg],
    acting_user=None,
    check: Callable[[], None] | None = None,
    reason: str = "",
    unhashed: dict | None = None,
    savepoint: bool = True,
    **fields,
) -> Transaction:
    """Record one balanced movement, or return (with `replayed` set) the one already recorded for this request.

    `fields` are part of the request's fingerprint; `unhashed` fields (defaults such as today's date) are not.
    """
    key = scoped_key(idempotency_key, legs)
    _validate(market, legs)
    sha = request_sha256(kind, legs, fields)
    debits = _debits(legs)
    with transaction.atomic(savepoint=savepoint):
        lock_accounts(leg.account for leg in legs)
        if check is not None:
            existing = _earlier(key, sha, idempotency_key, kind)
            if existing:
                return existing
            check()
        created_by = acting_user if getattr(acting_user, "pk", None) else None
        values = {
            "market": market.pk,
            "kind": kind,
            "idempotency_key": key,
            "request_sha256": sha,
            "created_at": recorded_at(),
            "created_by": getattr(created_by, "pk", None),
            "memo": "",
        }
        values.update({name: getattr(v, "pk", v) for name, v in {**(unhashed or {}), **fields}.items()})
        values = {_column_field(name): v for name, v in values.items()}
        pk = _insert_transaction(values, debits)
        if pk is None:
            existing = _earlier(key, sha, idempotency_key, kind)
            if existing:
                return existing
            raise _why_not_inserted(debits)
        tx = Transaction(pk=pk, **{f: v for f, v in values.items()})
        tx._state.adding = False
        tx._state.db = "default"
        Entry.objects.bulk_create(
            Entry(
                transaction_id=pk,
                account_id=leg.account.pk,
                unit_type=leg.unit.unit_type,
                vintage=leg.unit.vintage,
                project=leg.unit.project,
                quantity=leg.quantity,
            )
            for leg in legs
        )
        log_action(
            tx,
            f"registry.transaction.{kind}",
            actor=created_by,
            reason=reason,
            changes={str(leg.account): (None, f"{leg.quantity:+} {leg.unit}") for leg in legs},
        )
        security_events.record(
            SecurityEvent.Action.REGISTRY_MOVEMENT,
            SecurityEvent.Outcome.SUCCESS,
            user=acting_user if getattr(acting_user, "pk", None) else None,
            object_ref=f"registry.transaction:{tx.pk}",
            detail=f"{kind} {market.code}",
        )
        if tx.firm_id and tx.compliance_year:  # a surrender or its reversal: the firm's position follows now
            from registry import positions

            positions.refresh_firms([tx.firm_id])
    tx.replayed = False
    return tx


_AS_OF: ContextVar[datetime.datetime | None] = ContextVar("registry_ledger_as_of", default=None)


def recorded_at() -> datetime.datetime:
    """When a movement is recorded: now, unless historical data is being seeded (`recorded_as_of`). Its day
    decides whether a surrender was on time (registry.positions)."""
    return _AS_OF.get() or timezone.now()


@contextmanager
def recorded_as_of(moment: datetime.datetime):
    """Record the movements of this block as of a past moment: seeding history (the demo), never a page."""
    token = _AS_OF.set(moment)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def _column_field(name: str) -> str:
    """`firm` -> `firm_id`: values are written by attribute name (ids for foreign keys)."""
    field = Transaction._meta.get_field(name)
    return field.attname


def move(source: Account, target: Account, unit: Unit, quantity: Decimal) -> list[Leg]:
    if source.pk == target.pk:
        raise LedgerError(SAME_ACCOUNT)
    return [Leg(source, unit, -quantity), Leg(target, unit, quantity)]
