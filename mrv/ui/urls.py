from django.urls import path

from mrv.ui.views import files, report_data, reports

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
    path("reports/<int:pk>/warnings/", report_data.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/submit/", report_data.report_submit, name="report_submit"),
    path("reports/<int:pk>/withdraw/", report_data.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/diff/", report_data.report_diff_view, name="report_diff"),
    path("files/<int:pk>/", files.file_download, name="file_download"),
]
