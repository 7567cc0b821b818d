"""Uploaded files: checked by content, read with limits, stored outside the web root, served by views.

- `read_upload(file)` → bytes, refusing files above `settings.UPLOAD_MAX_BYTES`.
- `sniff(data)` → what the bytes are (pdf, png, jpeg, xlsx, docx, csv), whatever the file is called;
  `check_name(kind, name)` refuses a file whose name promises another type (an .html called "CSV").
- A workbook is refused before any row is read when a zip entry is larger than the limits when
  unpacked or a sheet declares (`<dimension ref>`) more rows or columns than are read; rows are then
  read with explicit bounds, so a 1 KB "dimension bomb" costs nothing.
- `read_table(data)` → the rows of an .xlsx (openpyxl, read-only, defusedxml installed) or a CSV
  (UTF-8 with or without BOM, or GBK), with row and column limits and formulas marked, within a CPU
  budget (`ParseBudget`): a file that costs more CPU than the budget is refused, naming the row reached,
  so no upload can keep a web or worker process busy for longer than the settings allow.
- `store_file(...)` → a `StoredFile` under a random name in MEDIA_ROOT; `file_response(stored)`
  serves it as an attachment (the view checks access first, see `mrv.ui.views.files`).

Every refusal is an `UploadRejected` whose message names the problem (and the row and column
where there is one); nothing is stored when a check fails.
"""

import csv
import hashlib
import io
import re
import secrets
import time
import zipfile
from collections.abc import Callable
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
XLSX_MAX_SHEET_BYTES = 16 * 1024 * 1024  # 5,000 rows of 30 cells take well under 10 MB of sheet XML
XLSX_MAX_ENTRIES = 200

TOO_LARGE = _("The file is larger than the limit of %(limit)s.")
EMPTY_FILE = _("The file is empty.")
NOT_A_TABLE = _("The file is neither an Excel workbook (.xlsx) nor a CSV text file.")
NOT_ALLOWED_TYPE = _("Files of this type cannot be attached; use PDF, PNG, JPEG, XLSX, DOCX or CSV.")
BAD_WORKBOOK = _("The Excel workbook cannot be read (it is damaged, encrypted or not an .xlsx file).")
BAD_ENCODING = _("The CSV file is neither UTF-8 nor GBK text; save it as “CSV UTF-8” and upload it again.")
TOO_MANY_ROWS = _("The file has more than %(limit)s rows.")
TOO_MANY_COLUMNS = _("Row %(row)s has more than %(limit)s columns.")
UNPACKS_TOO_LARGE = _(
    "The workbook unpacks to more than %(limit)s (part “%(part)s”); save only the data sheet and upload it again."
)
DECLARES_TOO_LARGE = _(
    "Sheet “%(part)s” declares %(rows)s rows × %(columns)s columns (%(ref)s); at most %(max_rows)s rows "
    "and %(max_columns)s columns are read. Delete the empty rows and columns and upload it again."
)
NAME_MISMATCH = _(
    "The file is called “%(name)s” but its content is %(found)s; upload a file whose type matches its name."
)
MARKUP_NOT_TEXT = _("The file contains HTML, SVG or XML markup, not CSV text.")
BINARY_NOT_TEXT = _("The file contains binary data, not CSV text.")
OVER_BUDGET = _(
    "Reading the file took more than %(seconds)s seconds of processing (stopped at row %(row)s); "
    "split it into smaller files and upload them one by one."
)

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


SAFE_DEFAULT_TYPE = "application/octet-stream"


class UploadRejected(Refused, ValueError):
    """An uploaded file refused (size, type, content), with the row and column where known."""

    default_code = "upload"

    def __init__(self, message, *, row: int | None = None, column: str | None = None, code: str | None = None):
        super().__init__(message, code)
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
    """The entry names of a zip archive, refused when the declared unpacked sizes pass the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if len(infos) > XLSX_MAX_ENTRIES:
        raise UploadRejected(BAD_WORKBOOK)
    total = 0
    for info in infos:
        total += info.file_size
        if total > XLSX_MAX_UNCOMPRESSED_BYTES or (_is_sheet(info.filename) and info.file_size > XLSX_MAX_SHEET_BYTES):
            limit = XLSX_MAX_SHEET_BYTES if _is_sheet(info.filename) else XLSX_MAX_UNCOMPRESSED_BYTES
            raise UploadRejected(UNPACKS_TOO_LARGE % {"limit": _megabytes(limit), "part": info.filename[:80]})
    return {info.filename for info in infos}


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=[\"']([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?[\"']")


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _declared_size(head: bytes) -> tuple[int, int, str] | None:
    """(rows, columns, ref) from a sheet's `<dimension ref="A1:XFD1048576"/>`, read from its first bytes."""
    found = _DIMENSION.search(head)
    if not found:
        return None
    first_col, first_row, last_col, last_row = found.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    if not last_col or not last_row:
        return None
    rows = int(last_row) - int(first_row or 1) + 1
    columns = _column_number(last_col) - _column_number(first_col or b"A") + 1
    return max(rows, 1), max(columns, 1), found.group(0).decode("ascii", "replace")


