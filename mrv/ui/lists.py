"""Lists of the UI: paginated, sortable by whitelisted columns, filterable, exportable to CSV and XLSX.

A page declares a `ListSpec` (its columns and filters) once and hands it a queryset that is already
limited to what the user may see (`mrv.access.visible_to`)::

    REPORTS = ListSpec(
        name="reports",
        columns=[
            Column("firm", _("firm"), "firm.name", order_by="firm__name", link=lambda r: r.get_absolute_url()),
            Column("year", _("year"), "year", order_by="year"),
            Column("status", _("status"), "status", order_by="status", badge=True),
        ],
        filters=[Filter("status", _("status"), "status", choices=EmissionReport.Status.choices)],
        select_related=("firm",),
        default_sort="-year",
    )

    def report_list(request):
        return render_listing(request, REPORTS, access.visible_to(request.user, EmissionReport),
                              "mrv/ui/report_list.html", {"title": _("Emission reports")})

`?sort=-year&status=draft&page=2` sorts, filters and pages; `?export=csv` or `?export=xlsx` downloads
every filtered row (not only the page): at once up to EXPORT_INLINE_MAX_ROWS rows, beyond that as a
background job whose page shows its progress and then the file (no cap hides rows). A page costs two queries (count and rows) plus one per
`prefetch_related` lookup, whatever the number of rows. Exported text that a spreadsheet would run
as a formula gets a leading apostrophe (`neutralise`).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import force_str

from mrv import jobs
from mrv.ui.badges import state_of

EXPORT_INLINE_MAX_ROWS = 5_000
SPECS: dict[str, "ListSpec"] = {}  # by name, so that a worker finds the spec of a background export
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = ("csv", "xlsx")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate (=, +, -, @, tab, CR first) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: str | Callable[[Any], Any]
    order_by: str | None = None
    badge: bool = False
    link: Callable[[Any], str] | None = None
    export: bool = True
    css: str = ""

    def raw(self, obj: Any) -> Any:
        if callable(self.value):
            return self.value(obj)
        for part in self.value.split("."):
            obj = getattr(obj, part, None) if obj is not None else None
            if callable(obj) and not isinstance(obj, Model):
                obj = obj()
        return obj

    def export_value(self, obj: Any) -> Any:
        value = self.raw(obj)
        if self.badge:
            return state_of(value)[1]
        if value is None or isinstance(value, bool | int | Decimal | float | datetime.date):
            return value.replace(tzinfo=None) if isinstance(value, datetime.datetime) and value.tzinfo else value
        return force_str(value)


@dataclass(frozen=True)
class Filter:
    key: str
    label: Any
    lookup: str
    choices: Sequence[tuple[Any, Any]] | None = None

    def clean(self, raw: str) -> Any:
        """The value to filter by, or None when the value is empty or not one of the choices."""
        raw = (raw or "").strip()
        if not raw:
            return None
        if self.choices is None:
            return raw[:100]
        allowed = {str(value): value for value, _label in self.choices}
        return allowed.get(raw)


@dataclass(frozen=True)
class ListSpec:
    name: str
    columns: Sequence[Column]
    filters: Sequence[Filter] = ()
    default_sort: str = ""
    page_size: int = 25
    select_related: Sequence[str] = ()
    prefetch_related: Sequence[str] = ()
    tiebreak: str = "pk"

    def __post_init__(self):
        SPECS[self.name] = self

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def prepare(self, queryset: QuerySet) -> QuerySet:
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


@dataclass
class Cell:
    column: Column
    value: Any
    url: str = ""


@dataclass
class ActiveFilter:
    filter: Filter
    value: str


@dataclass
class Listing:
    spec: ListSpec
    page: Any
    rows: list[list[Cell]]
    sort: str
    filters: list[ActiveFilter] = field(default_factory=list)

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def sort_url(self, request: HttpRequest, column: Column) -> str:
        wanted = f"-{column.key}" if self.sort == column.key else column.key
        return _query(request, sort=wanted, page=None)

    def page_url(self, request: HttpRequest, number: int) -> str:
        return _query(request, page=number)

    def export_url(self, request: HttpRequest, fmt: str) -> str:
        return _query(request, export=fmt, page=None)


def _query(request: HttpRequest, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


def _sort(spec: ListSpec, requested: str) -> tuple[str, list[str]]:
    key = requested.lstrip("-")
    column = spec.column(key)
    if column is None or not column.order_by:
        requested = spec.default_sort
        column = spec.column(requested.lstrip("-"))
    if column is None or not column.order_by:
        return "", [spec.tiebreak]
    prefix = "-" if requested.startswith("-") else ""
    return requested, [prefix + column.order_by, prefix + spec.tiebreak]


def apply(spec: ListSpec, queryset: QuerySet, params) -> tuple[QuerySet, str, list[ActiveFilter]]:
    """Filter and sort `queryset` by the request parameters; unknown sorts and values are ignored."""
    active = []
    for flt in spec.filters:
        value = flt.clean(params.get(flt.key, ""))
        if value is not None:
            queryset = queryset.filter(**{flt.lookup: value})
        active.append(ActiveFilter(flt, "" if value is None else str(value)))
    sort, ordering = _sort(spec, params.get("sort", ""))
    return spec.prepare(queryset).order_by(*ordering), sort, active


def build_listing(request: HttpRequest, spec: ListSpec, queryset: QuerySet) -> Listing:
    queryset, sort, active = apply(spec, queryset, request.GET)
    page = Paginator(queryset, spec.page_size).get_page(request.GET.get("page"))
    rows = [[Cell(c, c.raw(obj), c.link(obj) if c.link else "") for c in spec.columns] for obj in page.object_list]
    return Listing(spec=spec, page=page, rows=rows, sort=sort, filters=active)


def export_rows(spec: ListSpec, queryset: QuerySet, progress=None) -> Iterable[list[Any]]:
    columns = [c for c in spec.columns if c.export]
    yield [force_str(c.label) for c in columns]
    for obj in queryset.iterator(chunk_size=2000):
        yield [neutralise(c.export_value(obj)) for c in columns]
        if progress is not None:
            progress.advance()


def _filename(spec: ListSpec, fmt: str) -> str:
    return f"{spec.name}-{timezone.localdate():%Y%m%d}.{fmt}"


def csv_bytes(spec: ListSpec, queryset: QuerySet, progress=None) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Chinese text correctly."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(spec, queryset, progress))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def xlsx_bytes(spec: ListSpec, queryset: QuerySet, progress=None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.name[:31])
    for row in export_rows(spec, queryset, progress):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _export_file(spec: ListSpec, queryset: QuerySet, fmt: str, progress=None) -> tuple[bytes, str, str]:
    if fmt == "csv":
        return csv_bytes(spec, queryset, progress), _filename(spec, "csv"), CSV_TYPE
    return xlsx_bytes(spec, queryset, progress), _filename(spec, "xlsx"), XLSX_TYPE


def export_response(spec: ListSpec, queryset: QuerySet, fmt: str, params=None, request=None) -> HttpResponse:
    """Every row of `queryset` that the filters in `params` keep, as CSV or XLSX.

    With a request and more than EXPORT_INLINE_MAX_ROWS rows, the file is made by a worker: the user is sent
    to the job's page, which shows the progress and then links the file.
    """
    filtered, _sort_key, _active = apply(spec, queryset, params or {})
    if request is not None and filtered.count() > EXPORT_INLINE_MAX_ROWS:
        job = jobs.job_start(
            kind="list_export",
            title=_filename(spec, fmt),
            params={
                "spec": spec.name,
                "format": fmt,
                "model": filtered.model._meta.label,
                "query": jobs.freeze_queryset(filtered),
            },
            acting_user=request.user,
        )
        return redirect("ui:job_detail", job.pk)
    data, file_name, content_type = _export_file(spec, filtered, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@jobs.handler("list_export")
def _export_job(job, progress) -> tuple[bytes, str, str]:
    spec = SPECS[job.params["spec"]]
    queryset = spec.prepare(jobs.thaw_queryset(apps.get_model(job.params["model"]), job.params["query"]))
    progress.total(queryset.count())
    return _export_file(spec, queryset, job.params["format"], progress)


def render_listing(
    request: HttpRequest, spec: ListSpec, queryset: QuerySet, template: str, context: dict | None = None
) -> HttpResponse:
    """The list page; `?export=csv|xlsx` downloads the filtered rows; htmx requests get only the table."""
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return export_response(spec, queryset, fmt, request.GET, request=request)
    listing = build_listing(request, spec, queryset)
    context = {**(context or {}), "listing": listing}
    if getattr(request, "htmx", False) and request.htmx.target == f"list-{spec.name}":
        return render(request, "ui/includes/list_table.html", context)
    return render(request, template, context)
