from django.contrib import admin

from mrv.admin_base import ReadOnlyScopedAdmin
from mrv.admin_scale import LargeTableAdmin
from mrv.models import DeadlineExtension

from .models import EarlyWarning, QuarterlySnapshot, Reminder


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyScopedAdmin):
    """Granted through the extension page (a service that audits and notifies), not a form here."""

    list_display = ["firm", "year", "kind", "extra_days", "granted_by", "granted_at"]
    list_filter = ["year", "kind"]
    list_select_related = ["firm", "granted_by"]


@admin.register(Reminder)
class ReminderAdmin(LargeTableAdmin, ReadOnlyScopedAdmin):
    list_display = ["firm", "year", "kind", "due_date", "offset_days", "stage", "created_at"]
    list_filter = ["stage", "kind", "year"]
    list_select_related = ["firm"]


class EarlyWarningInline(admin.TabularInline):
    model = EarlyWarning
    extra = 0
    can_delete = False
    fields = [
        "firm",
        "emissions_so_far_tco2e",
        "share_so_far",
        "projected_tco2e",
        "allocation_tco2e",
        "shortfall_tco2e",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(QuarterlySnapshot)
class QuarterlySnapshotAdmin(ReadOnlyScopedAdmin):
    list_display = ["market", "year", "quarter", "created_at"]
    list_filter = ["year", "quarter"]
    list_select_related = ["market"]
    inlines = [EarlyWarningInline]
