"""Emission reports: creating them, entering data, calculating, submitting and withdrawing.

Errors: `ValidationError` (bad input or a report that may not be submitted yet; its messages name
the row, source stream, month and field), `PermissionDenied` (not yours), `TransitionRefused` (not
from this state). Every write is atomic and audited; submitted data is frozen in a `ReportVersion`.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrv import activity_sheet as sheet
from mrv import calculation, selectors, uploads
from mrv.audit import log_action, log_actions
from mrv.bulk import insert_rows
from mrv.calculation import UnitError
from mrv.models import (
    ActivityDataRow,
    EmissionReport,
    Firm,
    OutputDataRow,
    ReportVersion,
    ReportWarningAcknowledgement,
    Seal,
    StoredFile,
    VerificationEngagement,
)
from mrv.records.certification import FIRM_SUBMISSION, Certification, certification_check
from mrv.records.seals import seal_record
from mrv.report_diff import report_diff  # noqa: F401 (part of this module's API: what changed between versions)
from mrv.services.follow_ups import follow_ups
from mrv.transitions import (
    REASON_REQUIRED,
    check_transition,
    run_transition,
)
from mrv.validation import NO_PLAN_IN_FORCE, ValidationResult, plain, validate_report
from mrv.workflow import reports as rules

NOT_YOUR_FIRM = _("Only a reporter or approver of the firm may enter or correct its report data.")
NOT_DATA_ENTRANT = _(
    "Only a reporter or approver of the firm, or a person it entrusted with its data, may enter or correct its data."
)
NOT_EDITABLE = _("The report is “%(state)s”: its data can be changed only while it is a draft or returned to the firm.")
NO_QUARTERLY_REPORTS = _("%(market)s does not ask for quarterly reports.")
REPORT_EXISTS = _("There is already a %(period)s report for %(year)s.")
ROW_MONTH = _("Row %(row)s (%(stream)s, month %(month)s): the month must be one of %(months)s for this period.")
ROW_STREAM = _("Row %(row)s: the source stream code is missing.")
ROW_NUMBER = _("Row %(row)s (%(stream)s, month %(month)s), %(field)s: “%(value)s” is not a number.")
ROW_TOO_LARGE = _(
    "Row %(row)s (%(stream)s, month %(month)s), %(field)s: “%(value)s” is too large "
    "(at most %(digits)s digits before the decimal point)."
)
ROW_UNIT = _("Row %(row)s (%(stream)s, month %(month)s), %(field)s: %(detail)s")
ROW_DUPLICATE = _("Row %(row)s (%(stream)s, month %(month)s): this stream and month appear twice.")
ROW_UNIT_WITHOUT_VALUE = _("Row %(row)s (%(stream)s, month %(month)s), %(field)s: a unit without a value.")
OUTPUT_ROW_INVALID = _("Output row %(row)s (%(name)s), %(field)s: %(detail)s")
NOT_SUBMITTABLE = _("The report has errors; correct them before submitting.")
WARNING_NOT_ACKNOWLEDGED = _("%(message)s — acknowledge this warning with a reason before submitting.")
UNKNOWN_WARNING = _("There is no such warning on this report now: %(key)s.")
TAKE_OVER_ANNUAL_ONLY = _("Only an annual report takes over quarterly data.")
BATCH_REPORT = _("Report %(report)s: %(message)s")
BATCH_TWICE = _("the report is given twice in the batch (first as report %(first)s of the batch).")
QUARTERS_MISSING = _("Quarterly data can be taken over once every quarter is submitted; missing: %(quarters)s.")

PARAMETERS = ActivityDataRow.PARAMETERS
QUARTERS = ("q1", "q2", "q3", "q4")


@dataclass(frozen=True)
class ActivityRow:
    """One row of activity data as the grid form and the Excel/CSV upload pass it in.

    `stream` is the plan's source stream code, `month` 1..12 (within the report's period), each
    value a Decimal, int or numeric string (a float is read through its shortest repr); a blank
    unit means the plan's unit. A parameter left empty takes the plan's default where the plan
    names a default value. Example::

        {"stream": "coal", "month": 1, "activity": "1000", "activity_unit": "t",
         "ncv": "20.908", "ncv_unit": "GJ/t", "carbon_content": "26.37", "carbon_content_unit": "tC/TJ",
         "oxidation_rate": "94", "oxidation_rate_unit": "%"}
    """

    stream: str
    month: int
    activity: Decimal | str | None
    activity_unit: str = ""
    ncv: Decimal | str | None = None
    ncv_unit: str = ""
    carbon_content: Decimal | str | None = None
    carbon_content_unit: str = ""
    oxidation_rate: Decimal | str | None = None
    oxidation_rate_unit: str = ""
    emission_factor: Decimal | str | None = None
    emission_factor_unit: str = ""
    biomass_fraction: Decimal | str | None = None
    biomass_fraction_unit: str = ""
    flow_rate: Decimal | str | None = None
    flow_rate_unit: str = ""
    concentration: Decimal | str | None = None
    concentration_unit: str = ""

    @classmethod
    def of(cls, data: ActivityRow | Mapping) -> ActivityRow:
        if isinstance(data, cls):
            return data
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class OutputRow:
    """Product output or supply of the period: kind (product, electricity_supply, heat_supply), name, amount, unit."""

    name: str
    amount: Decimal | str
    unit: str
    kind: str = OutputDataRow.Kind.PRODUCT

    @classmethod
    def of(cls, data: OutputRow | Mapping) -> OutputRow:
        if isinstance(data, cls):
            return data
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _ensure_firm_user(report: EmissionReport, user) -> None:
    if not rules.is_firm_user(report, user):
        raise PermissionDenied(NOT_YOUR_FIRM)


def _ensure_data_entrant(report: EmissionReport, user) -> None:
    if not rules.is_data_entrant(report, user):
        raise PermissionDenied(NOT_DATA_ENTRANT)


def _ensure_editable(report: EmissionReport) -> None:
    if not rules.is_editable(report):
        raise ValidationError(NOT_EDITABLE % {"state": report.get_status_display()}, code="not_editable")


def ensure_may_enter_data(report: EmissionReport, user) -> None:
    """Refuse, before any work, a user who may not write the report's data or a report not open for it."""
    _ensure_data_entrant(report, user)
    _ensure_editable(report)
    if selectors.plan_in_force(report.firm, report.period_end) is None:
        raise ValidationError(NO_PLAN_IN_FORCE % {"date": report.period_end.isoformat()})


