"""Report pages and file downloads: each user sees only their objects (404) and may do only their actions (403)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mrv.models import AuditLog, EmissionReport, StoredFile
from mrv.services import evidence
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def report(firm, engagement):
    return f.ReportFactory(firm=firm, year=2025)


@pytest.fixture
def evidence_file(report, firm_user):
    return evidence.report_attach_evidence(
        report=report, data=PDF, file_name="meter.pdf", description="meter readings", acting_user=firm_user
    )


OUTSIDERS = ["other_firm_user", "other_verifier", "other_regulator", "outsider"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_others_get_404_on_the_report_page(client, request, report, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("ui:report_detail", args=[report.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["firm_user", "firm_approver", "verifier", "regulator", "national_admin"])
def test_those_concerned_see_the_report_page(client, request, report, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("ui:report_detail", args=[report.pk]))
    assert response.status_code == 200 and report.firm.name in response.content.decode()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_others_get_404_on_an_evidence_download(client, request, evidence_file, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("ui:file_download", args=[evidence_file.pk])).status_code == 404


def test_the_firm_and_its_verifier_download_evidence_as_an_attachment(client, evidence_file, firm_user, verifier):
    for user in (firm_user, verifier):
        client.force_login(user)
        response = client.get(reverse("ui:file_download", args=[evidence_file.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="meter.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF


def test_evidence_is_stored_outside_the_web_root_under_a_random_name(evidence_file, media_root, settings):
    path = media_root / evidence_file.storage_name
    assert path.read_bytes() == PDF
    assert "meter" not in evidence_file.storage_name
    assert not str(path).startswith(str(settings.STATIC_ROOT))


def upload(client, report, data, name="x.pdf", description="proof"):
    return client.post(
        reverse("ui:report_evidence", args=[report.pk]),
        {"file": SimpleUploadedFile(name, data), "description": description},
    )


def test_firm_user_attaches_evidence_and_it_is_audited(client, report, firm_user):
    client.force_login(firm_user)
    response = upload(client, report, PDF, "invoice.pdf", "fuel invoices")
    assert response.status_code == 302
    stored = StoredFile.objects.get()
    assert (stored.original_name, stored.owner, stored.uploaded_by) == ("invoice.pdf", report, firm_user)
    row = AuditLog.objects.for_object(report).get(action="mrv.report.evidence_attached")
    assert row.actor == firm_user and row.reason == "fuel invoices"


def test_a_file_of_a_refused_type_is_not_stored(client, report, firm_user):
    client.force_login(firm_user)
    response = upload(client, report, b"MZ\x90\x00 an executable", "invoice.pdf")
    assert response.status_code == 400
    assert str(evidence.uploads.NOT_ALLOWED_TYPE) in response.content.decode()
    assert StoredFile.objects.count() == 0


def test_an_evidence_file_above_the_limit_is_refused(client, report, firm_user, settings):
    settings.UPLOAD_MAX_BYTES = 10
    client.force_login(firm_user)
    assert upload(client, report, PDF).status_code == 400
    assert StoredFile.objects.count() == 0


@pytest.mark.parametrize("persona", ["verifier", "regulator"])
def test_others_who_see_the_report_may_not_attach_evidence(client, request, report, persona):
    client.force_login(request.getfixturevalue(persona))
    assert upload(client, report, PDF).status_code == 403
    assert StoredFile.objects.count() == 0


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_others_get_404_when_attaching_evidence(client, request, report, persona):
    client.force_login(request.getfixturevalue(persona))
    assert upload(client, report, PDF).status_code == 404


def test_evidence_is_refused_once_the_report_left_the_firm(client, firm, firm_user):
    report = f.ReportFactory(firm=firm, year=2024)
    EmissionReport.objects.filter(pk=report.pk).update(status=EmissionReport.Status.UNDER_VERIFICATION)
    client.force_login(firm_user)
    response = upload(client, report, PDF)
    assert response.status_code == 400 and StoredFile.objects.count() == 0


def test_report_list_shows_only_the_firms_own_reports(client, firm_user, report, other_firm):
    hidden = f.ReportFactory(firm=other_firm, year=2025)
    client.force_login(firm_user)
    html = client.get(reverse("ui:report_list")).content.decode()
    assert reverse("ui:report_detail", args=[report.pk]) in html
    assert reverse("ui:report_detail", args=[hidden.pk]) not in html


def test_report_page_queries_are_bounded(client, firm_user, report, django_assert_max_num_queries):
    for n in range(5):
        evidence.report_attach_evidence(
            report=report, data=PDF, file_name=f"{n}.pdf", description="", acting_user=firm_user
        )
    client.force_login(firm_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("ui:report_detail", args=[report.pk])).status_code == 200
