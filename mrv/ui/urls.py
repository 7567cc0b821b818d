from django.urls import path

from mrv.ui.views import files, findings, plans, report_data, reports

app_name = "ui"

urlpatterns = [
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/evidence/", reports.report_evidence, name="report_evidence"),
    path("reports/<int:pk>/data/", report_data.report_data, name="report_data"),
    path("reports/<int:pk>/data/save/", report_data.report_data_save, name="report_data_save"),
    path("reports/<int:pk>/data/preview/", report_data.report_data_preview, name="report_data_preview"),
    path("reports/<int:pk>/template.xlsx", report_data.report_template, name="report_template"),
    path("reports/<int:pk>/upload/", report_data.report_upload, name="report_upload"),
    path("reports/<int:pk>/output/", report_data.report_output_save, name="report_output_save"),
    path("reports/<int:pk>/warnings/", report_data.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/submit/", report_data.report_submit, name="report_submit"),
    path("reports/<int:pk>/withdraw/", report_data.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/diff/", report_data.report_diff_view, name="report_diff"),
    path("reports/<int:pk>/findings/<int:finding_pk>/answer/", findings.finding_answer, name="finding_answer"),
    path("files/<int:pk>/", files.file_download, name="file_download"),
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/streams/", plans.plan_stream_add, name="plan_stream_add"),
    path("plans/<int:pk>/streams/<int:stream_pk>/remove/", plans.plan_stream_remove, name="plan_stream_remove"),
    path("plans/<int:pk>/parameters/", plans.plan_parameter_set, name="plan_parameter_set"),
    path("plans/<int:pk>/attachments/", plans.plan_attach, name="plan_attach"),
    path(
        "plans/<int:pk>/attachments/<int:attachment_pk>/",
        plans.plan_attachment_download,
        name="plan_attachment_download",
    ),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan_submit"),
]
