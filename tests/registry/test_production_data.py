"""Production data, the allocation inputs, from the product: the firm enters it with its annual report and
evidence, the engaged verifier confirms it, the regulator imports it in bulk (bad cells named, nothing saved),
and the allocation page lists the covered firms still lacking inputs."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mrv.models import AuditLog, MarketSector, StoredFile
from registry import allocation_inputs, production, services
from registry.models import AllocationTable, ProductionRecord
from tests.factories import FigureFactory, ReportFactory

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def login(client):
    def as_user(user):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def report(firm):
    return ReportFactory(firm=firm, year=2025, status="draft")


@pytest.fixture
def power_benchmark(shanghai):
    pack = shanghai.rule_pack_for(2025)
    MarketSector.objects.filter(rule_pack=pack, sector__code="power").update(
        benchmark=D("0.6"), adjustment_factor=D("0.995")
    )


def test_the_firm_enters_its_output_with_evidence_on_the_report_page(login, firm_user, report):
    client = login(firm_user)
    url = reverse("registry:report_production", args=[report.pk])
    response = client.post(
        url, {"output": "1000000", "evidence": SimpleUploadedFile("output.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 302
    record = ProductionRecord.objects.get(firm=report.firm, year=2025)
    assert (record.output, record.is_verified) == (D(1000000), False)
    evidence = StoredFile.objects.get(owner_id=str(report.pk))
    assert evidence.original_name == "output.pdf"
    audit = AuditLog.objects.get(action="registry.productionrecord.production_entered")
    assert audit.actor == firm_user and audit.changes["output"] == [None, "1000000"]
    assert "1000000" in client.get(url).content.decode()


def test_a_submitted_report_no_longer_takes_production_data(firm_user, firm):
    report = ReportFactory(firm=firm, year=2025, status="submitted")
    with pytest.raises(production.ProductionRefused):
        production.production_enter(report=report, output=D(5), declared_tco2e=None, acting_user=firm_user)
    assert not ProductionRecord.objects.exists()


def test_another_firms_user_gets_404_for_the_production_page(login, other_firm_user, report):
    response = login(other_firm_user).get(reverse("registry:report_production", args=[report.pk]))
    assert response.status_code == 404


def test_the_engaged_verifier_confirms_and_a_later_firm_change_unconfirms(
    login, firm_user, verifier, report, engagement
):
    engagement.lead_verifier = verifier
    engagement.save(update_fields=["lead_verifier"])
    production.production_enter(report=report, output=D(900), declared_tco2e=None, acting_user=firm_user)
    response = login(verifier).post(reverse("registry:report_production_confirm", args=[report.pk]))
    assert response.status_code == 302
    assert ProductionRecord.objects.get().is_verified
    assert AuditLog.objects.filter(action="registry.productionrecord.production_confirmed", actor=verifier).exists()
    production.production_enter(report=report, output=D(950), declared_tco2e=None, acting_user=firm_user)
    assert not ProductionRecord.objects.get().is_verified


def test_a_verifier_without_the_engagement_cannot_confirm(firm_user, other_verifier, report):
    production.production_enter(report=report, output=D(900), declared_tco2e=None, acting_user=firm_user)
    with pytest.raises(PermissionDenied):
        production.production_confirm(report=report, acting_user=other_verifier)
    assert not ProductionRecord.objects.get().is_verified


def _csv(*rows: str) -> bytes:
    return ("\n".join(["credit_code,year,output,declared_tco2e,verified", *rows]) + "\n").encode()


def test_the_regulator_imports_production_data_and_the_table_computes(
    login, regulator, firm, other_firm, power_benchmark, cap_2025
):
    MarketSector.objects.filter(rule_pack=firm.market.rule_pack_for(2025), sector__code="steel").update(
        decline_factor=D("0.97")
    )
    for year, tco2e in [(2022, 200000), (2023, 210000), (2024, 220000)]:
        FigureFactory(firm=other_firm, year=year, emissions_tco2e=D(tco2e))
    client = login(regulator)
    page = reverse("registry:allocation_inputs") + "?year=2025"
    before = client.get(page).content.decode()
    assert firm.name in before and other_firm.name in before  # both lack their 2024 output
    # the method and the missing input in words, not codes: Shanghai's power formula lacks the supply
    assert "shanghai_power" not in before and "annual comprehensive supply (MWh)" in before
    data = _csv(
        f"{firm.credit_code},2024,1000000,,yes",
        f"{other_firm.credit_code},2022,100000,,",
        f"{other_firm.credit_code},2023,100000,,",
        f"{other_firm.credit_code},2024,110000,,",
    )
    response = client.post(page, {"file": SimpleUploadedFile("production.csv", data, "text/csv"), "year": "2025"})
    assert response.status_code == 302
    assert ProductionRecord.objects.count() == 4
    assert AuditLog.objects.filter(action="registry.market.production_imported", actor=regulator).count() == 1
    assert allocation_inputs.missing_inputs(firm.market, 2025) == []
    assert "Every covered firm has its inputs" in client.get(page).content.decode()
    table = services.allocation_table_compute(market=firm.market, year=2025, acting_user=regulator)
    lines = {line.firm_id: line.computed_tco2e for line in table.lines.all()}
    # power 0.6 × 1,000,000 × 0.995 = 597,000; steel 630,000 / 310,000 × 0.97 × 110,000 = 216,841
    assert lines == {firm.pk: D(597000), other_firm.pk: D(216841)}
    assert table.status == AllocationTable.Status.DRAFT


def test_a_bad_sheet_names_every_bad_cell_and_saves_nothing(login, regulator, firm, beijing_firm):
    data = _csv(
        f"{firm.credit_code},2024,1000000,,",
        f"{firm.credit_code},20x4,12,,",
        f"{beijing_firm.credit_code},2024,-5,,maybe",
        f"{firm.credit_code},2024,7,,",
    )
    response = login(regulator).post(
        reverse("registry:allocation_inputs"), {"file": SimpleUploadedFile("p.csv", data, "text/csv")}
    )
    assert response.status_code == 400
    text = response.content.decode()
    for expected in (
        "Row 3, column year:",
        "Row 4, column credit_code:",
        "Row 4, column output:",
        "Row 4, column verified:",
        "Row 5, column year:",  # the same firm-year as row 2
    ):
        assert expected in text
    assert not ProductionRecord.objects.exists()


def test_another_markets_regulator_cannot_import_for_this_market(other_regulator, firm):
    with pytest.raises(PermissionDenied):
        production.production_import(
            market=firm.market, data=_csv(f"{firm.credit_code},2024,1,,"), acting_user=other_regulator
        )
    assert not ProductionRecord.objects.exists()


def test_the_template_lists_the_covered_firms_of_the_year(login, regulator, firm, other_firm):
    response = login(regulator).get(reverse("registry:production_template") + "?year=2025")
    body = response.content.decode()
    assert body.lstrip("\ufeff").startswith("credit_code,year,output,declared_tco2e,verified")
    assert f"{firm.credit_code},2025" in body and f"{other_firm.credit_code},2025" in body


def test_the_allocation_page_links_the_inputs_page(login, regulator):
    body = login(regulator).get(reverse("registry:allocation_tables")).content.decode()
    assert reverse("registry:allocation_inputs") in body


def test_the_form_starts_from_the_output_the_firm_gave_in_the_report(login, firm_user, report, power_benchmark):
    from mrv.services.reports import report_save_output_data

    rows = [{"kind": "electricity_supply", "name": "供电量", "amount": "1040000", "unit": "MWh"}]
    report_save_output_data(report=report, rows=rows, acting_user=firm_user)
    assert production.output_from_report(report) == D(1040000)  # Shanghai power reads the supply
    body = login(firm_user).get(reverse("registry:report_production", args=[report.pk])).content.decode()
    assert 'value="1040000' in body
