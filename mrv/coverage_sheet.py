"""The covered-firm candidates sheet (Excel or CSV): parsed and checked row by row, before anything is saved.

Header row, then one firm a row. Columns (English or Chinese headers):
name / 企业名称, credit_code / 统一社会信用代码, sector / 行业 (code or name), installations / 设施
(separated by ;), new_entrant / 新进入者 (yes/no, 是/否), design_capacity / 设计产能, and per year
emissions_tco2e_<year> / 排放量_<year> and energy_tce_<year> / 能耗_<year>.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mrv.credit_code import validate_credit_code
from mrv.models import Sector
from mrv.uploads import read_table

HEADERS = {
    "name": "name",
    "企业名称": "name",
    "credit_code": "credit_code",
    "统一社会信用代码": "credit_code",
    "sector": "sector",
    "行业": "sector",
    "installations": "installations",
    "设施": "installations",
    "new_entrant": "new_entrant",
    "新进入者": "new_entrant",
    "design_capacity": "design_capacity",
    "设计产能": "design_capacity",
}
YEAR_HEADER = re.compile(r"^(emissions_tco2e|排放量|energy_tce|能耗)_(\d{4})$")
YEAR_FIELD = {
    "emissions_tco2e": "emissions_tco2e",
    "排放量": "emissions_tco2e",
    "energy_tce": "energy_tce",
    "能耗": "energy_tce",
}
YES = {"yes", "y", "true", "1", "是"}
NO = {"no", "n", "false", "0", "否", ""}
REQUIRED = ("name", "credit_code", "sector")


@dataclass
class Candidate:
    row: int
    name: str
    credit_code: str
    sector: Sector
    installations: str = ""
    is_new_entrant: bool = False
    design_capacity: Decimal | None = None
    figures: dict = field(default_factory=dict)


class SheetErrors(ValidationError):
    """Every bad cell of the sheet, each message naming row and column; nothing is saved."""


def _columns(header) -> tuple[dict[int, str], list[str]]:
    columns, errors = {}, []
    for index, cell in enumerate(header.cells):
        title = str(cell.value or "").strip()
        key = HEADERS.get(title) or HEADERS.get(title.lower())
        year = YEAR_HEADER.match(title.lower() if title.isascii() else title)
        if key:
            columns[index] = key
        elif year:
            columns[index] = f"{YEAR_FIELD[year.group(1)]}:{year.group(2)}"
        elif title:
            errors.append(_("Row 1, column %(col)s: unknown column “%(title)s”.") % {"col": index + 1, "title": title})
    for needed in REQUIRED:
        if needed not in columns.values():
            errors.append(_("Row 1: the column “%(name)s” is missing.") % {"name": needed})
    return columns, errors


def _decimal(value, row: int, column: str, errors: list) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        errors.append(
            _("Row %(row)s, column %(col)s: “%(v)s” is not a number.") % {"row": row, "col": column, "v": value}
        )
        return None
    if number < 0:
        errors.append(_("Row %(row)s, column %(col)s: a figure cannot be negative.") % {"row": row, "col": column})
        return None
    return number


def _sector(value, sectors: dict, row: int, errors: list) -> Sector | None:
    found = sectors.get(str(value or "").strip().lower())
    if found is None:
        errors.append(
            _("Row %(row)s, column sector: “%(v)s” is not a sector this market covers.") % {"row": row, "v": value}
        )
    return found


def _candidate(raw, columns: dict, sectors: dict, errors: list) -> Candidate | None:
    values = {key: raw.value(index) for index, key in columns.items()}
    row, before = raw.number, len(errors)
    for needed in REQUIRED:
        if values.get(needed) in (None, ""):
            errors.append(_("Row %(row)s, column %(col)s: empty.") % {"row": row, "col": needed})
    code = str(values.get("credit_code") or "").strip().upper()
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as error:
            errors.extend(f"{_('Row %(row)s, column credit_code:') % {'row': row}} {m}" for m in error.messages)
    sector = _sector(values.get("sector"), sectors, row, errors) if values.get("sector") else None
    flag = str(values.get("new_entrant") or "").strip().lower()
    if flag not in YES | NO:
        errors.append(_("Row %(row)s, column new_entrant: write yes or no.") % {"row": row})
    figures = {}
    for key, value in values.items():
        if ":" in key:
            name, year = key.split(":")
            number = _decimal(value, row, f"{name}_{year}", errors)
            if number is not None:
                figures.setdefault(year, {})[name] = str(number)
    capacity = _decimal(values.get("design_capacity"), row, "design_capacity", errors)
    if len(errors) > before:
        return None
    return Candidate(
        row=row,
        name=str(values["name"]).strip(),
        credit_code=code,
        sector=sector,
        installations=str(values.get("installations") or "").strip(),
        is_new_entrant=flag in YES,
        design_capacity=capacity,
        figures=figures,
    )


def parse_candidates(data: bytes, sectors: list[Sector]) -> list[Candidate]:
    """The candidates of the sheet, or `SheetErrors` listing every bad row and column."""
    _kind, rows = read_table(data)
    rows = [r for r in rows if any(c.value not in (None, "") for c in r.cells)]
    if not rows:
        raise SheetErrors([_("The sheet is empty.")])
    by_name = {}
    for s in sectors:
        by_name.update({s.code.lower(): s, s.name_zh.lower(): s, s.name_en.lower(): s})
    columns, errors = _columns(rows[0])
    if errors:
        raise SheetErrors(errors)
    candidates, seen = [], {}
    for raw in rows[1:]:
        candidate = _candidate(raw, columns, by_name, errors)
        if candidate is None:
            continue
        if candidate.credit_code in seen:
            errors.append(
                _("Row %(row)s, column credit_code: the same code as row %(first)s.")
                % {"row": raw.number, "first": seen[candidate.credit_code]}
            )
        seen[candidate.credit_code] = raw.number
        candidates.append(candidate)
    if errors:
        raise SheetErrors(errors)
    if not candidates:
        raise SheetErrors([_("The sheet has a header but no firm.")])
    return candidates
