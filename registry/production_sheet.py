"""The production-data sheet (Excel or CSV) a regulator imports: checked row by row before anything is saved.

Header row, then one firm-year a row. Columns (English or Chinese headers): credit_code / 统一社会信用代码,
year / 年份, output / 产量 (the sector's output unit, or MWh / GJ supplied), and optionally
declared_tco2e / 自主申报量 (Chongqing's self-declaration) and verified / 已核查 (yes/no, 是/否).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mrv import inputs
from mrv.models import Firm
from mrv.uploads import read_table

HEADERS = {
    "credit_code": "credit_code",
    "统一社会信用代码": "credit_code",
    "year": "year",
    "年份": "year",
    "output": "output",
    "产量": "output",
    "declared_tco2e": "declared_tco2e",
    "自主申报量": "declared_tco2e",
    "verified": "verified",
    "已核查": "verified",
}
REQUIRED = ("credit_code", "year", "output")
YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否", ""}
# The model's field: 16 digits, 3 decimals.
MAX_OUTPUT = Decimal("9999999999999.999")


@dataclass(frozen=True)
class ProductionRow:
    row: int
    firm: Firm
    year: int
    output: Decimal
    declared_tco2e: Decimal | None
    is_verified: bool


class SheetErrors(ValidationError):
    """Every bad cell of the sheet, each message naming row and column; nothing is saved."""


def _cell(row: int, column: str) -> str:
    return _("Row %(row)s, column %(col)s:") % {"row": row, "col": column}


def _number(value, row: int, column: str, errors: list, required: bool, places: str = "0.001") -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.append(f"{_cell(row, column)} {_('empty.')}")
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors.append(f"{_cell(row, column)} {_('“%(v)s” is not a number.') % {'v': value}}")
        return None
    if not number.is_finite() or number < 0 or number > MAX_OUTPUT:
        errors.append(f"{_cell(row, column)} {_('a figure between 0 and 9,999,999,999,999.')}")
        return None
    if number != number.quantize(Decimal(places)):
        errors.append(
            f"{_cell(row, column)} {_('at most %(n)s decimal places.') % {'n': len(places.partition('.')[2])}}"
        )
        return None
    return number


def _columns(header) -> tuple[dict[int, str], list[str]]:
    columns, errors = {}, []
    for index, cell in enumerate(header.cells):
        title = str(cell.value or "").strip()
        key = HEADERS.get(title) or HEADERS.get(title.lower())
        if key:
            columns[index] = key
        elif title:
            errors.append(_("Row 1, column %(col)s: unknown column “%(title)s”.") % {"col": index + 1, "title": title})
    for needed in REQUIRED:
        if needed not in columns.values():
            errors.append(_("Row 1: the column “%(name)s” is missing.") % {"name": needed})
    return columns, errors


def _parse_row(raw, columns: dict, firms: dict, errors: list) -> ProductionRow | None:
    values = {key: raw.value(index) for index, key in columns.items()}
    row, before = raw.number, len(errors)
    code = str(values.get("credit_code") or "").strip().upper()
    firm = firms.get(code)
    if not code:
        errors.append(f"{_cell(row, 'credit_code')} {_('empty.')}")
    elif firm is None:
        errors.append(f"{_cell(row, 'credit_code')} {_('“%(v)s” is no firm of this market.') % {'v': code}}")
    year = None
    try:
        year = inputs.parse_year(str(values.get("year") or "").strip().removesuffix(".0"))
    except ValidationError as error:
        errors.append(f"{_cell(row, 'year')} {' '.join(error.messages)}")
    output = _number(values.get("output"), row, "output", errors, required=True)
    declared = _number(values.get("declared_tco2e"), row, "declared_tco2e", errors, required=False, places="1")
    flag = str(values.get("verified") or "").strip().lower()
    if flag not in YES | NO:
        errors.append(f"{_cell(row, 'verified')} {_('write yes or no.')}")
    if len(errors) > before:
        return None
    return ProductionRow(row, firm, year, output, declared, flag in YES)


def parse_production(data: bytes, firms: list[Firm]) -> list[ProductionRow]:
    """The rows of the sheet, or `SheetErrors` listing every bad row and column."""
    _kind, rows = read_table(data)
    rows = [r for r in rows if any(c.value not in (None, "") for c in r.cells)]
    if not rows:
        raise SheetErrors([_("The sheet is empty.")])
    columns, errors = _columns(rows[0])
    if errors:
        raise SheetErrors(errors)
    by_code = {f.credit_code.upper(): f for f in firms if f.credit_code}
    parsed, seen = [], {}
    for raw in rows[1:]:
        item = _parse_row(raw, columns, by_code, errors)
        if item is None:
            continue
        key = (item.firm.pk, item.year)
        if key in seen:
            errors.append(
                f"{_cell(raw.number, 'year')} " + _("the same firm and year as row %(first)s.") % {"first": seen[key]}
            )
        seen[key] = raw.number
        parsed.append(item)
    if errors:
        raise SheetErrors(errors)
    if not parsed:
        raise SheetErrors([_("The sheet has a header but no row.")])
    return parsed