# --- Creating and entering data ----------------------------------------------------------------


def report_create(*, firm: Firm, year: int, acting_user, period: str = EmissionReport.Period.ANNUAL) -> EmissionReport:
    """A draft report of a firm for a year (a quarter only where the market asks for quarterly reports)."""
    if not (acting_user.is_firm_user and acting_user.firm_id == firm.pk):
        raise PermissionDenied(NOT_YOUR_FIRM)
    if period != EmissionReport.Period.ANNUAL and not firm.market.rule_pack_for(year).quarterly_reporting:
        raise ValidationError(NO_QUARTERLY_REPORTS % {"market": firm.market})
    exists = ValidationError(REPORT_EXISTS % {"period": EmissionReport.Period(period).label, "year": year})
    with transaction.atomic():
        if EmissionReport.objects.filter(firm=firm, year=year, period=period).exists():
            raise exists
        try:
            with transaction.atomic():  # a concurrent request may create the same report between check and write
                report = EmissionReport.objects.create(firm=firm, market=firm.market, year=year, period=period)
        except IntegrityError:
            raise exists from None
        log_action(report, "mrv.emissionreport.created", actor=acting_user)
    return report


def _decimal(
    value, *, row: int, row_in: ActivityRow | None, field: str, problems: list, model=ActivityDataRow
) -> Decimal | None:
    """The value as a Decimal that the column `field` of `model` can hold, else None with a problem naming it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    where = {
        "row": row,
        "stream": getattr(row_in, "stream", ""),
        "month": getattr(row_in, "month", ""),
        "field": field,
        "value": str(value)[:40],
    }
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip().replace(",", ""))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(ROW_NUMBER % where)
        return None
    column = model._meta.get_field(field)
    digits = column.max_digits - column.decimal_places
    if number and number.adjusted() >= digits:  # more digits before the point than the column holds
        problems.append(ROW_TOO_LARGE % (where | {"digits": digits}))
        return None
    return number


def _unit(unit: str, value, *, row: int, row_in: ActivityRow, field: str, problems: list) -> str:
    unit = (unit or "").strip()
    where = {"row": row, "stream": row_in.stream, "month": row_in.month, "field": field}
    if unit and value is None:
        problems.append(ROW_UNIT_WITHOUT_VALUE % where)
    if unit:
        try:
            calculation.parse_unit(unit)
        except UnitError as error:
            problems.append(ROW_UNIT % (where | {"detail": error}))
    return unit


def _parse_rows(report: EmissionReport, rows: Iterable) -> tuple[list[dict], list[str]]:
    """Turn input rows into field values; collect every problem with its row number (1-based)."""
    parsed, problems, seen = [], [], {}
    for number, raw in enumerate(rows, start=1):
        row = ActivityRow.of(raw)
        stream = (row.stream or "").strip()
        if not stream:
            problems.append(ROW_STREAM % {"row": number})
            continue
        try:
            month = int(row.month)
        except (TypeError, ValueError):
            month = None
        if month not in report.months:
            problems.append(
                ROW_MONTH
                % {"row": number, "stream": stream, "month": row.month, "months": ", ".join(map(str, report.months))}
            )
            continue
        if (stream, month) in seen:
            problems.append(ROW_DUPLICATE % {"row": number, "stream": stream, "month": month})
            continue
        seen[(stream, month)] = number
        values = {"stream_code": stream, "month": month}
        for field in ("activity", *PARAMETERS):
            value = _decimal(getattr(row, field), row=number, row_in=row, field=field, problems=problems)
            values[field] = value
            values[f"{field}_unit"] = _unit(
                getattr(row, f"{field}_unit"), value, row=number, row_in=row, field=field, problems=problems
            )
        if values["activity"] is None and (row.activity is None or not str(row.activity).strip()):  # else said above
            problems.append(
                ROW_NUMBER
                % {"row": number, "stream": stream, "month": month, "field": "activity", "value": row.activity}
            )
        parsed.append(values)
    return parsed, problems


def _upsert_rows(report: EmissionReport, parsed: list[dict], acting_user) -> None:
    """Replace the given (stream, month) rows in two statements, whatever their number: one DELETE of the
    (stream, month) pairs given (one condition per stream, not per row) and one multi-row INSERT.

    Delete and insert rather than UPDATE: a bulk UPDATE of many rows and columns is one huge CASE
    expression that PostgreSQL takes seconds over; nothing refers to a row's primary key.
    """
    _delete_given_rows(report, parsed)
    insert_rows(
        ActivityDataRow, [{"report_id": report.pk, "updated_by_id": acting_user.pk, **values} for values in parsed]
    )


def _delete_given_rows(report: EmissionReport, parsed: list[dict]) -> None:
    """Delete the report's rows of the (stream, month) pairs given: one condition per stream, not per row."""
    months: dict[str, set[int]] = {}
    for values in parsed:
        months.setdefault(values["stream_code"], set()).add(values["month"])
    if months:
        given = functools.reduce(
            operator.or_, (Q(stream_code=code, month__in=sorted(ms)) for code, ms in sorted(months.items()))
        )
        ActivityDataRow.objects.filter(given, report_id=report.pk).delete()


