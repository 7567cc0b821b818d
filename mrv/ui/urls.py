from django.urls import path

from mrv.ui.views import files, reports

app_name = "ui"

urlpatterns = [
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/evidence/", reports.report_evidence, name="report_evidence"),
    path("files/<int:pk>/", files.file_download, name="file_download"),
]
