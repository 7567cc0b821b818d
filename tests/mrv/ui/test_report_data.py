"""The firm's report data in the browser: grid, live recalculation, template, upload, warnings, submit, diff.

The plan has one stream: kiln, process emissions, emission factor 0.5 tCO2/t by default. Figures:
83.249 t × 0.5 = 41.6245 → 41.625 t a month (half up); 12 months = 499.5 → 500 t reported.
"""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from mrv.models import ActivityDataRow, AuditLog, EmissionReport, ReportVersion, StoredFile
from mrv.selectors.reports import report_validation
from mrv.services import reports as svc
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import approved_plan, report

KILN = {
    "code": "kiln",
    "source": "kiln",
    "method": "process",
    "unit": "t",
    "params": {"emission_factor": ("tCO2/t", "default", "0.5")},
}
OUTSIDERS = ["other_firm_user", "other_verifier", "other_regulator", "outsider"]


@pytest.fixture
def draft(firm, firm_approver):
    approved_plan(firm, [KILN])
    draft = report(firm)
    svc.report_save_output_data(
        report=draft,
        rows=[{"kind": "product", "name": "供电量", "amount": "1000000", "unit": "MWh"}],
        acting_user=firm_approver,
    )
    return draft


def grid_post(months=range(1, 13), value="83.249", **extra):
    return {f"r-kiln-{m}-activity": value for m in months} | extra


def url(name, report_obj):
    return reverse(f"ui:{name}", args=[report_obj.pk])


def test_the_grid_has_a_row_per_month_with_the_plans_unit_and_default(client, firm_user, draft):
    client.force_login(firm_user)
    html = client.get(url("report_data", draft)).content.decode()
    assert html.count('name="r-kiln-') == 24  # activity and emission factor for 12 months
    assert "(tCO2/t)" in html and 'placeholder="0.5' in html


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize(
    "name,method",
    [
        ("report_data", "get"),
        ("report_data_save", "post"),
        ("report_data_preview", "post"),
        ("report_template", "get"),
        ("report_upload", "post"),
        ("report_acknowledge", "post"),
        ("report_submit", "post"),
        ("report_withdraw", "post"),
        ("report_diff", "get"),
    ],
)
def test_others_get_404_on_every_report_data_page(client, request, draft, persona, name, method):
    client.force_login(request.getfixturevalue(persona))
    assert getattr(client, method)(url(name, draft)).status_code == 404


@pytest.mark.parametrize("persona", ["verifier", "regulator"])
@pytest.mark.parametrize(
    "name,method",
    [
        ("report_data_save", "post"),
        ("report_data_preview", "post"),
        ("report_template", "get"),
        ("report_upload", "post"),
        ("report_acknowledge", "post"),
        ("report_submit", "post"),
        ("report_withdraw", "post"),
    ],
)
def test_verifier_and_regulator_may_look_but_not_act_for_the_firm(
    client, request, draft, engagement, persona, name, method
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("report_data", draft)).status_code == 200
    assert getattr(client, method)(url(name, draft)).status_code == 403