def _lock_status(report: EmissionReport) -> None:
    """Lock the report's row and read its current status in one query (the check that follows sees it)."""
    report.refresh_from_db(fields=["status"], from_queryset=EmissionReport.objects.select_for_update())


def report_store_activity_data(*, report: EmissionReport, rows: Iterable, acting_user) -> int:
    """Insert or update the given rows of a draft, all or nothing, without validating the report; returns how
    many rows were stored. The write of `report_save_activity_data`, for a caller that validates once its own
    transaction has committed (the audit row locks the market's audit chain until the commit, so a validation
    inside the transaction would make the market's other writers wait for it) or does not need the validation.
    """
    _ensure_data_entrant(report, acting_user)
    parsed, problems = _parse_rows(report, rows)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        _lock_status(report)
        _ensure_editable(report)
        _upsert_rows(report, parsed, acting_user)
        log_action(
            report, "mrv.emissionreport.data_saved", actor=acting_user, changes={"activity_rows": (None, len(parsed))}
        )
    return len(parsed)


class BatchRejected(ValidationError):
    """Rows of a batch that cannot be stored; `problems` lists (position in the batch, report, message), each
    message naming its row as `report_store_activity_data`'s do. Nothing was stored."""

    def __init__(self, problems: list[tuple[int, EmissionReport, str]]):
        self.problems = problems
        super().__init__([BATCH_REPORT % {"report": report, "message": message} for _i, report, message in problems])


