"""The canonical serialisation of a record: RFC 8785 (JSON Canonicalization Scheme) and its SHA-256.

`rfc8785` (Trail of Bits, a maintained implementation checked against the RFC's test vectors) writes the
bytes: keys sorted by UTF-16 code units, no whitespace, strings with the minimal escaping, UTF-8. Our values
are first put in a form that stays the same across code and database versions: a Decimal becomes its
plain string at the column's scale (never a float, which would lose digits), a time becomes ISO 8601 in UTC
with microseconds, a date ISO 8601, a lazy translation its text. A float (only found inside JSON columns) is
written as RFC 8785 says: its shortest round-tripping form.
"""

import datetime
import hashlib
import json
from decimal import Decimal

import rfc8785
from django.utils.functional import Promise

ALGORITHM = "RFC 8785 JSON, SHA-256"


def plain(value):
    """`value` with every Decimal, time, date and lazy string in its canonical JSON form."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return value  # only inside JSON columns; RFC 8785 writes it in its shortest exact form (NaN refused)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise TypeError("a time of record must be aware")
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"cannot canonicalise {type(value).__name__}")


def canonical_text(content: dict) -> str:
    """The RFC 8785 text of `content` (after `plain`)."""
    return rfc8785.dumps(plain(content)).decode("utf-8")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def readable(text: str) -> str:
    """The canonical text indented for people (the download); its digest is of the canonical text."""
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True)
