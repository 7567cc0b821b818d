"""One upload path: `report_upload_activity_sheet` parses, checks, saves rows and keeps the file in one transaction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mrv.models import ActivityDataRow, AuditLog, StoredFile
from mrv.services import reports as svc
from tests.mrv.ui.test_report_data import draft, filled_template  # noqa: F401 (fixture)


def upload(client, firm_user, draft, **cells):  # noqa: F811
    client.force_login(firm_user)
    return SimpleUploadedFile("data.xlsx", filled_template(client, draft, **cells))


def test_the_service_saves_every_row_keeps_the_file_and_audits_both(client, firm_user, draft):  # noqa: F811
    file = upload(client, firm_user, draft)
    assert svc.report_upload_activity_sheet(report=draft, file=file, acting_user=firm_user) == 12
    assert ActivityDataRow.objects.filter(report=draft).count() == 12
    assert StoredFile.objects.get().kind == StoredFile.Kind.ACTIVITY_DATA
    assert AuditLog.objects.filter(action="mrv.emissionreport.data_saved", actor=firm_user).exists()


def test_a_bad_row_is_refused_naming_row_and_column_and_nothing_is_kept(client, firm_user, draft):  # noqa: F811
    file = upload(client, firm_user, draft, E6="much")
    with pytest.raises(ValidationError, match="Row 6, column E"):
        svc.report_upload_activity_sheet(report=draft, file=file, acting_user=firm_user)
    assert not ActivityDataRow.objects.filter(report=draft).exists() and not StoredFile.objects.exists()


def test_another_firms_user_may_not_upload(client, firm_user, other_firm_user, draft):  # noqa: F811
    file = upload(client, firm_user, draft)
    with pytest.raises(PermissionDenied):
        svc.report_upload_activity_sheet(report=draft, file=file, acting_user=other_firm_user)
    assert not ActivityDataRow.objects.filter(report=draft).exists() and not StoredFile.objects.exists()