def reports_store_activity_data(*, entries: list[tuple[EmissionReport, Iterable]], acting_user) -> dict[int, int]:
    """Insert or update the given rows of many drafts at once, all or nothing, as `report_store_activity_data`
    does for one; returns {report id: rows stored}. For a firm's systems and for a person entrusted with the
    data of many firms (`DataEntryMandate`): one lock, one DELETE, one INSERT and one audit statement whatever
    the number of reports.

    Refuses (PermissionDenied) a report whose data the user may not enter; raises `BatchRejected` naming every
    row that cannot be stored (and a report given twice), ValidationError `not_editable` for a report no longer
    open; nothing is stored then. Validating the reports is left to the caller, after the commit.
    """
    problems, parsed_entries, positions = [], [], {}
    for position, (report, rows) in enumerate(entries):
        _ensure_data_entrant(report, acting_user)
        if report.pk in positions:
            problems.append((position, report, BATCH_TWICE % {"first": positions[report.pk] + 1}))
            continue
        positions[report.pk] = position
        parsed, report_problems = _parse_rows(report, rows)
        problems += [(position, report, message) for message in report_problems]
        parsed_entries.append((report, parsed))
    if problems:
        raise BatchRejected(problems)
    with transaction.atomic():
        # Lock every report in one statement, in id order (two batches sharing reports cannot deadlock), and
        # see each one's status as of now.
        locked = EmissionReport.objects.select_for_update().filter(pk__in=sorted(positions)).order_by("pk")
        now = {current.pk: current for current in locked.only("pk", "status")}
        for report, _parsed in parsed_entries:
            current = now[report.pk]
            if not rules.is_editable(current):
                message = NOT_EDITABLE % {"state": current.get_status_display()}
                raise ValidationError(BATCH_REPORT % {"report": report, "message": message}, code="not_editable")
        _upsert_rows_of_reports(parsed_entries, acting_user)
        stored = {report.pk: len(parsed) for report, parsed in parsed_entries}
        # By market: each market's audit chain is locked as its first row goes in, so two batches spanning the
        # same markets take the locks in the same order (no deadlock).
        log_actions(
            sorted((report for report, _parsed in parsed_entries), key=lambda r: (r.market_id, r.pk)),
            "mrv.emissionreport.data_saved",
            actor=acting_user,
            changes=lambda report: {"activity_rows": (None, stored[report.pk])},
        )
    return stored


def _upsert_rows_of_reports(parsed_entries: list[tuple[EmissionReport, list[dict]]], acting_user) -> None:
    """`_upsert_rows` for many reports: one DELETE of the (report, stream, month) triples given, one INSERT."""
    triples = [(r.pk, v["stream_code"], v["month"]) for r, parsed in parsed_entries for v in parsed]
    if not triples:
        return
    table = ActivityDataRow._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {table} AS a USING unnest(%s::bigint[], %s::text[], %s::int[]) AS g(r, s, m) "
                "WHERE a.report_id = g.r AND a.stream_code = g.s AND a.month = g.m",
                [[t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples]],
            )
        else:  # the embedded demo's SQLite: a condition per report
            for report, parsed in parsed_entries:
                _delete_given_rows(report, parsed)
    insert_rows(
        ActivityDataRow,
        [
            {"report_id": report.pk, "updated_by_id": acting_user.pk, **values}
            for report, parsed in parsed_entries
            for values in parsed
        ],
    )