def check_workbook_size(data: bytes) -> None:
    """Refuse a workbook whose entries unpack too large or whose sheets declare too many rows or columns.

    Reads only the first bytes of each sheet; runs before openpyxl sees the file.
    """
    _zip_names(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not _is_sheet(info.filename):
                continue
            try:
                with archive.open(info) as stream:
                    head = stream.read(4096)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
                raise UploadRejected(BAD_WORKBOOK) from None
            declared = _declared_size(head)
            if declared and declared[1] <= MAX_COLUMNS and declared[0] > MAX_ROWS + 1:
                raise UploadRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})
            if declared and declared[1] > MAX_COLUMNS:
                rows, columns, ref = declared
                raise UploadRejected(
                    DECLARES_TOO_LARGE
                    % {
                        "part": info.filename.rsplit("/", 1)[-1],
                        "rows": f"{rows:,}",
                        "columns": f"{columns:,}",
                        "ref": ref,
                        "max_rows": f"{MAX_ROWS:,}",
                        "max_columns": MAX_COLUMNS,
                    }
                )


def row_estimate(data: bytes) -> int | None:
    """How many rows a table upload holds, for a progress bar: CSV lines, or a workbook's declared rows."""
    if not data.startswith(b"PK\x03\x04"):
        return min(data.count(b"\n") + 1, MAX_ROWS + 1)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if _is_sheet(info.filename):
                    with archive.open(info) as stream:
                        declared = _declared_size(stream.read(4096))
                    return min(declared[0], MAX_ROWS + 1) if declared else None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        return None
    return None


_MARKUP = re.compile(r"^\s*<|<\s*(?:script|svg|html|iframe|body|object|embed)[\s>/]|<!doctype|<\?xml", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def text_problem(text: str):
    """Why decoded text is not a CSV file (markup or binary), or None."""
    if _MARKUP.search(text[:65536]):
        return MARKUP_NOT_TEXT
    if _CONTROL.search(text):
        return BINARY_NOT_TEXT
    return None


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
        if "[Content_Types].xml" not in names:
            return None
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return "docx"
        return None
    text = decode_text(data)
    return CSV if text is not None and text_problem(text) is None else None


EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "xlsx": XLSX,
    "docx": "docx",
    "csv": CSV,
    "txt": CSV,
}
KIND_NAMES = {
    "pdf": _("a PDF document"),
    "png": _("a PNG image"),
    "jpeg": _("a JPEG image"),
    XLSX: _("an Excel workbook"),
    "docx": _("a Word document"),
    CSV: _("CSV text"),
    None: _("of no accepted type"),
}


def check_name(kind: str | None, name: str) -> None:
    """Refuse a file whose name (extension) promises something other than what its bytes are."""
    extension = Path(name or "").suffix.lower().lstrip(".")
    if EXTENSIONS.get(extension) != kind or kind is None:
        raise UploadRejected(NAME_MISMATCH % {"name": safe_name(name)[:80], "found": KIND_NAMES.get(kind)})


def check_text(data: bytes) -> str:
    """The decoded text of a CSV upload, or `UploadRejected` naming why it is not CSV text."""
    text = decode_text(data)
    if text is None:
        if b"\x00" in data or data.startswith(b"PK\x03\x04"):
            raise UploadRejected(BINARY_NOT_TEXT)
        raise UploadRejected(BAD_ENCODING)
    problem = text_problem(text)
    if problem:
        raise UploadRejected(problem)
    return text


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


class ParseBudget:
    """CPU seconds a parse may spend, checked every `EVERY` rows; `on_rows(k)` reports progress.

    CPU time of the calling thread (`time.thread_time`) is what a hostile file consumes, and it is the
    same in a web process and a worker thread, whatever else the machine is doing. The web request
    reads with `settings.UPLOAD_PARSE_CPU_SECONDS`, the background job with `UPLOAD_JOB_CPU_SECONDS`.
    """

    EVERY = 200

    def __init__(self, seconds: float | None = None, on_rows: Callable[[int], None] | None = None):
        self.seconds = settings.UPLOAD_PARSE_CPU_SECONDS if seconds is None else seconds
        self.on_rows = on_rows
        self.started = time.thread_time()

    def check(self, row: int) -> None:
        """Called for every row read; raises `UploadRejected` once the budget is spent."""
        if row % self.EVERY:
            return
        if self.on_rows is not None:
            self.on_rows(self.EVERY)
        if time.thread_time() - self.started > self.seconds:
            raise UploadRejected(OVER_BUDGET % {"seconds": self.seconds, "row": row}, row=row)


