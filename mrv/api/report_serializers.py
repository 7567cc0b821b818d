"""Shapes of the firm's report endpoints: what a client sends (rows, acknowledgements) and what it reads.

Values of rows are taken as strings or numbers and parsed by the service (`mrv.services.reports`), which
names the row, stream, month and field of every problem; the API adds no rule of its own.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from mrv.api.conventions import ReasonIn, YearField  # noqa: F401 (ReasonIn: the shared shape of a reason)
from mrv.models import ActivityDataRow, EmissionReport, OutputDataRow, ReportVersion, StoredFile

MAX_ROWS = 10_000
VALUE = {"required": False, "allow_null": True, "allow_blank": True, "max_length": 60}
UNIT = {"required": False, "allow_blank": True, "max_length": 20}


class PlainRows(serializers.ListSerializer):
    """A list of rows checked in one pass when every row is plain — an object whose declared values are strings
    within their lengths, numbers or allowed nulls, with the required ones present — and by DRF's per-field
    machinery otherwise, so a bad row gets DRF's own message and pointer.

    DRF spends some 40 µs a value, most of the time of a request carrying thousands of rows; the row's values
    are parsed and checked by the service anyway (`mrv.services.reports`, naming row, stream, month and field).
    """

    def to_internal_value(self, data):
        fields = dict(self.child.fields)  # a plain dict: DRF's BindingDict answers `in` slowly
        required = {name for name, field in fields.items() if field.required}
        if (
            isinstance(data, list)
            and 0 < len(data) <= (self.max_length or len(data))
            and all(_plain(row, fields, required) for row in data)
        ):
            return [
                {name: _as_drf(fields[name], value) for name, value in row.items() if name in fields} for row in data
            ]
        return super().to_internal_value(data)


def _as_drf(field, value):
    """The value as DRF's field would hand it on: a number given for a text field becomes its text."""
    if type(value) in (int, float) and isinstance(field, serializers.CharField):
        return str(value)
    return value


def _plain(row, fields, required) -> bool:
    if type(row) is not dict or not required <= row.keys():
        return False
    for name, value in row.items():
        field = fields.get(name)
        if field is None:
            continue
        if isinstance(field, serializers.IntegerField):
            if type(value) is not int:
                return False
        elif value is None:
            if not field.allow_null:
                return False
        elif type(value) is str:
            if len(value) > field.max_length or not (field.allow_blank or value.strip()):
                return False
        elif type(value) in (int, float):
            if len(repr(value)) > field.max_length:
                return False
        else:
            return False
    return True


class ActivityRowIn(serializers.Serializer):
    """One source stream and month; a blank unit means the plan's, an empty parameter the plan's default."""

    stream = serializers.CharField(max_length=40, help_text="the plan's source stream code")
    month = serializers.IntegerField(help_text="1..12, within the report's period")
    activity = serializers.CharField(max_length=60, help_text="a number as a string or JSON number")
    activity_unit = serializers.CharField(**UNIT)
    ncv = serializers.CharField(**VALUE)
    ncv_unit = serializers.CharField(**UNIT)
    carbon_content = serializers.CharField(**VALUE)
    carbon_content_unit = serializers.CharField(**UNIT)
    oxidation_rate = serializers.CharField(**VALUE)
    oxidation_rate_unit = serializers.CharField(**UNIT)
    emission_factor = serializers.CharField(**VALUE)
    emission_factor_unit = serializers.CharField(**UNIT)

    class Meta:
        list_serializer_class = PlainRows


class ActivityDataIn(serializers.Serializer):
    rows = ActivityRowIn(many=True, max_length=MAX_ROWS, allow_empty=False)


MAX_BATCH_REPORTS = 1_000
MAX_BATCH_ROWS = 50_000


class BatchEntryIn(serializers.Serializer):
    report = serializers.IntegerField(min_value=1, help_text="the report's id")
    if_match = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="the report's ETag you read (as the If-Match header of a single report's PUT); 412 if stale",
    )
    rows = ActivityRowIn(many=True, max_length=MAX_ROWS, allow_empty=False)


class ActivityDataBatchIn(serializers.Serializer):
    reports = BatchEntryIn(many=True, max_length=MAX_BATCH_REPORTS, allow_empty=False)

    def validate_reports(self, entries):
        if sum(len(entry["rows"]) for entry in entries) > MAX_BATCH_ROWS:
            raise serializers.ValidationError(
                _("At most %(rows)s rows in one batch: send the rest in another request.") % {"rows": MAX_BATCH_ROWS}
            )
        return entries


class BatchEntryOut(serializers.Serializer):
    report = serializers.IntegerField()
    stored = serializers.IntegerField(help_text="rows stored (inserted or replaced)")
    etag = serializers.CharField(help_text="the report's ETag after the write")
    validation = serializers.CharField(help_text="where to read the report's errors, warnings and totals")


class ActivityDataBatchOut(serializers.Serializer):
    reports = BatchEntryOut(many=True)


class ActivityRowOut(serializers.ModelSerializer):
    stream = serializers.CharField(source="stream_code")

    class Meta:
        model = ActivityDataRow
        fields = [
            "stream",
            "month",
            "activity",
            "activity_unit",
            *[name for p in ActivityDataRow.PARAMETERS for name in (p, f"{p}_unit")],
            "updated_at",
        ]


class OutputRowIn(serializers.Serializer):
    kind = serializers.CharField(max_length=30, required=False, default=OutputDataRow.Kind.PRODUCT)
    name = serializers.CharField(max_length=100)
    amount = serializers.CharField(max_length=60)
    unit = serializers.CharField(max_length=20)


class OutputDataIn(serializers.Serializer):
    rows = OutputRowIn(many=True, max_length=MAX_ROWS, allow_empty=False)


