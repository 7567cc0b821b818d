from django.urls import path

from registry.views import (
    accounts,
    allocation_tables,
    issuance,
    penalties,
    statistics,
    surrender,
    trades,
    transactions,
    transfers,
)

app_name = "registry"

urlpatterns = [
    path("", accounts.index, name="index"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account"),
    path("accounts/<int:pk>/transfer/", transfers.transfer_propose, name="transfer_propose"),
    path("accounts/<int:pk>/surrender/", surrender.surrender, name="surrender"),
    path("accounts/<int:pk>/trusted/", accounts.trusted_list, name="trusted_list"),
    path("accounts/<int:pk>/representatives/", accounts.representatives, name="representatives"),
    path("accounts/<int:pk>/caps/", accounts.account_caps, name="account_caps"),
    path("representatives/<int:pk>/remove/", accounts.representative_remove, name="representative_remove"),
    path("trusted/<int:pk>/approve/", accounts.trusted_action, {"action": "approve"}, name="trusted_approve"),
    path("trusted/<int:pk>/reject/", accounts.trusted_action, {"action": "reject"}, name="trusted_reject"),
    path("trusted/<int:pk>/remove/", accounts.trusted_action, {"action": "remove"}, name="trusted_remove"),
    path("transfers/<int:pk>/approve/", transfers.transfer_approve, name="transfer_approve"),
    path("transfers/<int:pk>/reject/", transfers.transfer_reject, name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer_cancel"),
    path("allocation/", allocation_tables.allocation_tables, name="allocation_tables"),
    path("allocation/<int:pk>/", allocation_tables.allocation_table, name="allocation_table"),
    path(
        "allocation/<int:pk>/approve/",
        allocation_tables.allocation_table_action,
        {"action": "approve"},
        name="allocation_approve",
    ),
    path(
        "allocation/<int:pk>/issue/",
        allocation_tables.allocation_table_action,
        {"action": "issue"},
        name="allocation_issue",
    ),
    path("compliance/", surrender.compliance_dashboard, name="compliance"),
    path("penalties/", penalties.penalties, name="penalties"),
    path("penalties/<int:pk>/decide/", penalties.penalty_action, {"action": "decide"}, name="penalty_decide"),
    path("penalties/<int:pk>/withdraw/", penalties.penalty_action, {"action": "withdraw"}, name="penalty_withdraw"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("trades/import/", trades.trade_import, name="trade_import"),
    path("offsets/", issuance.offset_credits, name="offset_credits"),
    path("issue/", issuance.allowances_issue, name="allowances_issue"),
    path("sell/", issuance.allowances_sell, name="allowances_sell"),
    path("transactions/", transactions.transactions, name="transactions"),
    path("transactions/<int:pk>/", transactions.transaction_detail, name="transaction"),
    path("reversals/<int:pk>/approve/", transactions.reversal_approve, name="reversal_approve"),
    path("reversals/<int:pk>/reject/", transactions.reversal_reject, name="reversal_reject"),
]