def _check_width(number: int, width: int) -> None:
    if width > MAX_COLUMNS:
        raise UploadRejected(TOO_MANY_COLUMNS % {"row": number, "limit": MAX_COLUMNS}, row=number)


def _trimmed(cells: list[RawCell]) -> tuple[RawCell, ...]:
    while cells and cells[-1].value in (None, ""):
        cells.pop()
    return tuple(cells)


def _xlsx_rows(data: bytes, budget: ParseBudget) -> list[RawRow]:
    check_workbook_size(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign archive
        raise UploadRejected(BAD_WORKBOOK) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        bounded = sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, min_col=1, max_col=MAX_COLUMNS + 1)
        for number, row in enumerate(bounded, start=1):
            if number > MAX_ROWS + 1:
                raise UploadRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})
            budget.check(number)
            cells = [RawCell(getattr(c, "value", None), getattr(c, "data_type", None) == "f") for c in row]
            cells = _trimmed(cells)
            _check_width(number, len(cells))
            rows.append(RawRow(number, cells))
        return rows
    except UploadRejected:
        raise
    except Exception:  # a sheet that lies about its structure fails while being read
        raise UploadRejected(BAD_WORKBOOK) from None
    finally:
        workbook.close()


def _csv_rows(data: bytes, budget: ParseBudget) -> list[RawRow]:
    text = check_text(data)
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > MAX_ROWS + 1:
            raise UploadRejected(TOO_MANY_ROWS % {"limit": MAX_ROWS})
        budget.check(number)
        cells = _trimmed([RawCell(v.strip() or None, v.strip().startswith("=")) for v in row])
        _check_width(number, len(cells))
        rows.append(RawRow(number, cells))
    return rows


def read_table(data: bytes, budget: ParseBudget | None = None) -> tuple[str, list[RawRow]]:
    """('xlsx' or 'csv', rows) of a spreadsheet upload; the first sheet of a workbook."""
    budget = budget or ParseBudget()
    kind = sniff(data)
    if kind == XLSX:
        return kind, _xlsx_rows(data, budget)
    if data.startswith(b"PK\x03\x04"):
        raise UploadRejected(NOT_A_TABLE)
    if kind == CSV or (kind is None and decode_text(data) is not None):
        return CSV, _csv_rows(data, budget)
    if kind is None and b"\x00" not in data:
        raise UploadRejected(BAD_ENCODING)
    raise UploadRejected(NOT_A_TABLE)


def safe_name(name: str) -> str:
    name = Path(name or "file").name.replace("\x00", "").strip() or "file"
    return name[-200:]


def check_file(data: bytes, name: str, allowed: frozenset[str] = frozenset(CONTENT_TYPES)) -> str:
    """The kind of an upload to be stored: an allowed type, judged by its bytes, that matches its name."""
    detected = sniff(data)
    if detected == CSV or (detected is None and decode_text(data) is not None):
        check_text(data)
    if detected not in allowed:
        raise UploadRejected(NOT_ALLOWED_TYPE)
    check_name(detected, name)
    return detected


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
    detected = check_file(data, original_name, allowed)
    storage_name = default_storage.save(
        f"stored/{secrets.token_hex(2)}/{secrets.token_hex(16)}", ContentFile(data), max_length=80
    )
    return StoredFile.objects.create(
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=str(owner.pk),
        kind=kind,
        original_name=safe_name(original_name),
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


def download_headers(response: FileResponse) -> FileResponse:
    """Never sniffed into HTML or script, never run in the site's origin, whatever the file holds."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def file_response(stored: StoredFile) -> FileResponse:
    """The file as a download (never shown inline); call only after checking access to its owner."""
    content_type = stored.content_type if stored.content_type in CONTENT_TYPES.values() else SAFE_DEFAULT_TYPE
    response = FileResponse(
        default_storage.open(stored.storage_name, "rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=content_type,
    )
    return download_headers(response)


def attachment_response(file, filename: str) -> FileResponse:
    """A stored file (e.g. a plan attachment) as a download whose type is judged by its bytes, never its name."""
    with file.open("rb") as handle:
        data = handle.read()
    content_type = CONTENT_TYPES.get(sniff_quietly(data), SAFE_DEFAULT_TYPE)
    return download_headers(
        FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type)
    )


def sniff_quietly(data: bytes) -> str | None:
    try:
        return sniff(data)
    except UploadRejected:
        return None
