from django.urls import path
from django.utils.translation import gettext_lazy as _

from mrv.ui.navigation import NavItem, register
from mrv.ui.views import (
    clocks,
    coverage,
    deposits,
    files,
    integrity,
    jobs,
    mandates,
    plans,
    records,
    regulator,
    report_data,
    reports,
    verification,
)

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
    path(
        "reports/<int:pk>/take-over-quarters/",
        report_data.report_take_over_quarterly,
        name="report_take_over_quarterly",
    ),
    path("reports/<int:pk>/warnings/", report_data.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/submit/", report_data.report_submit, name="report_submit"),
    path("reports/<int:pk>/withdraw/", report_data.report_withdraw, name="report_withdraw"),
    path("reports/<int:pk>/diff/", report_data.report_diff_view, name="report_diff"),
    path("files/<int:pk>/", files.file_download, name="file_download"),
    path("records/seals/<int:pk>/", records.seal_detail, name="seal_detail"),
    path("records/seals/<int:pk>/copy.txt", records.seal_download, name="seal_download"),
    path("records/seals/<int:pk>/document.pdf", records.seal_pdf, name="seal_pdf"),
    path("records/seals/<int:pk>/repudiate/", records.seal_repudiate, name="seal_repudiate"),
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", jobs.job_download, name="job_download"),
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
    # Verification, spot checks and the regulator's review (second UI half).
    path("engagements/", verification.engagement_list, name="engagement_list"),
    path("engagements/<int:pk>/", verification.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/accept/", verification.engagement_accept, name="engagement_accept"),
    path("engagements/<int:pk>/decline/", verification.engagement_decline, name="engagement_decline"),
    path("engagements/<int:pk>/assign/", verification.engagement_assign, name="engagement_assign"),
    path("engagements/<int:pk>/plan/", verification.verification_plan, name="verification_plan"),
    path("reports/<int:pk>/verification/", verification.report_verification, name="report_verification"),
    path("reports/<int:pk>/findings/", verification.finding_raise, name="finding_raise"),
    path("reports/<int:pk>/findings/<int:finding_pk>/answer/", verification.finding_answer, name="finding_answer"),
    path("reports/<int:pk>/findings/<int:finding_pk>/close/", verification.finding_close, name="finding_close"),
    path("reports/<int:pk>/findings/<int:finding_pk>/reopen/", verification.finding_reopen, name="finding_reopen"),
    path("reports/<int:pk>/return-to-firm/", verification.report_return_to_firm, name="report_return_to_firm"),
    path("reports/<int:pk>/sign-off/", verification.report_sign_off, name="report_sign_off"),
    path("reports/<int:pk>/spot-check/", verification.spot_check_record, name="spot_check_record"),
    path("spot-checks/", verification.spot_check_list, name="spot_check_list"),
    path("spot-checks/draw/", regulator.spot_check_draw, name="spot_check_draw"),
    path("spot-checks/items/<int:pk>/body/", regulator.spot_check_item_assign, name="spot_check_item_assign"),
    path("market/", regulator.market_overview, name="market_overview"),
    path("integrity/", integrity.chain_check, name="chain_check"),
    path("market/estimate/", regulator.report_open_for_estimate, name="report_open_for_estimate"),
    path("coverage/", coverage.coverage_list, name="coverage_list"),
    path("coverage/<int:year>/import/", coverage.coverage_import, name="coverage_import"),
    path("coverage/<int:year>/entries/", coverage.coverage_entry_save, name="coverage_entry_save"),
    path("coverage/<int:year>/reevaluate/", coverage.coverage_reevaluate, name="coverage_reevaluate"),
    path("coverage/entries/<int:pk>/close/", coverage.coverage_entry_close, name="coverage_entry_close"),
    path("coverage/<int:year>/<str:action>/", coverage.coverage_action, name="coverage_action"),
    path("reports/<int:pk>/review/", regulator.report_review, name="report_review"),
    path("reports/<int:pk>/review/decide/", regulator.report_decide, name="report_decide"),
    path("reports/<int:pk>/review/estimate/", regulator.report_estimate, name="report_estimate"),
    path("reports/<int:pk>/review/redetermine/", regulator.report_redetermine, name="report_redetermine"),
    path("reports/<int:pk>/co-review/", regulator.report_co_review, name="report_co_review"),
    path("plans/<int:pk>/review/", regulator.plan_review, name="plan_review"),
    # Deadlines that follow the work: a finding's response date, requests for information, extensions.
    path(
        "reports/<int:pk>/findings/<int:finding_pk>/response-due/",
        clocks.finding_response_due,
        name="finding_response_due",
    ),
    path("reports/<int:pk>/findings/<int:finding_pk>/ask/", clocks.finding_ask, name="finding_ask"),
    path("requests/information/", clocks.information_request_list, name="information_request_list"),
    path("requests/information/ask/", clocks.information_request_ask, name="information_request_ask"),
    path("requests/information/<int:pk>/answer/", clocks.information_request_answer, name="information_request_answer"),
    path(
        "requests/information/<int:pk>/withdraw/",
        clocks.information_request_withdraw,
        name="information_request_withdraw",
    ),
    path("requests/extensions/", clocks.extension_request_list, name="extension_request_list"),
    path("requests/extensions/new/", clocks.extension_request_submit, name="extension_request_submit"),
    path("requests/extensions/<int:pk>/grant/", clocks.extension_request_grant, name="extension_request_grant"),
    path("requests/extensions/<int:pk>/refuse/", clocks.extension_request_refuse, name="extension_request_refuse"),
    path(
        "requests/extensions/<int:pk>/withdraw/", clocks.extension_request_withdraw, name="extension_request_withdraw"
    ),
    # Monthly deposits of the national power sector.
    path("mandates/", mandates.mandate_list, name="mandate_list"),
    path("mandates/grant/", mandates.mandate_grant, name="mandate_grant"),
    path("mandates/<int:pk>/end/", mandates.mandate_end, name="mandate_end"),
    path("deposits/", deposits.deposit_overview, name="deposit_overview"),
    path("deposits/<int:firm_pk>/<int:year>/", deposits.deposit_months, name="deposit_months"),
    path("deposits/<int:firm_pk>/<int:year>/save/", deposits.deposit_save, name="deposit_save"),
    path("reports/<int:pk>/prefill-deposits/", deposits.report_prefill_deposits, name="report_prefill_deposits"),
]

register(
    NavItem(
        _("Requests for information"),
        "ui:information_request_list",
        lambda u: u.is_firm_user or u.is_verifier or u.is_regulator,
        order=45,
    )
)
register(NavItem(_("Data-entry mandates"), "ui:mandate_list", lambda u: u.is_firm_user or u.is_regulator, order=47))
register(
    NavItem(_("Extension requests"), "ui:extension_request_list", lambda u: u.is_firm_user or u.is_regulator, order=46)
)
register(
    NavItem(
        _("Monthly deposits"),
        "ui:deposit_overview",
        lambda u: u.is_firm_user or u.is_verifier or u.is_regulator,
        order=47,
    )
)
