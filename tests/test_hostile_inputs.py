"""Hostile files and malformed values are refused with a clear message and change nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mrv import inputs, uploads
from mrv.models import AuditLog, MonitoringPlan, PlanAttachment, StoredFile
from registry import services
from registry.ledger import LedgerError, holding_account
from registry.models import Transaction
from tests.mrv.reporting import approved_plan, report
from tests.registry.conftest import fund

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
KILN = {"code": "kiln", "source": "kiln", "method": "process", "unit": "t", "params": {}}


@pytest.fixture
def draft(firm, firm_user):
    approved_plan(firm, [KILN])
    return report(firm)


@pytest.fixture
def draft_plan(firm, firm_user):
    return MonitoringPlan.objects.create(firm=firm, version=2, valid_from="2026-01-01", created_by=firm_user)


# --- content must match its name ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [HTML, SVG, b"<?xml version='1.0'?><x/>", b"a,b\n1,\x01\x02\n"])
def test_markup_or_binary_is_not_accepted_as_csv(data):
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.check_file(data, "data.csv")
    assert "not CSV text" in str(refused.value.message) or "cannot be attached" in str(refused.value.message)


@pytest.mark.parametrize(
    "name, data", [("page.html", PDF), ("report.pdf", b"a,b\n1,2\n"), ("sheet.csv", PDF), ("noextension", PDF)]
)
def test_a_file_whose_name_promises_another_type_is_refused(name, data):
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.check_file(data, name)
    assert f"is called “{name}” but its content is" in str(refused.value.message)


def test_an_xlsx_without_content_types_is_not_a_workbook():
    from tests.test_fuzz_inputs import _zip

    assert uploads.sniff(_zip({"xl/workbook.xml": b"<workbook/>"})) is None


def test_html_evidence_called_csv_is_refused_and_nothing_stored(client, firm_user, draft):
    client.force_login(firm_user)
    response = client.post(
        reverse("ui:report_evidence", args=[draft.pk]), {"file": SimpleUploadedFile("readings.csv", HTML)}
    )
    assert response.status_code == 400
    assert "HTML, SVG or XML markup" in response.content.decode()
    assert not StoredFile.objects.exists()


def test_html_plan_attachment_is_refused(client, firm_user, draft_plan):
    client.force_login(firm_user)
    response = client.post(
        reverse("ui:plan_attach", args=[draft_plan.pk]), {"file": SimpleUploadedFile("meters.html", HTML)}
    )
    assert response.status_code == 400 and not PlanAttachment.objects.exists()


def test_a_plan_attachment_is_served_by_its_bytes_as_an_attachment_with_nosniff(client, firm_user, draft_plan):
    client.force_login(firm_user)
    client.post(reverse("ui:plan_attach", args=[draft_plan.pk]), {"file": SimpleUploadedFile("m.pdf", PDF)})
    attachment = PlanAttachment.objects.get()
    response = client.get(reverse("ui:plan_attachment_download", args=[draft_plan.pk, attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_html_file_stored_before_these_checks_is_downloaded_as_octet_stream(client, firm_user, draft_plan):
    from django.core.files.base import ContentFile

    attachment = PlanAttachment(plan=draft_plan, original_name="old.html", uploaded_by=firm_user)
    attachment.file.save("old.html", ContentFile(HTML), save=False)
    attachment.save()
    client.force_login(firm_user)
    response = client.get(reverse("ui:plan_attachment_download", args=[draft_plan.pk, attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_evidence_downloads_carry_nosniff_and_a_sandbox(client, firm_user, draft):
    stored = uploads.store_file(owner=draft, kind="evidence", data=PDF, original_name="a.pdf", acting_user=firm_user)
    client.force_login(firm_user)
    response = client.get(reverse("ui:file_download", args=[stored.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


# --- numbers, years, NUL --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", "1e999", "123456789012345", "0.0000001"])
def test_an_amount_that_is_not_finite_or_does_not_fit_its_column_is_refused(value):
    with pytest.raises(ValidationError):
        inputs.parse_amount(value, max_digits=14, decimal_places=6)


def test_an_amount_within_its_column_is_kept_exact():
    assert inputs.parse_amount("12345678.123456", max_digits=14, decimal_places=6) == D("12345678.123456")


def test_the_supported_years_run_from_the_first_pilot_year_to_next_year():
    assert inputs.parse_year("2013") == 2013
    assert inputs.parse_year(str(timezone.localdate().year + 1)) == timezone.localdate().year + 1
    for bad in ("2012", str(timezone.localdate().year + 2), "abc", "99999999999", "٢٠٢٥", ""):
        with pytest.raises(ValidationError):
            inputs.parse_year(bad)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e30", "-5"])
def test_a_grid_value_that_is_not_finite_or_too_large_is_refused_naming_the_cell(client, firm_user, draft, value):
    client.force_login(firm_user)
    response = client.post(reverse("ui:report_data_save", args=[draft.pk]), {"r-kiln-1-activity": value})
    assert response.status_code == 400
    assert "kiln, month 1, activity data" in response.content.decode()
    assert not draft.activity_rows.exists()


def test_a_nul_character_in_a_form_is_answered_400_with_a_message(client, firm_user, draft):
    client.force_login(firm_user)
    before = AuditLog.objects.count()
    response = client.post(reverse("ui:report_withdraw", args=[draft.pk]), {"reason": "a\x00b"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert AuditLog.objects.count() == before


def test_a_nul_character_in_an_api_query_is_a_json_400(client, firm_user):
    client.force_login(firm_user)
    response = client.get("/api/v1/reports/", {"status": "draft\x00"})
    assert response.status_code == 400 and "NUL character" in response.json()["detail"]


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "99999999999"}, {"year": "1999"}, {"period": "weekly"}])
def test_bad_api_report_filters_are_400_naming_the_field(client, firm_user, query):
    client.force_login(firm_user)
    response = client.get("/api/v1/reports/", query)
    assert response.status_code == 400  # a problem document naming the parameter
    assert {error["pointer"] for error in response.json()["errors"]} == {f"#/{name}" for name in query}


def test_good_api_report_filters_still_filter(client, firm_user, draft):
    client.force_login(firm_user)
    assert [r["id"] for r in client.get("/api/v1/reports/", {"year": 2025}).json()["results"]] == [draft.pk]
    assert client.get("/api/v1/reports/", {"year": 2024}).json()["results"] == []


@pytest.mark.parametrize("year", ["abc", "99999999999", "1e3", "2999"])
@pytest.mark.parametrize("page", ["registry:statistics", "registry:compliance"])
def test_registry_pages_explain_a_bad_year_instead_of_failing(client, regulator, page, year):
    client.force_login(regulator)
    response = client.get(reverse(page), {"year": year})
    assert response.status_code == 200
    assert "Year:" in response.content.decode() and "Showing" in response.content.decode()


# --- registry inputs -------------------------------------------------------------------------------------


def test_trade_rows_with_nan_infinity_or_overflow_name_row_and_column(client, regulator, firm, other_firm, cap_2025):
    fund(firm, 100)
    seller, buyer = holding_account(firm).number, holding_account(other_firm).number
    csv = (
        "trade_id,trade_date,seller_account,buyer_account,vintage,quantity,price_cny_per_t\n"
        f"T1,2025-03-01,{seller},{buyer},2025,NaN,10\n"
        f"T2,2025-03-01,{seller},{buyer},2025,5,Infinity\n"
        f"T3,2025-03-01,{seller},{buyer},99999999999,1e30,1e999\n"
    ).encode()
    before = Transaction.objects.count()
    client.force_login(regulator)
    response = client.post(reverse("registry:trade_import"), {"file": SimpleUploadedFile("t.csv", csv)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Row 2: quantity" in html
    assert "Row 3: price_cny_per_t: “Infinity” is not a finite number." in html
    assert "Row 4: vintage" in html and "Row 4: quantity" in html and "Row 4: price_cny_per_t" in html
    assert Transaction.objects.count() == before


def test_a_trade_file_of_html_is_refused(client, regulator):
    client.force_login(regulator)
    response = client.post(reverse("registry:trade_import"), {"file": SimpleUploadedFile("t.csv", HTML)})
    assert response.status_code == 400 and "HTML, SVG or XML markup" in response.content.decode()


def test_an_over_long_idempotency_key_is_refused(firm, cap_2025):
    with pytest.raises(LedgerError) as refused:
        services.allowances_issue(firm=firm, vintage=2025, quantity=D(1), idempotency_key="k" * 101)
    assert "at most 80 characters" in str(refused.value.message)
    assert not Transaction.objects.exists()


@pytest.mark.parametrize("quantity", ["NaN", "Infinity", "1e30", D("Infinity")])
def test_a_transfer_quantity_that_is_not_finite_is_refused(firm, other_firm, firm_approver, cap_2025, quantity):
    from registry.ledger import Unit

    fund(firm, 100)
    with pytest.raises(LedgerError):
        services.transfer_propose(
            from_account=holding_account(firm),
            to_account=holding_account(other_firm),
            unit=Unit("allowance", 2025),
            quantity=quantity,
            acting_user=firm_approver,
        )


@pytest.fixture
def cap_2025(shanghai):
    from registry.models import MarketCap

    return MarketCap.objects.create(market=shanghai, year=2025, cap_tco2e=D("1000000"), reserve_tco2e=D("100000"))


def test_a_report_created_twice_at_once_gets_the_same_refusal_as_a_second_request(firm, firm_user, monkeypatch):
    from django.db.models import QuerySet

    from mrv.models import EmissionReport
    from mrv.services import reports as report_services

    report_services.report_create(firm=firm, year=2025, acting_user=firm_user)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # both requests passed the check before either wrote
    with pytest.raises(ValidationError) as refused:
        report_services.report_create(firm=firm, year=2025, acting_user=firm_user)
    assert "already" in " ".join(refused.value.messages)
    monkeypatch.undo()
    assert EmissionReport.objects.filter(firm=firm, year=2025).count() == 1


def test_a_sign_in_with_a_five_thousand_character_user_name_is_refused_not_a_500(db):
    from django.test import Client

    response = Client(raise_request_exception=True).post("/accounts/login/", {"username": "x" * 5000, "password": "p"})
    assert response.status_code in (200, 400, 403, 429)
    assert "_auth_user_id" not in response.wsgi_request.session