class OutputRowOut(serializers.ModelSerializer):
    class Meta:
        model = OutputDataRow
        fields = ["kind", "name", "amount", "unit", "updated_at"]


class UploadIn(serializers.Serializer):
    file = serializers.FileField(help_text="the filled-in template: Excel (.xlsx) or CSV in UTF-8 or GBK")


class EvidenceIn(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StoredFileOut(serializers.ModelSerializer):
    class Meta:
        model = StoredFile
        fields = ["id", "kind", "original_name", "description", "size_bytes", "sha256", "uploaded_at"]


class MessageOut(serializers.Serializer):
    level = serializers.CharField()
    code = serializers.CharField()
    key = serializers.CharField(help_text="what to send to acknowledge a warning")
    stream = serializers.CharField()
    month = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    text = serializers.CharField(help_text="in the caller's language (Accept-Language: zh-hans or en)")


class WarningOut(MessageOut):
    acknowledged = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class LineOut(serializers.Serializer):
    key = serializers.CharField()
    source = serializers.CharField()
    source_kind = serializers.CharField()
    stream = serializers.CharField()
    method = serializers.CharField()
    gas = serializers.CharField()
    gas_group = serializers.CharField()
    scope = serializers.CharField()
    gas_mass_t = serializers.CharField(help_text="decimal as a string")
    tco2e = serializers.CharField(help_text="decimal as a string")


class TotalsOut(serializers.Serializer):
    total_tco2e = serializers.CharField()
    reported_tco2e = serializers.CharField(help_text="whole tonnes, the figure the report states")
    direct_tco2e = serializers.CharField()
    indirect_tco2e = serializers.CharField()
    fixed_tco2e = serializers.CharField()
    mobile_tco2e = serializers.CharField()
    by_gas = serializers.DictField(child=serializers.CharField())
    by_species_t = serializers.DictField(child=serializers.CharField())
    by_source = serializers.DictField(child=serializers.CharField())
    by_stream = serializers.DictField(child=serializers.CharField())


class CalculationOut(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=["draft", "version"], help_text="draft: from the current rows; version: as submitted"
    )
    version = serializers.IntegerField(allow_null=True)
    gwp_set = serializers.CharField(allow_null=True)
    lines = LineOut(many=True)
    totals = TotalsOut(allow_null=True)
    errors = MessageOut(many=True, help_text="what blocks the calculation or the submission")


class ValidationOut(serializers.Serializer):
    ok = serializers.BooleanField(help_text="no errors (warnings must still be acknowledged before submitting)")
    errors = MessageOut(many=True)
    warnings = MessageOut(many=True)
    totals = TotalsOut(allow_null=True)


class AcknowledgementIn(serializers.Serializer):
    key = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000)


class AcknowledgeIn(serializers.Serializer):
    acknowledgements = AcknowledgementIn(many=True, allow_empty=False, max_length=1000)


class ReportCreateIn(serializers.Serializer):
    year = YearField()
    period = serializers.ChoiceField(choices=EmissionReport.Period.choices, default=EmissionReport.Period.ANNUAL)


class ReportDetail(serializers.ModelSerializer):
    firm = serializers.PrimaryKeyRelatedField(read_only=True)
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)
    current_version = serializers.IntegerField(source="current_version.number", allow_null=True, read_only=True)
    actions = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="what you may do now")

    class Meta:
        model = EmissionReport
        fields = [
            "id",
            "firm",
            "market",
            "year",
            "period",
            "status",
            "current_version",
            "reported_emissions_tco2e",
            "determined_emissions_tco2e",
            "updated_at",
            "actions",
        ]


class SubmittedOut(serializers.Serializer):
    report = ReportDetail()
    version = serializers.IntegerField(help_text="the number of the version just frozen")


class VersionOut(serializers.ModelSerializer):
    plan_version = serializers.IntegerField(source="plan.version")
    submitted_by = serializers.CharField(source="created_by.username")

    class Meta:
        model = ReportVersion
        fields = ["number", "plan_version", "submitted_by", "created_at", "total_tco2e", "reported_tco2e"]


class VersionDetailOut(VersionOut):
    class Meta(VersionOut.Meta):
        fields = [*VersionOut.Meta.fields, "data", "result"]


class ChangeOut(serializers.Serializer):
    stream = serializers.CharField()
    month = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField(allow_null=True)
    delta = serializers.DecimalField(max_digits=30, decimal_places=10, allow_null=True)


class DiffOut(serializers.Serializer):
    before_number = serializers.IntegerField()
    after_number = serializers.IntegerField()
    plan_before = serializers.IntegerField(allow_null=True)
    plan_after = serializers.IntegerField(allow_null=True)
    changes = ChangeOut(many=True)
    total_before_tco2e = serializers.DecimalField(max_digits=20, decimal_places=3)
    total_after_tco2e = serializers.DecimalField(max_digits=20, decimal_places=3)
    total_delta_tco2e = serializers.DecimalField(max_digits=20, decimal_places=3)
    total_delta_pct = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)


class DiffQuery(serializers.Serializer):
    from_version = serializers.IntegerField(min_value=1, help_text="the earlier version number")
    to_version = serializers.IntegerField(min_value=1, help_text="the later version number")


class FindingAnswerOut(serializers.Serializer):
    text = serializers.CharField()
    answered_by = serializers.CharField(source="answered_by.username")
    answered_at = serializers.DateTimeField()


class FindingOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    line_key = serializers.CharField()
    description = serializers.CharField()
    amount_tco2e = serializers.DecimalField(max_digits=18, decimal_places=3, allow_null=True)
    raised_at = serializers.DateTimeField()
    answers = FindingAnswerOut(many=True)


class AnswerIn(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
