"""Set-based writes of many new rows: PostgreSQL's COPY where the database is PostgreSQL, `bulk_create` elsewhere
(the embedded demo's SQLite).

Django's `bulk_create` prepares every value of every row in Python (a Decimal column alone costs a quantize per
value), which is most of the time of a large insert; COPY sends the rows as text and lets PostgreSQL convert
them. The callers have already checked each value against its column (`mrv.services.reports._decimal`), so a
row that COPY would refuse never reaches it.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return str(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert_rows(model: type[models.Model], rows: list[dict], *, batch_size: int = 1000) -> None:
    """Insert new rows of `model`, each a dict of field attnames (`report_id`, not `report`) to values, in one
    COPY on PostgreSQL. A field a row leaves out takes its default (an `auto_now` date: now); no primary keys
    come back.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    now = timezone.now()
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    names = [f.attname for f in fields]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_text(row[name] if name in row else defaults[name]) for name in names))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
