"""The activity-data spreadsheet: an Excel template generated from the approved monitoring plan, and
the parser of the filled-in file (xlsx, or CSV in UTF-8 or GBK).

Layout (one sheet, also valid as CSV):
    row 1   metadata: MRV-ACTIVITY | template | <TEMPLATE_VERSION> | plan | <plan version> | period | <year-period>
    row 2   column headings (translated; the parser goes by position)
    row 3…  one row per source stream and month: stream code, stream name, source, month, activity data,
            unit, NCV, carbon content, oxidation rate, emission factor, biomass fraction, hourly mean
            flue-gas flow, mean concentration (the last three added later, at the end)

The parser is pure: it returns the rows and every problem found (row, column, message); the caller
saves nothing unless there is no problem. `SheetContext` and `StreamSpec` describe the plan the
sheet is checked against; `ActivityRow` is one parsed line.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from mrv import inputs, uploads
from mrv.calculation import negative_activity_allowed
from mrv.models import ActivityDataRow
from mrv.validation import ENERGY_METHODS, OPTIONAL_PARAMETERS, REQUIRED_PARAMETERS

MARKER = "MRV-ACTIVITY"
# Still 1: the three columns added later sit at the end, so a file made before them reads the same.
TEMPLATE_VERSION = "1"
FIRST_DATA_ROW = 3
PARAMETERS = ActivityDataRow.PARAMETERS
NUMBER_FIELDS = ("activity", *PARAMETERS)
# position of every column, 0-based
COLUMNS = ("stream", "stream_name", "source", "month", "activity", "unit", *PARAMETERS)
HEADINGS = {
    "stream": _("source stream code"),
    "stream_name": _("source stream"),
    "source": _("emission source"),
    "month": _("month"),
    "activity": _("activity data"),
    "unit": _("unit"),
    "ncv": _("net calorific value"),
    "carbon_content": _("carbon content"),
    "oxidation_rate": _("oxidation rate"),
    "emission_factor": _("emission factor"),
    "biomass_fraction": _("biomass fraction"),
    "flow_rate": _("hourly mean flue-gas flow"),
    "concentration": _("mean concentration"),
    # not columns: named by the report diff
    "counterparty": _("counterparty"),
    "approval_reference": _("regulator's approval"),
    "biomass_co2_t": _("biomass CO2 (not counted)"),
}

NOT_A_TEMPLATE = _("This is not an activity-data template of this system: download the template and fill it in.")
WRONG_TEMPLATE_VERSION = _(
    "The template is version %(found)s; this system reads version %(expected)s. Download a new template."
)
WRONG_PLAN_VERSION = _(
    "The template was made from monitoring plan version %(found)s, but the report follows version %(expected)s. "
    "Download a new template."
)
WRONG_PERIOD = _("The template is for %(found)s, but this report is for %(expected)s.")
FORMULA = _("Row %(row)s, column %(column)s (%(field)s): formulas are not accepted; enter the value.")
NOT_A_NUMBER = _("Row %(row)s, column %(column)s (%(field)s): “%(value)s” is not a number.")
NEGATIVE = _("Row %(row)s, column %(column)s (%(field)s): the value must not be negative.")
BAD_NUMBER = _("Row %(row)s, column %(column)s (%(field)s): %(why)s")
UNKNOWN_STREAM = _(
    "Row %(row)s, column %(column)s (%(field)s): “%(value)s” is not a source stream of the approved monitoring plan."
)
BAD_MONTH = _("Row %(row)s, column %(column)s (%(field)s): month “%(value)s” is outside the reporting period.")
DUPLICATE_ROW = _(
    "Row %(row)s, column %(column)s (%(field)s): source stream %(stream)s, month %(month)s is already in row %(first)s."
)
WRONG_UNIT = _("Row %(row)s, column %(column)s (%(field)s): the unit is “%(value)s”, but the plan says “%(expected)s”.")
NO_ROWS = _("The file has no data rows.")


@dataclass(frozen=True)
class StreamSpec:
    """One source stream of the approved monitoring plan, as the sheet needs it."""

    code: str
    name: str
    source: str
    activity_unit: str
    parameters: tuple[str, ...] = ()
    activity_may_be_negative: bool = False  # a regulator-approved figure of a process that binds CO2


@dataclass(frozen=True)
class SheetContext:
    plan_version: str
    period_label: str  # e.g. "2025-annual"
    months: tuple[int, ...]
    streams: tuple[StreamSpec, ...]

    def stream(self, code: str) -> StreamSpec | None:
        return next((s for s in self.streams if s.code == code), None)


@dataclass(frozen=True)
class ActivityRow:
    """One source stream in one month, as entered; parameters the firm leaves blank are None."""

    stream: str
    month: int
    activity: Decimal | None
    ncv: Decimal | None = None
    carbon_content: Decimal | None = None
    oxidation_rate: Decimal | None = None
    emission_factor: Decimal | None = None
    biomass_fraction: Decimal | None = None
    flow_rate: Decimal | None = None
    concentration: Decimal | None = None
    row_number: int | None = None

    def values(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in NUMBER_FIELDS}


@dataclass(frozen=True)
class SheetIssue:
    message: str
    row: int | None = None
    column: str | None = None  # spreadsheet letter
    field: str | None = None


@dataclass
class SheetResult:
    rows: list[ActivityRow] = field(default_factory=list)
    issues: list[SheetIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def letter(name: str) -> str:
    return get_column_letter(COLUMNS.index(name) + 1)


def _issue(message, number: int, name: str, **extra) -> SheetIssue:
    values = {"row": number, "column": letter(name), "field": force_str(HEADINGS[name]), **extra}
    return SheetIssue(force_str(message) % values, row=number, column=letter(name), field=name)


class NumberRejected(ValueError):
    """A number that is not finite or does not fit the activity-data columns; `why` says which."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def parse_number(value) -> Decimal | None:
    """A Decimal from a cell; None for a blank; ValueError for text, `NumberRejected` for NaN, Infinity or a
    number the columns cannot hold. Floats go through their shortest repr."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    try:
        inputs.amount_for(ActivityDataRow, "activity", number, allow_negative=True)
    except ValidationError as error:
        raise NumberRejected(" ".join(error.messages)) from None
    return number


def check_number(
    value, number: int, name: str, issues: list[SheetIssue], *, may_be_negative: bool = False
) -> Decimal | None:
    try:
        amount = parse_number(value)
    except NumberRejected as rejected:
        issues.append(_issue(BAD_NUMBER, number, name, why=rejected.why))
        return None
    except ValueError:
        issues.append(_issue(NOT_A_NUMBER, number, name, value=str(value)[:40]))
        return None
    if amount is not None and amount < 0 and not may_be_negative:
        issues.append(_issue(NEGATIVE, number, name))
        return None
    return amount


def _month(value) -> int | None:
    try:
        month = parse_number(value)
    except ValueError:
        return None
    if month is None or month != month.to_integral_value():
        return None
    return int(month)


def _check_metadata(row: uploads.RawRow | None, context: SheetContext) -> list[SheetIssue]:
    cells = [force_str(row.value(i) if row else "").strip() for i in range(7)]
    if cells[0] != MARKER:
        return [SheetIssue(force_str(NOT_A_TEMPLATE), row=1, column="A")]
    if cells[2] != TEMPLATE_VERSION:
        message = WRONG_TEMPLATE_VERSION % {"found": cells[2] or "?", "expected": TEMPLATE_VERSION}
        return [SheetIssue(force_str(message), row=1, column="C")]
    if cells[4] != str(context.plan_version):
        message = WRONG_PLAN_VERSION % {"found": cells[4] or "?", "expected": context.plan_version}
        return [SheetIssue(force_str(message), row=1, column="E")]
    if cells[6] != context.period_label:
        message = WRONG_PERIOD % {"found": cells[6] or "?", "expected": context.period_label}
        return [SheetIssue(force_str(message), row=1, column="G")]
    return []


def _parse_row(raw: uploads.RawRow, context: SheetContext, issues: list[SheetIssue]) -> ActivityRow | None:
    before = len(issues)
    for index, cell in enumerate(raw.cells):
        if cell.is_formula and index < len(COLUMNS):
            issues.append(_issue(FORMULA, raw.number, COLUMNS[index]))
    if len(issues) > before:
        return None
    code = force_str(raw.value(0) or "").strip()
    spec = context.stream(code)
    if spec is None:
        issues.append(_issue(UNKNOWN_STREAM, raw.number, "stream", value=code))
    month_value = raw.value(COLUMNS.index("month"))
    month = _month(month_value)
    if month not in context.months:
        issues.append(_issue(BAD_MONTH, raw.number, "month", value=force_str(month_value or "")))
    unit = force_str(raw.value(COLUMNS.index("unit")) or "").strip()
    if spec and unit and unit != spec.activity_unit:
        issues.append(_issue(WRONG_UNIT, raw.number, "unit", value=unit, expected=spec.activity_unit))
    negative_ok = spec is not None and spec.activity_may_be_negative
    amounts = {
        name: check_number(
            raw.value(COLUMNS.index(name)), raw.number, name, issues, may_be_negative=negative_ok and name == "activity"
        )
        for name in NUMBER_FIELDS
    }
    if len(issues) > before:
        return None
    return ActivityRow(stream=code, month=month, row_number=raw.number, **amounts)


def _blank(raw: uploads.RawRow) -> bool:
    return all(c.value in (None, "") for c in raw.cells)


def parse_rows(
    raw_rows: Sequence[uploads.RawRow], context: SheetContext, budget: uploads.ParseBudget | None = None
) -> SheetResult:
    result = SheetResult(issues=_check_metadata(raw_rows[0] if raw_rows else None, context))
    if result.issues:
        return result
    seen: dict[tuple[str, int], int] = {}
    for raw in raw_rows[FIRST_DATA_ROW - 1 :]:
        if budget is not None:
            budget.check(raw.number)
        if _blank(raw):
            continue
        row = _parse_row(raw, context, result.issues)
        if row is None:
            continue
        first = seen.setdefault((row.stream, row.month), raw.number)
        if first != raw.number:
            result.issues.append(
                _issue(DUPLICATE_ROW, raw.number, "stream", stream=row.stream, month=row.month, first=first)
            )
            continue
        result.rows.append(row)
    if not result.rows and not result.issues:
        result.issues.append(SheetIssue(force_str(NO_ROWS), row=FIRST_DATA_ROW))
    return result


def parse_upload(file, context: SheetContext, budget: uploads.ParseBudget | None = None) -> SheetResult:
    """Read and check an uploaded file within `budget`; any `UploadRejected` becomes one issue of the result."""
    budget = budget or uploads.ParseBudget()
    try:
        data = uploads.read_upload(file)
        _kind, raw_rows = uploads.read_table(data, budget)
        return parse_rows(raw_rows, context, budget)
    except uploads.UploadRejected as rejected:
        return SheetResult(issues=[SheetIssue(force_str(rejected.message), row=rejected.row, column=rejected.column)])


def metadata_row(context: SheetContext) -> list[str]:
    return [MARKER, "template", TEMPLATE_VERSION, "plan", str(context.plan_version), "period", context.period_label]


def template_rows(context: SheetContext, existing: Iterable[ActivityRow] = ()) -> list[list]:
    """The template's rows; `existing` values are filled in so that a firm can correct what it entered."""
    known = {(r.stream, r.month): r for r in existing}
    rows: list[list] = [metadata_row(context), [force_str(HEADINGS[name]) for name in COLUMNS]]
    for spec in context.streams:
        for month in context.months:
            entered = known.get((spec.code, month))
            values = [getattr(entered, name) if entered else None for name in NUMBER_FIELDS]
            rows.append([spec.code, spec.name, spec.source, month, values[0], spec.activity_unit, *values[1:]])
    return rows


