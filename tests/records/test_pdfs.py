"""The official PDFs: each kind renders in Chinese and English with its fonts embedded, the digest and the
verification link printed, page by page as images (pdftoppm) and as text (pypdf); no network at render time;
stored once and served through the access checks; the bulk run issues every firm's notice with progress."""

import csv
import io
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from mrv import jobs
from mrv.coverage import covered_firms
from mrv.models import (
    BackgroundJob,
    Determination,
    IssuedDocument,
    Seal,
    VerificationEngagement,
    VerificationOpinion,
)
from mrv.records import pdf
from mrv.records.seals import seal_record
from mrv.services import records as svc
from mrv.services import reports as reports_svc
from registry import documents, selectors
from registry.models import AllocationLine, AllocationTable, Penalty
from tests import factories as f
from tests.factories import certified
from tests.mrv.reporting import COAL, ELECTRICITY, approved_plan, monthly
from tests.mrv.reporting import report as new_report

# What each kind prints in both languages (the kind's title and one label of its body).
TITLES = {
    Seal.Kind.REPORT_VERSION: (
        ("排放报告（报送版）", "emission report as submitted"),
        ("Emissions by line", "按排放单元"),
    ),
    Seal.Kind.OPINION: (("核查报告", "verification report"), ("Verification team", "核查组")),
    Seal.Kind.DETERMINATION: (("排放量核定通知书", "determination notice"), ("determined emissions", "认定排放量")),
    Seal.Kind.ALLOCATION: (("配额分配通知书", "allocation notice"), ("free (tCO2e)", "免费")),
    Seal.Kind.COMPLIANCE: (("履约通知书", "compliance notice"), ("shortfall", "缺口")),
    Seal.Kind.PENALTY: (("处罚通知书", "penalty notice"), ("fine (CNY)", "罚款")),
}


@pytest.fixture
def version(firm, firm_approver):
    approved_plan(firm, [COAL, ELECTRICITY])
    draft = new_report(firm)
    reports_svc.report_save_output_data(
        report=draft, rows=[{"name": "供电量", "amount": "100000", "unit": "MWh"}], acting_user=firm_approver
    )
    rows = monthly("coal", range(1, 13), activity="1000", ncv="20.908") + monthly("power", range(1, 13), activity="100")
    checked = reports_svc.report_save_activity_data(report=draft, rows=rows, acting_user=firm_approver)
    for warning in checked.warnings:
        reports_svc.report_acknowledge_warning(
            report=draft, key=warning.key, reason="已核实", acting_user=firm_approver
        )
    return reports_svc.report_submit(report=draft, acting_user=firm_approver, certification=certified())


@pytest.fixture
def every_kind(version, firm, body, verifier, team_verifier, regulator, regulator_head):
    """One seal of each kind about `firm` (records built directly where the workflow is not the point)."""
    report = version.report
    engagement = VerificationEngagement.objects.get(firm=firm, year=report.year)  # opened at submission
    VerificationEngagement.objects.filter(pk=engagement.pk).update(body=body, lead_verifier=verifier)
    engagement.refresh_from_db()
    engagement.team.add(verifier, team_verifier)
    opinion = VerificationOpinion.objects.create(
        report=report,
        engagement=engagement,
        outcome="satisfactory",
        reported_emissions_tco2e=version.reported_tco2e,
        verified_emissions_tco2e=version.reported_tco2e,
        difference_tco2e=0,
        materiality_threshold_pct=Decimal("5"),
        signed_by=verifier,
    )
    determination = Determination.objects.create(
        report=report,
        basis="verified_figure",
        emissions_tco2e=version.reported_tco2e,
        from_state="verified",
        proposed_by=regulator,
    )
    Determination.objects.filter(pk=determination.pk).update(
        decision="approved", decided_by=regulator_head, decided_at=timezone.now()
    )
    table = AllocationTable.objects.create(market=firm.market, year=2026)
    line = AllocationLine.objects.create(
        table=table,
        firm=firm,
        method="benchmark",
        formula="Q × B",
        computed_tco2e=500000,
        free_tco2e=480000,
        auction_tco2e=20000,
    )
    penalty = Penalty.objects.create(
        firm=firm,
        year=2025,
        shortfall_tco2e=1200,
        fine_cny=Decimal("30000.00"),
        deduction_tco2e=2400,
        decision_text="责令补缴并处罚款",
        decided_by=regulator_head,
        status="decided",
    )
    status = selectors.compliance_status(firm, 2025)
    return {
        Seal.Kind.REPORT_VERSION: Seal.objects.get(kind=Seal.Kind.REPORT_VERSION),
        Seal.Kind.OPINION: seal_record(
            Seal.Kind.OPINION, opinion, signer=verifier, certification=certified("verifier_opinion")
        ),
        Seal.Kind.DETERMINATION: seal_record(Seal.Kind.DETERMINATION, determination, signer=regulator_head),
        Seal.Kind.ALLOCATION: seal_record(Seal.Kind.ALLOCATION, line, signer=regulator_head),
        Seal.Kind.COMPLIANCE: documents.seal_compliance(firm, status, regulator),
        Seal.Kind.PENALTY: documents.seal_penalty(penalty, regulator_head),
    }