def report_save_activity_data(*, report: EmissionReport, rows: Iterable, acting_user) -> ValidationResult:
    """Insert or update the given rows of a draft, all or nothing; returns the report's validation.

    `rows`: ActivityRow instances or dicts of the same shape (see `ActivityRow`). Rows not given are
    left as they are. Input that cannot be stored (not a number, an unknown unit, a month outside
    the period, a stream and month twice) raises ValidationError listing every such row, and nothing
    is saved. What can be stored but would block submission (a negative value, a missing parameter,
    a unit not matching the plan …) is saved and comes back as errors of the returned validation.
    """
    report_store_activity_data(report=report, rows=rows, acting_user=acting_user)
    return validate_report(report)


def _upsert_output_rows(report: EmissionReport, parsed: list[tuple[OutputRow, Decimal]], acting_user) -> None:
    """Replace the given (kind, name) rows in two statements: one DELETE (a condition per kind), one INSERT.
    A (kind, name) given twice keeps its last row, as one update after the other did."""
    rows = {(row.kind, row.name.strip()): (row, amount) for row, amount in parsed}
    names: dict[str, list[str]] = {}
    for kind, name in rows:
        names.setdefault(kind, []).append(name)
    if names:
        given = functools.reduce(operator.or_, (Q(kind=kind, name__in=ns) for kind, ns in sorted(names.items())))
        OutputDataRow.objects.filter(given, report_id=report.pk).delete()
    OutputDataRow.objects.bulk_create(
        [
            OutputDataRow(
                report=report, kind=kind, name=name, amount=amount, unit=row.unit.strip(), updated_by=acting_user
            )
            for (kind, name), (row, amount) in rows.items()
        ],
        batch_size=500,
    )


def report_save_output_data(*, report: EmissionReport, rows: Iterable, acting_user) -> ValidationResult:
    """Insert or update output rows (product output, supply) of a draft, all or nothing."""
    _ensure_data_entrant(report, acting_user)
    parsed, problems = [], []
    for number, raw in enumerate(rows, start=1):
        row = OutputRow.of(raw)
        amount = _decimal(row.amount, row=number, row_in=None, field="amount", problems=problems, model=OutputDataRow)
        where = {"row": number, "name": row.name}
        if row.kind not in OutputDataRow.Kind.values:
            problems.append(OUTPUT_ROW_INVALID % (where | {"field": "kind", "detail": row.kind}))
        if amount is None or amount < 0:
            problems.append(OUTPUT_ROW_INVALID % (where | {"field": "amount", "detail": row.amount}))
        if not (row.name or "").strip() or not (row.unit or "").strip():
            problems.append(OUTPUT_ROW_INVALID % (where | {"field": "name/unit", "detail": _("required")}))
        parsed.append((row, amount))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        _ensure_editable(report)
        _upsert_output_rows(report, parsed, acting_user)
        log_action(
            report, "mrv.emissionreport.output_saved", actor=acting_user, changes={"output_rows": (None, len(parsed))}
        )
    return validate_report(report)


def report_acknowledge_warning(*, report: EmissionReport, key: str, reason: str, acting_user):
    """Record the firm's reason for a current warning (by its key); a reason is required."""
    _ensure_firm_user(report, acting_user)
    if not (reason or "").strip():
        raise ValidationError(REASON_REQUIRED)
    warning = next((w for w in validate_report(report).warnings if w.key == key), None)
    if warning is None:
        raise ValidationError(UNKNOWN_WARNING % {"key": key})
    with transaction.atomic():
        _ensure_editable(report)
        ack, _created = ReportWarningAcknowledgement.objects.update_or_create(
            report=report,
            key=key,
            defaults={"message": warning.text, "reason": reason.strip(), "acknowledged_by": acting_user},
        )
        log_action(
            report,
            "mrv.emissionreport.warning_acknowledged",
            actor=acting_user,
            reason=reason,
            changes={key: (None, warning.text)},
        )
    return ack


# --- Submitting --------------------------------------------------------------------------------


def _unacknowledged(report: EmissionReport, checked: ValidationResult) -> list[str]:
    acks = {a.key: a for a in report.acknowledgements.all()}
    return [
        str(WARNING_NOT_ACKNOWLEDGED % {"message": w.text})
        for w in checked.warnings
        if w.key not in acks or not acks[w.key].reason.strip()
    ]


