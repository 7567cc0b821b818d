from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/transfer/", views.transfer_propose, name="transfer_propose"),
    path("accounts/<int:pk>/surrender/", views.surrender, name="surrender"),
    path("accounts/<int:pk>/trusted/", views.trusted_list, name="trusted_list"),
    path("accounts/<int:pk>/representatives/", views.representatives, name="representatives"),
    path("accounts/<int:pk>/caps/", views.account_caps, name="account_caps"),
    path("representatives/<int:pk>/remove/", views.representative_remove, name="representative_remove"),
    path("trusted/<int:pk>/approve/", views.trusted_action, {"action": "approve"}, name="trusted_approve"),
    path("trusted/<int:pk>/reject/", views.trusted_action, {"action": "reject"}, name="trusted_reject"),
    path("trusted/<int:pk>/remove/", views.trusted_action, {"action": "remove"}, name="trusted_remove"),
    path("transfers/<int:pk>/approve/", views.transfer_approve, name="transfer_approve"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("allocation/", views.allocation_tables, name="allocation_tables"),
    path("allocation/<int:pk>/", views.allocation_table, name="allocation_table"),
    path(
        "allocation/<int:pk>/approve/", views.allocation_table_action, {"action": "approve"}, name="allocation_approve"
    ),
    path("allocation/<int:pk>/issue/", views.allocation_table_action, {"action": "issue"}, name="allocation_issue"),
    path("compliance/", views.compliance_dashboard, name="compliance"),
    path("compliance/notices/", views.notices_issue, name="notices_issue"),
    path("penalties/", views.penalties, name="penalties"),
    path("penalties/<int:pk>/decide/", views.penalty_action, {"action": "decide"}, name="penalty_decide"),
    path("penalties/<int:pk>/withdraw/", views.penalty_action, {"action": "withdraw"}, name="penalty_withdraw"),
    path("statistics/", views.statistics, name="statistics"),
    path("trades/import/", views.trade_import, name="trade_import"),
    path("offsets/", views.offset_credits, name="offset_credits"),
    path("issue/", views.allowances_issue, name="allowances_issue"),
    path("sell/", views.allowances_sell, name="allowances_sell"),
    path("transactions/", views.transactions, name="transactions"),
    path("transactions/<int:pk>/", views.transaction_detail, name="transaction"),
    path("reversals/<int:pk>/approve/", views.reversal_approve, name="reversal_approve"),
    path("reversals/<int:pk>/reject/", views.reversal_reject, name="reversal_reject"),
]
