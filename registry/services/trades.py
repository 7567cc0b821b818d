"""Importing the exchange's trades from a CSV file: all rows or none."""

import csv
import datetime
import io
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mrv import inputs, jobs, uploads
from mrv.models import Market
from mrv.refusals import Refused
from registry.ledger import (
    LedgerError,
    Unit,
)
from registry.models import (
    ALLOWANCE,
    Account,
)
from registry.models import Transaction as Tx
from registry.services.common import _require_regulator, _whole
from registry.services.transfers import units_transfer

TRADE_COLUMNS = ["trade_id", "trade_date", "seller_account", "buyer_account", "vintage", "quantity", "price_cny_per_t"]
IMPORT_HEADER = _("The first line must be the header: %(columns)s.")
IMPORT_EMPTY = _("The file has no trades.")
IMPORT_ENCODING = _("The file must be UTF-8 CSV.")


class ImportRejected(Refused):
    """A trade file refused as a whole, with every row's reason (nothing is imported)."""

    default_code = "import"

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass
class TradeRow:
    line: int
    trade_id: str
    trade_date: datetime.date
    seller: Account
    buyer: Account
    vintage: int
    quantity: Decimal
    price: Decimal


TRADE_ID_MAX_LENGTH = 60


def _parse_trade(line: int, row: dict, accounts: dict[str, Account], seen: set) -> tuple[TradeRow | None, list[str]]:
    errors = []

    def bad(message, **kw):
        errors.append(str(_("Row %(line)s: ") % {"line": line}) + str(message % kw if kw else message))

    trade_id = (row.get("trade_id") or "").strip()
    if not trade_id:
        bad(_("trade_id is empty."))
    elif len(trade_id) > TRADE_ID_MAX_LENGTH:
        bad(_("trade_id is longer than %(limit)s characters."), limit=TRADE_ID_MAX_LENGTH)
    elif trade_id in seen:
        bad(_("trade_id %(id)s appears twice in the file."), id=trade_id)
    seen.add(trade_id)
    try:
        trade_date = datetime.date.fromisoformat((row.get("trade_date") or "").strip())
    except ValueError:
        bad(_("trade_date %(v)r is not a date (YYYY-MM-DD)."), v=row.get("trade_date"))
        trade_date = None
    parties = {}
    for column in ("seller_account", "buyer_account"):
        number = (row.get(column) or "").strip()
        parties[column] = accounts.get(number)
        if parties[column] is None:
            bad(_("%(col)s %(v)r is not a holding account of this market."), col=column, v=number)
    if parties["seller_account"] and parties["seller_account"] == parties["buyer_account"]:
        bad(_("seller and buyer are the same account."))
    try:
        vintage = inputs.parse_year(row.get("vintage"))
    except ValidationError as error:
        bad(_("vintage: %(why)s"), why=" ".join(error.messages))
        vintage = None
    try:
        quantity = _whole((row.get("quantity") or "").strip())
    except LedgerError:
        bad(_("quantity %(v)r is not a whole number of tonnes above zero."), v=row.get("quantity"))
        quantity = None
    try:
        price = inputs.amount_for(Tx, "price_cny_per_t", row.get("price_cny_per_t"))
    except ValidationError as error:
        bad(_("price_cny_per_t: %(why)s"), why=" ".join(error.messages))
        price = None
    if errors:
        return None, errors
    return TradeRow(
        line, trade_id, trade_date, parties["seller_account"], parties["buyer_account"], vintage, quantity, price
    ), []


def trades_import(*, market: Market, data: bytes, acting_user, on_rows=None) -> list[Tx]:
    """Record a CSV of settled trades: every row is checked first; one bad row and nothing is recorded.

    `on_rows(k)` (a background job's progress) is told of each row checked; the recording that follows
    is one transaction, all rows or none."""
    _require_regulator(acting_user, market.pk)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([str(IMPORT_ENCODING)]) from None
    problem = uploads.text_problem(text)
    if problem:
        raise ImportRejected([str(problem)])
    reader = csv.DictReader(io.StringIO(text))
    if [c.strip() for c in (reader.fieldnames or [])] != TRADE_COLUMNS:
        raise ImportRejected([str(IMPORT_HEADER % {"columns": ",".join(TRADE_COLUMNS)})])
    accounts = {a.number: a for a in Account.objects.filter(market=market, kind=Account.Kind.HOLDING)}
    rows, errors, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        if on_rows is not None:
            on_rows(1)
        parsed, row_errors = _parse_trade(line, raw, accounts, seen)
        errors += row_errors
        if parsed:
            rows.append(parsed)
    if not rows and not errors:
        errors.append(str(IMPORT_EMPTY))
    if errors:
        raise ImportRejected(errors)
    recorded = []
    with transaction.atomic():
        for row in rows:
            try:
                recorded.append(
                    units_transfer(
                        from_account=row.seller,
                        to_account=row.buyer,
                        unit=Unit(ALLOWANCE, row.vintage),
                        quantity=row.quantity,
                        idempotency_key=f"trade:{market.code}:{row.trade_id}",
                        acting_user=acting_user,
                        kind=Tx.Kind.TRADE,
                        price_cny_per_t=row.price,
                        trade_date=row.trade_date,
                    )
                )
            except LedgerError as exc:
                raise ImportRejected([str(_("Row %(line)s: ") % {"line": row.line}) + str(exc.message)]) from None
    return recorded


# --- Large files: read and recorded by a worker --------------------------------------------------

TRADE_IMPORT_JOB = "trade_import"
TRADE_IMPORT_TITLE = _("Importing the settled trades of “%(name)s” into %(market)s")
TRADES_RECORDED = _("%(n)s trades recorded.")


def trades_import_is_large(data: bytes) -> bool:
    """Whether a trade file is recorded by a worker rather than within the request."""
    return data.count(b"\n") > settings.TRADE_IMPORT_INLINE_ROWS


def trades_import_later(*, market: Market, data: bytes, file_name: str, acting_user, return_url: str = ""):
    """Keep the file and queue the job that checks and records it (the regulator follows its progress)."""
    _require_regulator(acting_user, market.pk)
    uploads.check_name(uploads.CSV, file_name)
    uploads.check_text(data)
    pending = default_storage.save(f"pending/{secrets.token_hex(16)}", ContentFile(data), max_length=80)
    name = uploads.safe_name(file_name)
    return jobs.job_start(
        kind=TRADE_IMPORT_JOB,
        title=TRADE_IMPORT_TITLE % {"name": name, "market": market},
        params={"market": market.pk, "pending": pending, "name": name},
        acting_user=acting_user,
        return_url=return_url,
    )


@jobs.handler(TRADE_IMPORT_JOB)
def _record_pending_trades(job, progress):
    pending = job.params["pending"]
    try:
        with default_storage.open(pending, "rb") as stored:
            data = stored.read()
        progress.total(max(data.count(b"\n") - 1, 0))
        market = Market.objects.get(pk=job.params["market"])
        try:
            recorded = trades_import(market=market, data=data, acting_user=job.requested_by, on_rows=progress.advance)
        except ImportRejected as refused:
            raise jobs.JobRefused(refused.errors) from None
        return jobs.Done(str(TRADES_RECORDED % {"n": len(recorded)}))
    finally:
        default_storage.delete(pending)