def _line_inputs_snapshot(checked: ValidationResult) -> list[dict]:
    snapshot = []
    for line in checked.lines:
        entry = {
            "key": line.key,
            "stream": line.stream,
            "source": line.source,
            "method": str(line.method),
            "gas": line.gas,
        }
        entry |= {name: getattr(line, name) for name in ("counterparty", "approval_reference") if getattr(line, name)}
        for name in ("activity", *PARAMETERS):
            quantity = getattr(line, name)
            if quantity is not None:
                entry[name] = {"value": plain(quantity.value), "unit": quantity.unit}
        snapshot.append(entry)
    return snapshot


def _snapshot(report: EmissionReport, checked: ValidationResult) -> dict:
    rows = [
        {
            "stream": r.stream_code,
            "month": r.month,
            **{f: plain(getattr(r, f)) for f in ("activity", *PARAMETERS)},
            **{f"{f}_unit": getattr(r, f"{f}_unit") for f in ("activity", *PARAMETERS)},
        }
        for r in report.activity_rows.all()
    ]
    outputs = [
        {"kind": o.kind, "name": o.name, "amount": plain(o.amount), "unit": o.unit} for o in report.output_rows.all()
    ]
    acks = [
        {"key": a.key, "message": a.message, "reason": a.reason, "by": a.acknowledged_by_id}
        for a in report.acknowledgements.all()
    ]
    warning_keys = {w.key for w in checked.warnings}
    return {
        "plan": {"id": checked.plan.pk, "version": checked.plan.version},
        "rows": rows,
        "inputs": _line_inputs_snapshot(checked),
        "outputs": outputs,
        "warnings": [w.as_dict() for w in checked.warnings],
        "acknowledgements": [a for a in acks if a["key"] in warning_keys],
    }


def _submit_version(
    report: EmissionReport, transition: str, acting_user, reason: str, certification: Certification | None
) -> ReportVersion:
    check_transition(report, transition, acting_user)
    with transaction.atomic():
        EmissionReport.objects.select_for_update().filter(pk=report.pk).first()
        checked = validate_report(report)
        if checked.errors:
            raise ValidationError([str(NOT_SUBMITTABLE), *(m.text for m in checked.errors)])
        missing = _unacknowledged(report, checked)
        if missing:
            raise ValidationError(missing)
        certification_check(certification, FIRM_SUBMISSION)  # last: the report's own problems are said first
        number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        result = checked.result
        version = ReportVersion.objects.create(
            report=report,
            number=number,
            plan=checked.plan,
            created_by=acting_user,
            data=_snapshot(report, checked),
            result=result.as_dict(),
            total_tco2e=result.total_tco2e,
            reported_tco2e=result.reported_tco2e,
        )
        before = report.reported_emissions_tco2e
        run_transition(
            report,
            transition,
            acting_user=acting_user,
            reason=reason,
            version=version,
            when=timezone.now(),
            changes={"reported_emissions_tco2e": (before, version.reported_tco2e), "version": (None, number)},
            tasks=follow_ups(f"mrv.emissionreport.{transition}", emissionreport_id=report.pk),
        )
        seal_record(Seal.Kind.REPORT_VERSION, version, signer=acting_user, certification=certification)
        _after_submission(report, acting_user)
    return version


def _after_submission(report: EmissionReport, acting_user) -> None:
    """No dead end: an annual report has an engagement to assign (opened now if the roll-over has not), and a
    quarterly report goes straight to co-review where the rule pack names co-reviewers."""
    if report.period == EmissionReport.Period.ANNUAL:
        engagement, created = VerificationEngagement.objects.get_or_create(
            firm_id=report.firm_id, year=report.year, defaults={"market_id": report.market_id}
        )
        if created:
            log_action(engagement, "mrv.verificationengagement.opened_at_submission", actor=acting_user)
    elif report.market.rule_pack_for(report.year).quarterly_co_reviewers:
        from mrv.services.review import report_start_co_review

        report_start_co_review(report=report, acting_user=None)


