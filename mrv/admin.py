from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from mrv.admin_base import ReadOnlyScopedAdmin, ScopedAdmin, ScopedChoicesMixin, is_admin_user
from mrv.admin_scale import LargeTableAdmin, LooseIndexValuesFilter
from mrv.models import (
    AuditLog,
    Authority,
    ConflictOfInterest,
    DataEntryMandate,
    DeadlineRule,
    DeliveryIntent,
    EmissionReport,
    EmissionSource,
    Firm,
    FirmYearFigure,
    InclusionThreshold,
    Market,
    MarketSector,
    OutboxMessage,
    RulePack,
    Sector,
    User,
    VerificationBody,
    VerificationEngagement,
    VerifierQualification,
    VerifierRegistration,
)
from mrv.selectors.markets import markets_of


class NationalOnlyInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_change_permission(self, request, obj=None):
        return request.user.is_national_admin

    has_add_permission = has_change_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national_admin


class ThresholdInline(NationalOnlyInline):
    model = InclusionThreshold


class MarketSectorInline(NationalOnlyInline):
    model = MarketSector
    autocomplete_fields = ["sector"]


class DeadlineInline(NationalOnlyInline):
    model = DeadlineRule


@admin.register(Market)
class MarketAdmin(ScopedAdmin):
    list_display = ["code", "name_zh", "name_en", "is_national", "first_compliance_year"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Sector)
