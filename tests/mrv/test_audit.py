import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from mrv.audit import log_action
from mrv.models import AuditLog

REFUSED = (InternalError, IntegrityError, ProgrammingError)  # by trigger, or no privilege (the app role)


def test_audit_rows_are_immutable_in_the_application(firm, regulator):
    log_action(firm, "mrv.firm.changed", actor=regulator, changes={"address": ("", "a")}, reason="x")
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
    log_action(firm, "mrv.firm.changed", actor=regulator, changes={"address": ("", "a")}, reason="x")
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE mrv_auditlog SET reason = 'forged'")
    assert AuditLog.objects.get().reason == "x"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_log_action_refuses_to_write_outside_a_transaction(firm):
    with pytest.raises(RuntimeError):
        log_action(firm, "mrv.firm.touched")