def report_submit(
    *, report: EmissionReport, acting_user, certification: Certification | None = None, reason: str = ""
) -> ReportVersion:
    """A firm approver submits a draft (annual or quarterly): errors block, every warning must be acknowledged,
    and the certification statement must be confirmed after a fresh re-authentication (else `NotCertified`).
    The version is sealed (its copy of record) in the same transaction."""
    return _submit_version(report, "submit", acting_user, reason, certification)


def report_resubmit(
    *, report: EmissionReport, acting_user, certification: Certification | None = None, reason: str = ""
) -> ReportVersion:
    """A firm approver hands the corrected, returned report back to verification as a new version (certified)."""
    return _submit_version(report, "resubmit", acting_user, reason, certification)


def report_withdraw(*, report: EmissionReport, acting_user, reason: str = "") -> EmissionReport:
    """A firm user takes a submitted report back to draft, while no verifier has accepted the year."""
    run_transition(
        report,
        "withdraw",
        acting_user=acting_user,
        reason=reason,
        tasks=follow_ups("mrv.emissionreport.withdraw", emissionreport_id=report.pk),
    )
    return report


# --- Quarterly data ----------------------------------------------------------------------------


def report_take_over_quarterly(*, report: EmissionReport, acting_user) -> ValidationResult:
    """Copy the submitted data of the four quarters into the annual draft (replacing those months' rows).

    Lines are per stream and month, so the annual total equals the sum of the quarterly lines.
    """
    _ensure_firm_user(report, acting_user)
    if report.period != EmissionReport.Period.ANNUAL:
        raise ValidationError(TAKE_OVER_ANNUAL_ONLY)
    quarters = {
        q.period: q
        for q in EmissionReport.objects.filter(
            firm_id=report.firm_id, year=report.year, period__in=QUARTERS, current_version__isnull=False
        )
        .exclude(status=EmissionReport.Status.DRAFT)
        .select_related("current_version")
    }
    missing = [q.upper() for q in QUARTERS if q not in quarters]
    if missing:
        raise ValidationError(QUARTERS_MISSING % {"quarters": ", ".join(missing)})
    rows = []
    for period in QUARTERS:
        for row in quarters[period].current_version.data["rows"]:
            rows.append({k: v for k, v in row.items()} | {"stream": row["stream"], "month": row["month"]})
    with transaction.atomic():
        _ensure_editable(report)
        report.activity_rows.all().delete()
        result = report_save_activity_data(report=report, rows=rows, acting_user=acting_user)
        log_action(
            report,
            "mrv.emissionreport.quarterly_taken_over",
            actor=acting_user,
            changes={q: (None, quarters[q].current_version.number) for q in QUARTERS},
        )
    return result


# --- Uploading the filled-in template ----------------------------------------------------------


def report_upload_activity_sheet(*, report: EmissionReport, file, acting_user, budget=None) -> int:
    """Parse the filled-in template, check it once, save its rows and keep the file, all or nothing.

    Any problem in the file (its shape, a row, a value that cannot be stored) raises ValidationError
    listing each one with its row and column, and nothing is saved. Returns the number of rows saved.
    The rows saving and the file are audited (data saved, file attached) in the same transaction.
    """
    _ensure_data_entrant(report, acting_user)
    plan = selectors.plan_in_force(report.firm, report.period_end)
    if plan is None:
        raise ValidationError(NO_PLAN_IN_FORCE % {"date": report.period_end.isoformat()})
    result = sheet.parse_upload(file, sheet.activity_sheet_context(report, plan), budget)
    if not result.ok:
        raise ValidationError([issue.message for issue in result.issues])
    with transaction.atomic():
        report_store_activity_data(report=report, rows=_from_sheet(result.rows), acting_user=acting_user)
        uploads.store_file(
            owner=report,
            kind=StoredFile.Kind.ACTIVITY_DATA,
            data=uploads.read_upload(file),
            original_name=file.name,
            acting_user=acting_user,
            allowed=frozenset({uploads.XLSX, uploads.CSV}),
        )
    return len(result.rows)


def _from_sheet(rows) -> list[dict]:
    """The sheet's rows in the shape `report_save_activity_data` takes (a blank unit means the plan's)."""
    return [
        {"stream": r.stream, "month": r.month, **{k: v for k, v in r.values().items() if v is not None}}
        | {"activity": r.activity}
        for r in rows
    ]
