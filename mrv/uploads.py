"""Uploaded files: checked by content, read with limits, stored outside the web root, served by views.

- `read_upload(file)` → bytes, refusing files above `settings.UPLOAD_MAX_BYTES`.
- `sniff(data)` → what the bytes are (pdf, png, jpeg, xlsx, docx, csv), whatever the file is called.
- `read_table(data)` → the rows of an .xlsx (openpyxl, read-only, defusedxml installed) or a CSV
  (UTF-8 with or without BOM, or GBK), with row and column limits and formulas marked.
- `store_file(...)` → a `StoredFile` under a random name in MEDIA_ROOT; `file_response(stored)`
  serves it as an attachment (the view checks access first, see `mrv.ui.views.files`).

Every refusal is an `UploadRejected` whose message names the problem (and the row and column
where there is one); nothing is stored when a check fails.
"""

import csv
import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from mrv.models import StoredFile
from mrv.refusals import Refused

MAX_ROWS = 5000
MAX_COLUMNS = 30
XLSX_MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024

TOO_LARGE = _("The file is larger than the limit of %(limit)s.")
EMPTY_FILE = _("The file is empty.")
NOT_A_TABLE = _("The file is neither an Excel workbook (.xlsx) nor a CSV text file.")
NOT_ALLOWED_TYPE = _("Files of this type cannot be attached; use PDF, PNG, JPEG, XLSX, DOCX or CSV.")
BAD_WORKBOOK = _("The Excel workbook cannot be read (it is damaged, encrypted or not an .xlsx file).")
BAD_ENCODING = _("The CSV file is neither UTF-8 nor GBK text; save it as “CSV UTF-8” and upload it again.")
TOO_MANY_ROWS = _("The file has more than %(limit)s rows.")
TOO_MANY_COLUMNS = _("Row %(row)s has more than %(limit)s columns.")

XLSX = "xlsx"
CSV = "csv"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    CSV: "text/csv",
}


class UploadRejected(Refused, ValueError):
    """An uploaded file refused (size, type, content), with the row and column where known."""

    default_code = "upload"

    def __init__(self, message, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} B"


def read_upload(file) -> bytes:
    """The bytes of an uploaded file, refused above `settings.UPLOAD_MAX_BYTES` (read no further)."""
    limit = settings.UPLOAD_MAX_BYTES
    if getattr(file, "size", 0) and file.size > limit:
        raise UploadRejected(TOO_LARGE % {"limit": _megabytes(limit)})
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(TOO_LARGE % {"limit": _megabytes(limit)})
    if not data:
        raise UploadRejected(EMPTY_FILE)
    return data


def _zip_names(data: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        return None
    if sum(info.file_size for info in infos) > XLSX_MAX_UNCOMPRESSED_BYTES:
        raise UploadRejected(BAD_WORKBOOK)
    return {info.filename for info in infos}


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without byte-order mark), else GBK; None when it is neither (or not text)."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def sniff(data: bytes) -> str | None:
    """What the bytes are, judged by their content and never by the file name."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data) or set()
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return "docx"
        return None
    return CSV if decode_text(data) is not None else None


@dataclass(frozen=True)
class RawCell:
    value: Any
    is_formula: bool = False


@dataclass(frozen=True)
class RawRow:
    number: int  # 1-based, as a spreadsheet shows it
    cells: tuple[RawCell, ...]

    def value(self, index: int) -> Any:
        return self.cells[index].value if index < len(self.cells) else None


def _check_width(number: int, width: int) -> None:
    if width > MAX_COLUMNS:
        raise UploadRejected(TOO_MANY_COLUMNS % {"row": number, "limit": MAX_COLUMNS}, row=number)


def _trimmed(cells: list[RawCell]) -> tuple[RawCell, ...]:
    while cells and cells[-1].value in (None, ""):
        cells.pop()
    return tuple(cells)


def _xlsx_rows(data: bytes) -> list[RawRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign archive
        raise UploadRejected(BAD_WORKBOOK) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS + 1:
                raise UploadRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})
            cells = [RawCell(getattr(c, "value", None), getattr(c, "data_type", None) == "f") for c in row]
            cells = _trimmed(cells)
            _check_width(number, len(cells))
            rows.append(RawRow(number, cells))
        return rows
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[RawRow]:
    text = decode_text(data)
    if text is None:
        raise UploadRejected(BAD_ENCODING)
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > MAX_ROWS + 1:
            raise UploadRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})
        cells = _trimmed([RawCell(v.strip() or None, v.strip().startswith("=")) for v in row])
        _check_width(number, len(cells))
        rows.append(RawRow(number, cells))
    return rows


def read_table(data: bytes) -> tuple[str, list[RawRow]]:
    """('xlsx' or 'csv', rows) of a spreadsheet upload; the first sheet of a workbook."""
    kind = sniff(data)
    if kind == XLSX:
        return kind, _xlsx_rows(data)
    if data.startswith(b"PK\x03\x04"):
        raise UploadRejected(NOT_A_TABLE)
    if kind == CSV:
        return kind, _csv_rows(data)
    if kind is None and b"\x00" not in data:
        raise UploadRejected(BAD_ENCODING)
    raise UploadRejected(NOT_A_TABLE)


def _safe_name(name: str) -> str:
    name = Path(name or "file").name.replace("\x00", "").strip() or "file"
    return name[-200:]


def store_file(
    *,
    owner: models.Model,
    kind: str,
    data: bytes,
    original_name: str,
    acting_user,
    description: str = "",
    allowed: frozenset[str] = frozenset(CONTENT_TYPES),
) -> StoredFile:
    """Write `data` under a random name in MEDIA_ROOT and record it; refuse types outside `allowed`."""
    detected = sniff(data)
    if detected not in allowed:
        raise UploadRejected(NOT_ALLOWED_TYPE)
    storage_name = default_storage.save(
        f"stored/{secrets.token_hex(2)}/{secrets.token_hex(16)}", ContentFile(data), max_length=80
    )
    return StoredFile.objects.create(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=str(owner.pk),
        kind=kind,
        original_name=_safe_name(original_name),
        storage_name=storage_name,
        content_type=CONTENT_TYPES[detected],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        description=description[:300],
        uploaded_by=acting_user,
    )


def files_of(owner: models.Model, kind: str | None = None):
    files = StoredFile.objects.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk))
    return files.filter(kind=kind) if kind else files


def file_response(stored: StoredFile) -> FileResponse:
    """The file as a download (never shown inline); call only after checking access to its owner."""
    return FileResponse(
        default_storage.open(stored.storage_name, "rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
