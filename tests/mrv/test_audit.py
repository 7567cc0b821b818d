import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from mrv.audit import audited_update, log_action
from mrv.models import AuditLog

REFUSED = (InternalError, IntegrityError, ProgrammingError)  # by trigger, or no privilege (the app role)


def test_an_edit_records_who_what_from_to_and_why(firm, regulator):
    diff = audited_update(firm, acting_user=regulator, reason="营业执照变更", address="天津市滨海新区")
    row = AuditLog.objects.get()
    assert diff == {"address": ("", "天津市滨海新区")}
    assert (row.actor, row.action, row.reason) == (regulator, "mrv.firm.changed", "营业执照变更")
    assert row.changes == {"address": ["", "天津市滨海新区"]}
    assert row.market_id == firm.market_id and row.at is not None


def test_an_edit_that_changes_nothing_writes_no_row(firm, regulator):
    assert audited_update(firm, acting_user=regulator, reason="noop", name=firm.name) == {}
    assert not AuditLog.objects.exists()


def test_an_invalid_edit_changes_nothing_and_logs_nothing(firm, regulator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        audited_update(firm, acting_user=regulator, reason="typo", credit_code="91310000000000001X")
    firm.refresh_from_db()
    assert firm.credit_code != "91310000000000001X"
    assert not AuditLog.objects.exists()


def test_audit_rows_are_immutable_in_the_application(firm, regulator):
    audited_update(firm, acting_user=regulator, reason="x", address="a")
    row = AuditLog.objects.get()
    row.reason = "forged"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().update(reason="forged")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_audit_rows_are_immutable_in_postgresql_itself(firm, regulator):
    audited_update(firm, acting_user=regulator, reason="x", address="a")
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE mrv_auditlog SET reason = 'forged'")
    assert AuditLog.objects.get().reason == "x"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_log_action_refuses_to_write_outside_a_transaction(firm):
    with pytest.raises(RuntimeError):
        log_action(firm, "mrv.firm.touched")
