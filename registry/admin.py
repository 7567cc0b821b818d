"""The registry in the admin: readable by the market's regulator; ledger rows read-only for everybody."""

from django.contrib import admin

from mrv.admin_base import ReadOnlyScopedAdmin, ScopedAdmin
from mrv.admin_scale import LargeTableAdmin, LooseIndexValuesFilter
from registry.models import (
    Account,
    AllocationLine,
    AllocationTable,
    ComplianceRecord,
    Entry,
    MarketCap,
    Penalty,
    ProductionRecord,
    Transaction,
    TransferProposal,
)


class LedgerAdmin(ReadOnlyScopedAdmin):
    """Nobody, the national administrator included, changes or deletes a ledger row."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ["account", "unit_type", "vintage", "project", "quantity"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Transaction)
class TransactionAdmin(LargeTableAdmin, LedgerAdmin):
    list_display = [
        "pk",
        "created_at",
        "kind",
        "market",
        "firm",
        "compliance_year",
        "trade_date",
        "price_cny_per_t",
        "reverses",
    ]
    list_filter = ["market", "kind", "compliance_year"]
    list_select_related = ["market", "firm", "reverses"]
    search_fields = ["idempotency_key", "memo"]
    inlines = [EntryInline]
    readonly_fields = [f.name for f in Transaction._meta.fields]


@admin.register(Entry)
class EntryAdmin(LargeTableAdmin, LedgerAdmin):
    list_display = ["transaction", "account", "unit_type", "vintage", "project", "quantity"]
    list_filter = [("unit_type", LooseIndexValuesFilter), ("vintage", LooseIndexValuesFilter)]
    list_select_related = ["transaction", "account"]
    readonly_fields = [f.name for f in Entry._meta.fields]


@admin.register(Account)
class AccountAdmin(ReadOnlyScopedAdmin):
    list_display = ["number", "kind", "market", "firm"]
    list_filter = ["market", "kind"]
    list_select_related = ["market", "firm"]
    search_fields = ["number", "firm__name"]


@admin.register(MarketCap)
class MarketCapAdmin(ScopedAdmin):
    list_display = ["market", "year", "cap_tco2e", "reserve_tco2e"]
    list_filter = ["market", "year"]
    list_select_related = ["market"]


class AllocationLineInline(admin.TabularInline):
    model = AllocationLine
    extra = 0
    can_delete = False
    fields = [
        "firm",
        "method",
        "formula",
        "inputs",
        "computed_tco2e",
        "deduction_tco2e",
        "previously_issued_tco2e",
        "free_tco2e",
        "auction_tco2e",
        "from_reserve",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AllocationTable)
class AllocationTableAdmin(ReadOnlyScopedAdmin):
    list_display = ["market", "year", "kind", "status", "approved_by"]
    list_filter = ["market", "year", "kind", "status"]
    list_select_related = ["market", "approved_by"]
    inlines = [AllocationLineInline]


@admin.register(TransferProposal)
class TransferProposalAdmin(ReadOnlyScopedAdmin):
    list_display = [
        "from_account",
        "to_account",
        "unit_type",
        "vintage",
        "quantity",
        "status",
        "proposed_by",
        "decided_by",
    ]
    list_filter = ["status"]
    list_select_related = ["from_account", "to_account", "proposed_by", "decided_by"]


@admin.register(ProductionRecord)
class ProductionRecordAdmin(ScopedAdmin):
    regulator_may_add = True
    regulator_may_change = True
    list_display = ["firm", "year", "output", "declared_tco2e", "is_verified"]
    list_filter = ["year", "is_verified"]
    list_select_related = ["firm"]
    autocomplete_fields = ["firm"]


@admin.register(ComplianceRecord)
class ComplianceRecordAdmin(ReadOnlyScopedAdmin):
    list_display = ["firm", "year", "shortfall_tco2e", "marked_at"]
    list_filter = ["year"]
    list_select_related = ["firm"]


@admin.register(Penalty)
class PenaltyAdmin(ReadOnlyScopedAdmin):
    list_display = ["firm", "year", "shortfall_tco2e", "fine_cny", "deduction_tco2e", "status", "decided_by"]
    list_filter = ["year", "status"]
    list_select_related = ["firm", "decided_by"]