class SectorAdmin(ScopedAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(RulePack)
class RulePackAdmin(ScopedAdmin):
    list_display = ["market", "valid_from_year", "gwp_set", "quarterly_reporting", "spot_check", "verifier_eligibility"]
    list_filter = ["market", "spot_check", "quarterly_reporting", "verifier_eligibility"]
    list_select_related = ["market"]
    inlines = [ThresholdInline, MarketSectorInline, DeadlineInline]


class SourceInline(ScopedChoicesMixin, admin.TabularInline):
    model = EmissionSource
    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin_user(request.user)

    has_add_permission = has_change_permission


class FigureInline(SourceInline):
    """Historical emissions are allocation inputs: an officer's change waits for a head's approval."""

    model = FirmYearFigure

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national_admin


@admin.register(Firm)
class FirmAdmin(ScopedAdmin):
    regulator_may_change = True
    regulator_may_add = True
    list_display = ["name", "credit_code", "market", "sector", "is_active"]
    list_filter = ["market", "sector", "is_active", "is_new_entrant"]
    list_select_related = ["market", "sector"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["sector"]
    inlines = [SourceInline, FigureInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_regulator and "market" in form.base_fields:
            form.base_fields["market"].queryset = markets_of(request.user)
        return form


class RegistrationInline(NationalOnlyInline):
    model = VerifierRegistration


class QualificationInline(NationalOnlyInline):
    model = VerifierQualification


@admin.register(VerificationBody)
class VerificationBodyAdmin(ScopedAdmin):
    list_display = ["name", "credit_code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]
    inlines = [RegistrationInline, QualificationInline]


@admin.register(ConflictOfInterest)
class ConflictAdmin(ScopedAdmin):
    regulator_may_add = True
    regulator_may_change = True
    list_display = ["body", "firm", "description", "recorded_at"]
    list_select_related = ["body", "firm"]
    autocomplete_fields = ["firm", "body"]


@admin.register(Authority)
class AuthorityAdmin(ScopedAdmin):
    list_display = ["name", "kind", "market"]
    list_select_related = ["market"]


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    form = DjangoUserAdmin.form
    list_display = ["username", "last_name", "first_name", "role", "firm", "body", "authority", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["firm", "body", "authority"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Organisation and role"), {"fields": ["role", "firm", "body", "authority", "phone"]}),
    )
    SUPERUSER_ONLY = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser grants staff or superuser rights, groups or permissions."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SUPERUSER_ONLY if f not in fields]
        return fields


@admin.register(EmissionReport)
class EmissionReportAdmin(LargeTableAdmin, ReadOnlyScopedAdmin):
    list_display = ["firm", "year", "period", "status", "determined_emissions_tco2e", "market"]
    list_filter = ["market", "year", "period", "status"]
    list_select_related = ["firm", "market"]
    search_fields = ["firm__name", "firm__credit_code"]


@admin.register(VerificationEngagement)
class VerificationEngagementAdmin(ReadOnlyScopedAdmin):
    list_display = ["firm", "year", "body", "status", "market"]
    list_filter = ["market", "year", "status"]
    list_select_related = ["firm", "body", "market"]
    search_fields = ["firm__name", "body__name"]


@admin.register(DataEntryMandate)
class DataEntryMandateAdmin(ReadOnlyScopedAdmin):
    """Granted and ended on the firm's "Data-entry mandates" page (services.mandates); read here."""

    list_display = ["firm", "grantee", "granted_by", "granted_at", "ended_at", "ended_by"]
    list_select_related = ["firm", "grantee", "granted_by", "ended_by"]
    search_fields = ["firm__name", "firm__credit_code", "grantee__username"]


@admin.register(AuditLog)
class AuditLogAdmin(LargeTableAdmin, ReadOnlyScopedAdmin):
    list_display = ["at", "actor", "action", "object_repr", "from_state", "to_state", "reason"]
    # A date filter with fixed choices, not a date hierarchy: the hierarchy reads every distinct date.
    list_filter = [("action", LooseIndexValuesFilter), "market", ("at", admin.DateFieldListFilter)]
    list_select_related = ["actor"]
    search_fields = ["object_repr", "reason", "action"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxAdmin(LargeTableAdmin, ReadOnlyScopedAdmin):
    list_display = ["task_name", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [("task_name", LooseIndexValuesFilter)]


@admin.register(DeliveryIntent)
class DeliveryIntentAdmin(ReadOnlyScopedAdmin):
    """E-mails recorded before sending; one without "delivered" long after its attempt is uncertain."""

    list_display = ["key", "recipient", "delivery_id", "attempted_at", "delivered_at"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "recipient", "delivery_id"]


# --- Monitoring plans and report versions (read-only: they change only through services) -------

from mrv.models import (  # noqa: E402
    GridFactor,
    MonitoringPlan,
    PlanAttachment,
    PlanParameter,
    PlanSourceStream,
    ReportVersion,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanStreamInline(ReadOnlyInline):
    model = PlanSourceStream
    fields = ["code", "name", "source", "fuel_code", "method", "gas", "activity_unit"]
    readonly_fields = fields


class PlanAttachmentInline(ReadOnlyInline):
    model = PlanAttachment
    fields = ["original_name", "description", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class PlanParameterInline(ReadOnlyInline):
    model = PlanParameter
    fields = ["name", "unit", "source", "default_value", "lab_frequency", "meter_id", "meter_accuracy_pct"]
    readonly_fields = fields


@admin.register(MonitoringPlan)
class MonitoringPlanAdmin(ReadOnlyScopedAdmin):
    list_display = ["firm", "version", "status", "valid_from", "submitted_at", "approved_at"]
    list_filter = ["status", "firm__market"]
    list_select_related = ["firm"]
    search_fields = ["firm__name", "firm__credit_code"]
    inlines = [PlanStreamInline, PlanAttachmentInline]
    readonly_fields = ["all_versions"]

    @admin.display(description=_("all versions of the firm"))
    def all_versions(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html_join

        versions = obj.firm.plans.order_by("-version")
        return format_html_join(
            ", ",
            '<a href="{}">v{} ({}, {})</a>',
            (
                (
                    reverse("admin:mrv_monitoringplan_change", args=[v.pk]),
                    v.version,
                    v.get_status_display(),
                    v.valid_from,
                )
                for v in versions
            ),
        )


@admin.register(PlanSourceStream)
class PlanSourceStreamAdmin(ReadOnlyScopedAdmin):
    list_display = ["code", "plan", "source", "method", "gas", "activity_unit"]
    list_select_related = ["plan__firm", "source"]
    inlines = [PlanParameterInline]

    def has_module_permission(self, request):
        return False  # reached from its plan


class ReportVersionInline(ReadOnlyInline):
    model = ReportVersion
    fields = ["number", "created_at", "created_by", "plan", "total_tco2e", "reported_tco2e"]
    readonly_fields = fields


@admin.register(ReportVersion)
class ReportVersionAdmin(LargeTableAdmin, ReadOnlyScopedAdmin):
    list_display = ["report", "number", "created_at", "created_by", "reported_tco2e"]
    list_select_related = ["report__firm", "created_by"]
    list_filter = ["report__market", "report__year"]
    search_fields = ["report__firm__name"]


admin.site.unregister(EmissionReport)


@admin.register(EmissionReport)
class EmissionReportWithVersionsAdmin(EmissionReportAdmin):
    list_display = [*EmissionReportAdmin.list_display, "reported_emissions_tco2e"]
    inlines = [*EmissionReportAdmin.inlines, ReportVersionInline]


@admin.register(GridFactor)
class GridFactorAdmin(ScopedAdmin):
    list_display = ["market", "year", "electricity_tco2_per_mwh", "heat_tco2_per_gj", "source"]
    list_filter = ["market"]
    list_select_related = ["market"]


# --- Verification, spot checks and review (issue 4) ----------------------------------------------
# Workflow records are read-only here: they change only through the services. The report's change
# page links to its full timeline.

from django.template.response import TemplateResponse  # noqa: E402
from django.urls import path  # noqa: E402

from mrv.models import (  # noqa: E402
    Determination,
    Finding,
    FindingAnswer,
    QuarterlyReview,
    SpotCheckItem,
    SpotCheckSample,
    VerificationOpinion,
    VerificationPlan,
)
from mrv.timeline import report_timeline  # noqa: E402


@admin.register(VerificationPlan)
class VerificationPlanAdmin(ReadOnlyScopedAdmin):
    list_display = ["engagement", "site_visit_dates", "written_by", "updated_at"]
    list_select_related = ["engagement__firm", "engagement__body", "written_by"]


class FindingAnswerInline(admin.TabularInline):
    model = FindingAnswer
    extra = 0
    fields = readonly_fields = ["answered_at", "answered_by", "text"]

    def has_view_permission(self, request, obj=None):
        return is_admin_user(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(ReadOnlyScopedAdmin):
    list_display = ["report", "kind", "line_key", "amount_tco2e", "status", "resolution", "raised_at"]
    list_filter = ["report__market", "kind", "status"]
    list_select_related = ["report__firm"]
    search_fields = ["report__firm__name", "line_key", "description"]
    inlines = [FindingAnswerInline]


@admin.register(VerificationOpinion)
class VerificationOpinionAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "report",
        "outcome",
        "reported_emissions_tco2e",
        "verified_emissions_tco2e",
        "difference_tco2e",
        "signed_by",
        "signed_at",
    ]
    list_filter = ["report__market", "outcome"]
    list_select_related = ["report__firm", "signed_by"]


@admin.register(SpotCheckSample)
class SpotCheckSampleAdmin(ReadOnlyScopedAdmin):
    list_display = ["market", "year", "seed", "rate_pct", "drawn_at", "drawn_by"]
    list_filter = ["market", "year"]
    list_select_related = ["market", "drawn_by"]


@admin.register(SpotCheckItem)
class SpotCheckItemAdmin(ReadOnlyScopedAdmin):
    list_display = ["report", "risk_weight", "added_by_hand", "body", "outcome", "checked_at"]
    list_filter = ["sample__market", "sample__year", "outcome", "added_by_hand"]
    list_select_related = ["report__firm", "body"]


@admin.register(Determination)
class DeterminationAdmin(ReadOnlyScopedAdmin):
    list_display = ["report", "basis", "emissions_tco2e", "proposed_by", "decision", "decided_by"]
    list_filter = ["report__market", "basis", "decision"]
    list_select_related = ["report__firm", "proposed_by", "decided_by"]


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(ReadOnlyScopedAdmin):
    list_display = ["report", "round", "reviewer", "decision", "reviewed_by", "reviewed_at"]
    list_filter = ["report__market", "reviewer", "decision"]
    list_select_related = ["report__firm", "reviewed_by"]


_ReportAdminSoFar = type(admin.site._registry[EmissionReport])
admin.site.unregister(EmissionReport)


@admin.register(EmissionReport)
class EmissionReportTimelineAdmin(_ReportAdminSoFar):
    """Adds the report's full timeline (versions, transitions, findings, opinions, spot checks, decisions)."""

    change_form_template = "admin/mrv/emissionreport/change_form.html"

    def get_urls(self):
        timeline = path(
            "<path:object_id>/timeline/",
            self.admin_site.admin_view(self.timeline_view),
            name="mrv_emissionreport_timeline",
        )
        return [timeline, *super().get_urls()]

    def timeline_view(self, request, object_id):
        report = self.get_object(request, object_id)
        if report is None or not self.has_view_permission(request, report):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Timeline: %s") % report,
            "object": report,
            "opts": self.opts,
            "entries": report_timeline(report),
        }
        return TemplateResponse(request, "admin/mrv/emissionreport/timeline.html", context)


# --- Four eyes on allocation inputs ---------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402

from mrv.models import PendingChange  # noqa: E402
from mrv.services import pending_changes  # noqa: E402


@admin.register(PendingChange)
class PendingChangeAdmin(ReadOnlyScopedAdmin):
    """An officer's change of a production record or historical figure; a head approves or rejects it."""

    list_display = ["summary", "firm", "status", "proposed_by", "proposed_at", "decided_by", "reason"]
    list_filter = ["status", "market"]
    list_select_related = ["firm", "proposed_by", "decided_by"]
    readonly_fields = ["summary", "firm", "values", "before", "reason", "status", "proposed_by", "decided_by"]
    actions = ["approve", "reject"]

    def _decide(self, request, queryset, service, done):
        for change in queryset:
            try:
                service(change=change, acting_user=request.user)
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                messages.error(request, f"{change}: {text}")
            else:
                messages.success(request, f"{change}: {done}")

    @admin.action(description=_("Approve the selected changes (apply them)"))
    def approve(self, request, queryset):
        self._decide(request, queryset, pending_changes.pending_change_approve, _("approved and applied."))

    @admin.action(description=_("Reject the selected changes"))
    def reject(self, request, queryset):
        self._decide(request, queryset, pending_changes.pending_change_reject, _("rejected."))

    def get_actions(self, request):
        actions = super().get_actions(request)
        return actions if request.user.is_national_admin or request.user.role == User.Role.REGULATOR_HEAD else {}