def template_workbook(context: SheetContext, existing: Iterable[ActivityRow] = ()) -> bytes:
    """The .xlsx template: metadata row, headings, one row per stream and month; frozen headings."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _g("activity data")[:31]
    for row in template_rows(context, existing):
        sheet.append([uploads_safe(v) for v in row])
    grey = PatternFill("solid", fgColor="EEEEEE")
    for cell in sheet[1]:
        cell.font = Font(color="888888", size=8)
        cell.fill = grey
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 22 if name in ("stream_name", "source") else 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def uploads_safe(value):
    """Names from the plan are text; never let one become a formula in the template."""
    from mrv.ui.lists import neutralise

    return neutralise(value)


def period_label(report) -> str:
    return f"{report.year}-{report.period}"


def entered_parameters(stream) -> tuple[str, ...]:
    """The parameters a firm enters for a stream: those its method needs (energy methods use the grid factor),
    and the optional ones its plan names (a biomass fraction)."""
    method = stream.method_enum
    if method in ENERGY_METHODS:
        return ()
    named = {p.name for p in stream.parameters.all()}
    optional = tuple(name for name in OPTIONAL_PARAMETERS.get(method, ()) if name in named)
    return (*REQUIRED_PARAMETERS.get(method, ()), *optional)


def activity_sheet_context(report, plan) -> SheetContext:
    """What the activity-data template of the report and plan version holds (download and upload alike)."""
    streams = tuple(
        StreamSpec(
            s.code,
            s.name,
            s.source.name,
            s.activity_unit,
            entered_parameters(s),
            activity_may_be_negative=negative_activity_allowed(s.method),
        )
        for s in plan.streams.all()
    )
    return SheetContext(str(plan.version), period_label(report), tuple(report.months), streams)