def test_saving_the_grid_stores_the_rows_through_the_service_and_shows_the_total(client, firm_user, draft):
    client.force_login(firm_user)
    response = client.post(url("report_data_save", draft), grid_post())
    assert response.status_code == 302
    assert ActivityDataRow.objects.filter(report=draft).count() == 12
    assert AuditLog.objects.filter(action="mrv.emissionreport.data_saved", actor=firm_user).count() == 1
    html = client.get(url("report_data", draft), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="total-tco2e">500 tCO2e<' in html and "41.625 tCO2e" in html


def test_text_in_a_grid_cell_saves_nothing_and_names_the_cell(client, firm_user, draft):
    client.force_login(firm_user)
    response = client.post(url("report_data_save", draft), grid_post(**{"r-kiln-3-activity": "lots"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "kiln, month 3, activity data: “lots” is not a number." in html
    assert '<input type="text" inputmode="decimal" id="r-kiln-3-activity"' in html
    assert not ActivityDataRow.objects.exists()


def test_a_negative_grid_value_saves_nothing(client, firm_user, draft):
    client.force_login(firm_user)
    response = client.post(url("report_data_save", draft), grid_post(**{"r-kiln-2-emission_factor": "-1"}))
    assert response.status_code == 400 and "must not be negative" in response.content.decode()
    assert not ActivityDataRow.objects.exists()


def test_fields_the_plan_does_not_define_are_ignored(client, firm_user, draft):
    client.force_login(firm_user)
    client.post(url("report_data_save", draft), grid_post(**{"r-kiln-1-ncv": "999", "r-other-1-activity": "5"}))
    assert set(ActivityDataRow.objects.values_list("stream_code", flat=True)) == {"kiln"}
    assert ActivityDataRow.objects.get(month=1).ncv is None


def test_live_recalculation_shows_the_emissions_without_saving(client, firm_user, draft):
    client.force_login(firm_user)
    response = client.post(url("report_data_preview", draft), grid_post(), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "500 tCO2e" in html and "<html" not in html
    assert not ActivityDataRow.objects.exists()


def test_live_recalculation_lists_the_missing_months(client, firm_user, draft):
    client.force_login(firm_user)
    html = client.post(url("report_data_preview", draft), grid_post(months=range(1, 12))).content.decode()
    assert "Source stream kiln, month 12, activity: the month has no data." in html


def test_the_template_is_generated_from_the_plan_with_its_version(client, firm_user, draft):
    client.force_login(firm_user)
    response = client.get(url("report_template", draft))
    assert response["Content-Disposition"].startswith('attachment; filename="activity-')
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:7] == ("MRV-ACTIVITY", "template", "1", "plan", "1", "period", "2025-annual")
    assert [r[0] for r in rows[2:]] == ["kiln"] * 12


def filled_template(client, draft, value=83.249, **cells):
    book = load_workbook(io.BytesIO(client.get(url("report_template", draft)).content))
    sheet = book.active
    for number in range(3, 15):
        sheet.cell(number, 5, value)
    for ref, cell_value in cells.items():
        sheet[ref] = cell_value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_uploaded_template_saves_every_row_and_keeps_the_file(client, firm_user, draft):
    client.force_login(firm_user)
    data = filled_template(client, draft)
    response = client.post(url("report_upload", draft), {"file": SimpleUploadedFile("data.xlsx", data)})
    assert response.status_code == 302
    assert ActivityDataRow.objects.filter(report=draft).count() == 12
    assert report_validation(draft).result.reported_tco2e == Decimal("500")
    assert StoredFile.objects.get().kind == StoredFile.Kind.ACTIVITY_DATA


@pytest.mark.parametrize(
    "cells,expected",
    [
        ({"C1": "9"}, "this system reads version 1"),
        ({"E1": "7"}, "monitoring plan version 7"),
        ({"E5": "=1+2"}, "Row 5, column E (activity data): formulas are not accepted"),
        ({"E6": "much"}, "Row 6, column E (activity data): “much” is not a number."),
        ({"E7": -3}, "Row 7, column E (activity data): the value must not be negative."),
        ({"A8": "coal"}, "Row 8, column A (source stream code): “coal” is not a source stream"),
        ({"D9": 13}, "Row 9, column D (month): month “13” is outside the reporting period."),
        ({"D4": 1}, "Row 4, column A (source stream code): source stream kiln, month 1 is already in row 3."),
    ],
)
def test_a_bad_upload_changes_nothing_and_names_row_and_column(client, firm_user, draft, cells, expected):
    client.force_login(firm_user)
    response = client.post(
        url("report_upload", draft), {"file": SimpleUploadedFile("data.xlsx", filled_template(client, draft, **cells))}
    )
    assert response.status_code == 400
    assert expected in response.content.decode().replace("&#x27;", "'")
    assert not ActivityDataRow.objects.exists() and not StoredFile.objects.exists()


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"%PDF-1.4 nothing", "neither an Excel workbook"),
        (b"MRV-ACTIVITY,template,1\n" + b"\xff\x80\xff", "neither UTF-8 nor GBK"),
    ],
)
def test_a_file_of_the_wrong_format_or_encoding_changes_nothing(client, firm_user, draft, data, expected):
    client.force_login(firm_user)
    response = client.post(url("report_upload", draft), {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 400 and expected in response.content.decode()
    assert not ActivityDataRow.objects.exists()


def test_a_too_large_upload_changes_nothing(client, firm_user, draft, settings):
    client.force_login(firm_user)
    data = filled_template(client, draft)
    settings.UPLOAD_MAX_BYTES = 100
    response = client.post(url("report_upload", draft), {"file": SimpleUploadedFile("x.xlsx", data)})
    assert response.status_code == 400 and "larger than the limit" in response.content.decode()
    assert not ActivityDataRow.objects.exists()


def test_a_gbk_csv_upload_is_read(client, firm_user, draft):
    client.force_login(firm_user)
    lines = ["MRV-ACTIVITY,template,1,plan,1,period,2025-annual", "排放源流代码,排放源流"]
    lines += [f"kiln,窑,窑,{m},83.249,t" for m in range(1, 13)]
    data = "\r\n".join(lines).encode("gbk")
    assert client.post(url("report_upload", draft), {"file": SimpleUploadedFile("x.csv", data)}).status_code == 302
    assert ActivityDataRow.objects.filter(report=draft).count() == 12


@pytest.fixture
def warned(draft, firm, firm_user):
    """Last year's recorded 100 t makes this year's 500 t a +400 % change: a warning to acknowledge."""
    f.FigureFactory(firm=firm, year=2024, emissions_tco2e=Decimal("100"))
    svc.report_save_activity_data(
        report=draft,
        rows=[{"stream": "kiln", "month": m, "activity": "83.249"} for m in range(1, 13)],
        acting_user=firm_user,
    )
    (warning,) = report_validation(draft).warnings
    return warning


def test_a_reporter_cannot_submit(client, firm_user, warned, draft):
    client.force_login(firm_user)
    assert client.post(url("report_submit", draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.DRAFT


def test_an_unacknowledged_warning_blocks_submission_with_its_message(client, firm_approver, warned, draft):
    client.force_login(firm_approver)
    page = client.post(url("report_submit", draft), follow=True).content.decode()
    assert "acknowledge this warning with a reason before submitting" in page
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.DRAFT and not ReportVersion.objects.exists()


def test_acknowledging_needs_a_reason(client, firm_user, warned, draft):
    client.force_login(firm_user)
    page = client.post(url("report_acknowledge", draft), {"key": warned.key, "reason": ""}, follow=True)
    assert "Please give a reason." in page.content.decode()
    assert not draft.acknowledgements.exists()


def test_acknowledge_then_submit_freezes_version_1(client, firm_user, firm_approver, warned, draft):
    client.force_login(firm_user)
    client.post(url("report_acknowledge", draft), {"key": warned.key, "reason": "新窑投产，产量翻倍"})
    client.force_login(firm_approver)
    response = client.post(url("report_submit", draft), {"reason": "年度报告", "certify": "on"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.SUBMITTED and draft.reported_emissions_tco2e == Decimal("500")
    row = AuditLog.objects.get(action="mrv.emissionreport.submit")
    assert (row.actor, row.from_state, row.to_state, row.reason) == (firm_approver, "draft", "submitted", "年度报告")
    assert "新窑投产，产量翻倍" in client.get(url("report_data", draft)).content.decode()
    assert "500 tCO2e" in client.get(url("report_detail", draft), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_withdraw_brings_the_report_back_to_draft(client, firm_user, firm_approver, warned, draft):
    svc.report_acknowledge_warning(report=draft, key=warned.key, reason="ok", acting_user=firm_user)
    svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    client.force_login(firm_user)
    assert client.post(url("report_withdraw", draft), {"reason": "发现错误"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.DRAFT


def test_the_diff_shows_what_changed_between_versions(client, firm_user, firm_approver, warned, draft):
    svc.report_acknowledge_warning(report=draft, key=warned.key, reason="ok", acting_user=firm_user)
    svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())
    EmissionReport.objects.filter(pk=draft.pk).update(status=EmissionReport.Status.RETURNED_TO_FIRM)
    draft.refresh_from_db()
    client.force_login(firm_user)
    client.post(url("report_data_save", draft), grid_post(months=[1], value="183.249"))
    client.force_login(firm_approver)
    assert client.post(url("report_submit", draft), {"certify": "on"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == EmissionReport.Status.UNDER_VERIFICATION
    html = client.get(url("report_diff", draft), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # January: +100 t × 0.5 = +50 t; 500 → 550 t, +10.00 %.
    assert "500 tCO2e → 550 tCO2e" in html and "+10.00 %" in html
    assert "83.249 t" in html and "183.249 t" in html


def _complete_report(firm, user, streams: int):
    plan_streams = [KILN | {"code": f"kiln{n}", "source": f"kiln{n}"} for n in range(streams)]
    approved_plan(firm, plan_streams)
    draft = report(firm)
    svc.report_save_output_data(
        report=draft, rows=[{"kind": "product", "name": "熟料", "amount": "1000", "unit": "t"}], acting_user=user
    )
    rows = [{"stream": s["code"], "month": m, "activity": "10"} for s in plan_streams for m in range(1, 13)]
    assert svc.report_save_activity_data(report=draft, rows=rows, acting_user=user).ok
    return draft


def test_data_page_queries_do_not_grow_with_the_streams_and_months(
    client, firm, firm_user, other_firm, other_firm_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = _complete_report(firm, firm_user, streams=1)
    large = _complete_report(other_firm, other_firm_user, streams=4)
    client.force_login(firm_user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("report_data", small)).status_code == 200
    few = len(captured.captured_queries)
    client.force_login(other_firm_user)
    with django_assert_max_num_queries(few):
        html = client.get(url("report_data", large)).content.decode()
    assert html.count('name="r-kiln3-') == 24 and few < 40


def test_output_data_is_saved_through_the_service(client, firm, firm_user):
    approved_plan(firm, [KILN])
    fresh = report(firm)
    client.force_login(firm_user)
    response = client.post(
        url("report_output_save", fresh), {"kind": "product", "name": "供电量", "amount": "1000", "unit": "MWh"}
    )
    assert response.status_code == 302
    assert [(o.name, o.amount, o.unit) for o in fresh.output_rows.all()] == [("供电量", Decimal("1000"), "MWh")]
    assert AuditLog.objects.filter(action="mrv.emissionreport.output_saved", actor=firm_user).exists()


def test_negative_output_is_refused_and_nothing_saved(client, firm, firm_user):
    approved_plan(firm, [KILN])
    fresh = report(firm)
    client.force_login(firm_user)
    page = client.post(
        url("report_output_save", fresh), {"kind": "product", "name": "x", "amount": "-1", "unit": "t"}, follow=True
    )
    assert "amount" in page.content.decode() and not fresh.output_rows.exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_others_get_404_when_saving_output(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("report_output_save", draft)).status_code == 404


def test_the_regulator_may_not_save_output(client, regulator, draft):
    client.force_login(regulator)
    assert client.post(url("report_output_save", draft)).status_code == 403
