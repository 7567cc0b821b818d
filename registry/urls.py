from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/transfer/", views.transfer_propose, name="transfer_propose"),
    path("accounts/<int:pk>/surrender/", views.surrender, name="surrender"),
    path("transfers/<int:pk>/approve/", views.transfer_decide, {"decision": "approve"}, name="transfer_approve"),
    path("transfers/<int:pk>/reject/", views.transfer_decide, {"decision": "reject"}, name="transfer_reject"),
    path("allocation/", views.allocation_tables, name="allocation_tables"),
    path("allocation/<int:pk>/", views.allocation_table, name="allocation_table"),
    path(
        "allocation/<int:pk>/approve/", views.allocation_table_action, {"action": "approve"}, name="allocation_approve"
    ),
    path("allocation/<int:pk>/issue/", views.allocation_table_action, {"action": "issue"}, name="allocation_issue"),
    path("compliance/", views.compliance_dashboard, name="compliance"),
    path("penalties/", views.penalties, name="penalties"),
    path("penalties/<int:pk>/decide/", views.penalty_action, {"action": "decide"}, name="penalty_decide"),
    path("penalties/<int:pk>/withdraw/", views.penalty_action, {"action": "withdraw"}, name="penalty_withdraw"),
    path("statistics/", views.statistics, name="statistics"),
    path("trades/import/", views.trade_import, name="trade_import"),
    path("offsets/", views.offset_credits, name="offset_credits"),
]
