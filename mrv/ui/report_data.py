"""The firm's data of one report as the browser shows it: a grid per source stream and month, the
spreadsheet template of the plan in force, and the bridge from the sheet parser to the services.

The services (`mrv.services.reports`) save and validate; this module only arranges their input and
output for the pages: `sheet_context(report, plan)` describes the plan for the template and the
parser, `grid(...)` lays out rows, values, errors, warnings and computed tCO2e per cell.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from mrv import activity_sheet as sheet
from mrv.models import ActivityDataRow, EmissionReport, MonitoringPlan
from mrv.validation import ValidationResult

# The template's context lives in mrv.activity_sheet (the upload service needs it too).
period_label = sheet.period_label
entered_parameters = sheet.entered_parameters
sheet_context = sheet.activity_sheet_context


def as_sheet_rows(rows) -> list[sheet.ActivityRow]:
    """Stored ActivityDataRow objects as the sheet's rows (to pre-fill a downloaded template)."""
    return [
        sheet.ActivityRow(r.stream_code, r.month, r.activity, **{name: getattr(r, name) for name in sheet.PARAMETERS})
        for r in rows
    ]


def service_rows(rows: list[sheet.ActivityRow]) -> list[dict]:
    """The sheet's rows in the shape `report_save_activity_data` takes (blank units mean the plan's)."""
    return [
        {"stream": r.stream, "month": r.month, **{k: v for k, v in r.values().items() if v is not None}}
        | {"activity": r.activity}
        for r in rows
    ]


def unsaved_rows(report: EmissionReport, rows: list[sheet.ActivityRow]) -> list[ActivityDataRow]:
    """Rows to validate without saving them (the live recalculation while typing)."""
    return [
        ActivityDataRow(
            report=report,
            stream_code=r.stream,
            month=r.month,
            activity=r.activity,
            activity_unit="",
            **{name: getattr(r, name) for name in sheet.PARAMETERS},
        )
        for r in rows
    ]


@dataclass
class Cell:
    name: str
    input_name: str
    value: Decimal | None
    unit: str
    default: Decimal | None = None
    messages: list = field(default_factory=list)


@dataclass
class GridRow:
    stream: object
    month: int
    cells: list[Cell]
    tco2e: Decimal | None
    messages: list = field(default_factory=list)  # messages of the row that name no entered field


@dataclass
class StreamGrid:
    stream: object
    parameters: tuple[str, ...]
    rows: list[GridRow]
    tco2e: Decimal | None


def input_name(stream_code: str, month: int, name: str) -> str:
    return f"r-{stream_code}-{month}-{name}"


def _units(stream) -> dict[str, tuple[str, Decimal | None]]:
    known = {p.name: (p.unit, p.default_value if p.source == "default" else None) for p in stream.parameters.all()}
    return {"activity": (stream.activity_unit, None)} | known


def grid(
    report: EmissionReport, plan: MonitoringPlan, values: dict, checked: ValidationResult | None
) -> list[StreamGrid]:
    """`values`: {(stream, month): ActivityRow-like with activity and parameters}; `checked`: the validation."""
    by_cell = defaultdict(list)
    for message in (checked.errors + checked.warnings) if checked else []:
        by_cell[(message.stream, message.month, message.field)].append(message)
    lines = {line.key: line.tco2e for line in (checked.result.lines if checked and checked.result else ())}
    per_stream = checked.result.by_stream if checked and checked.result else {}
    grids = []
    for stream in plan.streams.all():
        names = ("activity", *entered_parameters(stream))
        units = _units(stream)
        rows = []
        for month in report.months:
            entered = values.get((stream.code, month))
            cells = [
                Cell(
                    name,
                    input_name(stream.code, month, name),
                    getattr(entered, name, None) if entered else None,
                    units.get(name, ("", None))[0],
                    units.get(name, ("", None))[1],
                    by_cell.pop((stream.code, month, name), []),
                )
                for name in names
            ]
            other = [m for key, msgs in list(by_cell.items()) if key[:2] == (stream.code, month) for m in msgs]
            rows.append(GridRow(stream, month, cells, lines.get(f"{stream.code}:{month:02d}"), other))
        grids.append(StreamGrid(stream, names, rows, per_stream.get(stream.code)))
    return grids


def report_wide_messages(checked: ValidationResult | None, level: str) -> list:
    """Messages about the whole report (no stream, or a stream not in the plan)."""
    if checked is None:
        return []
    messages = checked.errors if level == "error" else checked.warnings
    return [m for m in messages if m.month is None or m.field in ("stream", "plan")]