def _embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use, and whether its file is embedded in the PDF."""
    found = {}
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font.get("/BaseFont"))] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def _pngs(data: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(Path(tmp) / "page")], check=True)
        return [Image.open(p).convert("L").copy() for p in sorted(Path(tmp).glob("page*.png"))]


@pytest.mark.parametrize("kind", list(TITLES))
def test_each_document_renders_in_chinese_and_english_with_fonts_embedded_and_the_digest(every_kind, kind, firm):
    seal = every_kind[kind]
    data, pages = pdf.render_pdf(pdf.document_html(seal))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages >= 2  # a Chinese part, then an English part
    text = [page.extract_text() for page in reader.pages]
    whole = "\n".join(text)
    (zh_title, en_title), (en_label, zh_label) = TITLES[kind]
    assert zh_title in text[0] and zh_label in whole and firm.name in text[0]
    assert en_title.capitalize() in whole and en_label in whole
    assert whole.count(seal.digest) >= pages  # in each part's seal box and every page's footer
    assert pdf.verification_url(seal) in whole.replace("\n", "")
    fonts = _embedded_fonts(reader)
    assert fonts and all(fonts.values()), fonts
    assert any("Hei" in name or "CJK" in name for name in fonts), fonts
    images = _pngs(data)
    assert len(images) == pages
    for image in images:
        assert image.getextrema()[0] < 160 and image.getextrema()[1] == 255  # text printed on a white page


def test_no_network_at_render_time(every_kind):
    fetcher = pdf.OfflineFetcher()
    html = '<p>x</p><img src="http://127.0.0.1:9/logo.png"><link rel="stylesheet" href="https://example.org/a.css">'
    from weasyprint import HTML

    with pytest.raises(pdf.NetworkRefused):
        HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert fetcher.refused and fetcher.refused[0] in ("http://127.0.0.1:9/logo.png", "https://example.org/a.css")


def test_a_firm_name_cannot_fetch_anything(firm, version):
    firm.name = '<img src="http://127.0.0.1:9/x.png">测试'
    firm.save()
    seal = seal_record(
        Seal.Kind.ALLOCATION,
        AllocationLine.objects.create(
            table=AllocationTable.objects.create(market=firm.market, year=2026),
            firm=firm,
            method="benchmark",
            formula="Q",
            computed_tco2e=1,
            free_tco2e=1,
            auction_tco2e=0,
        ),
        signer=None,
    )
    data, _pages = pdf.render_pdf(pdf.document_html(seal))
    assert '<img src="http://127.0.0.1:9/x.png">' in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_pdf_is_stored_once_and_served_through_the_access_checks(
    client, every_kind, firm_approver, regulator, other_regulator, other_firm_user
):
    seal = every_kind[Seal.Kind.PENALTY]
    url = reverse("ui:seal_pdf", args=[seal.pk])
    client.force_login(firm_approver)
    first = b"".join(client.get(url).streaming_content)
    client.force_login(regulator)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == first
    issued = IssuedDocument.objects.get(seal=seal)
    assert default_storage.exists(issued.storage_name) and IssuedDocument.objects.count() == 1
    assert svc.document_issue(seal=seal, acting_user=regulator) == issued
    for user in (other_regulator, other_firm_user):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_registry_pages_link_the_notices(client, every_kind, regulator_head, firm):
    client.force_login(regulator_head)
    penalty_seal = every_kind[Seal.Kind.PENALTY]
    page = client.get(reverse("registry:penalties")).content.decode()
    assert reverse("ui:seal_pdf", args=[penalty_seal.pk]) in page
    page = client.get(reverse("registry:compliance") + "?year=2025").content.decode()
    assert reverse("ui:seal_detail", args=[every_kind[Seal.Kind.COMPLIANCE].pk]) in page
    table = AllocationTable.objects.get(market=firm.market, year=2026)
    page = client.get(reverse("registry:allocation_table", args=[table.pk])).content.decode()
    assert reverse("ui:seal_pdf", args=[every_kind[Seal.Kind.ALLOCATION].pk]) in page


def test_bulk_notices_run_in_the_background_with_progress(client, regulator, firm, shanghai):
    for i in range(12):
        f.FirmFactory(market=shanghai, name=f"批量企业{i}")
    client.force_login(regulator)
    response = client.post(reverse("registry:notices_issue"), {"year": "2025", "kind": "compliance"})
    job = BackgroundJob.objects.get(kind="notices")
    assert response.status_code == 302 and response["Location"] == reverse("ui:job_detail", args=[job.pk])
    assert job.status == BackgroundJob.Status.QUEUED
    jobs.job_run(job.pk)
    job.refresh_from_db()
    firms = covered_firms(shanghai, 2025).count()
    assert job.status == BackgroundJob.Status.DONE and job.progress_total == firms >= 13 and job.percent == 100
    assert Seal.objects.filter(kind=Seal.Kind.COMPLIANCE, market=shanghai, year=2025).count() == firms
    assert IssuedDocument.objects.filter(seal__kind=Seal.Kind.COMPLIANCE).count() == firms
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("ui:job_download", args=[job.pk])).streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert len(rows) == firms and all(len(r["sha256"]) == 64 for r in rows)
    jobs.job_run(job.pk)  # a redelivered task does nothing
    assert IssuedDocument.objects.filter(seal__kind=Seal.Kind.COMPLIANCE).count() == firms


def test_progress_is_written_every_few_notices(regulator, shanghai):
    seen = []
    job = documents.notices_issue(market=shanghai, year=2025, kind="compliance", acting_user=regulator)
    progress = jobs.Progress(job)
    assert progress.every == 10
    for _i in range(25):
        progress.advance()
        seen.append(BackgroundJob.objects.get(pk=job.pk).progress_done)
    assert seen[8] == 0 and seen[9] == 10 and seen[19] == 20 and seen[24] == 20


def test_only_the_markets_regulator_starts_a_bulk_run(client, firm_approver, other_regulator, shanghai):
    from mrv.refusals import Refused

    for user in (firm_approver, other_regulator):
        with pytest.raises(Refused):
            documents.notices_issue(market=shanghai, year=2025, kind="compliance", acting_user=user)
    assert not BackgroundJob.objects.exists()
