"""The application's database role may only INSERT and SELECT the append-only records; every row is chained.

The tests work as the application role (DATABASE_APP_ROLE, `mrv_app` if unset) inside the test's transaction,
and as the owner (the login role) where a test plays someone bypassing the application.
"""

import io
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from mrv.audit import log_action
from mrv.models import AuditLog, ChainVerification, Determination
from mrv.security import db_roles
from mrv.security.chains import verify_chains
from registry import services
from registry.ledger import Unit, holding_account
from registry.models import ALLOWANCE, Entry, MarketCap, Transaction
from signin import events
from signin.models import SecurityEvent
from tests import factories as f

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's")
APP_ROLE = settings.DATABASE_APP_ROLE or "mrv_app"
PROTECTED = [apps.get_model(label)._meta.db_table for label in db_roles.APPEND_ONLY]


def _sql(statement: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def as_app_role() -> None:
    """From here to the end of the test's transaction, work as the application role."""
    if not settings.DATABASE_APP_ROLE:  # the connection is the owner's: grant as `migrate` would have
        db_roles.grant_app_role(APP_ROLE)
    _sql(f"SET LOCAL ROLE {APP_ROLE}")


def as_owner() -> None:
    _sql("SET LOCAL ROLE NONE")


def owner_edits(statement: str, params=None) -> None:
    """The owner changes a row past the guards (a superuser session in replication mode skips triggers)."""
    as_owner()
    _sql("SET LOCAL session_replication_role = replica")
    _sql(statement, params)
    _sql("SET LOCAL session_replication_role = DEFAULT")


def refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as caught:
        _sql(statement)
    return str(caught.value)


@pytest.fixture
def ledger(shanghai):
    MarketCap.objects.create(market=shanghai, year=2025, cap_tco2e=Decimal(100000), reserve_tco2e=Decimal(0))
    payer, receiver = f.FirmFactory(market=shanghai), f.FirmFactory(market=shanghai)
    services.allowances_issue(firm=payer, vintage=2025, quantity=1000, idempotency_key="fund")
    return holding_account(payer), holding_account(receiver)


@pytest.mark.django_db
@pytest.mark.parametrize("table", PROTECTED)
def test_app_role_cannot_update_delete_or_truncate_an_append_only_table(table):
    as_app_role()
    assert "permission denied" in refused(f"UPDATE {table} SET id = id WHERE id < 0")
    assert "permission denied" in refused(f"DELETE FROM {table} WHERE id < 0")
    assert "permission denied" in refused(f"TRUNCATE {table}")


@pytest.mark.django_db
def test_app_role_may_still_change_ordinary_tables_but_never_truncate_them(firm):
    as_app_role()
    _sql("UPDATE mrv_firm SET name = name WHERE id = %s", [firm.pk])
    assert "permission denied" in refused("TRUNCATE mrv_firm")
    assert "permission denied" in refused("DELETE FROM django_migrations WHERE id < 0")  # only migrate writes it


@pytest.mark.django_db
@pytest.mark.parametrize("table", PROTECTED)
def test_even_the_owner_cannot_truncate_an_append_only_table(table):
    as_owner()
    assert "append-only" in refused(f"TRUNCATE {table} CASCADE")


@pytest.mark.django_db
def test_app_role_writes_ledger_rows_chained_per_market(ledger, shanghai, beijing):
    as_app_role()
    payer, receiver = ledger
    services.units_transfer(
        from_account=payer,
        to_account=receiver,
        unit=Unit(ALLOWANCE, 2025),
        quantity=10,
        idempotency_key="t1",
    )
    rows = list(Transaction.objects.order_by("chain_seq").values("chain_key", "chain_seq", "prev_hash", "row_hash"))
    assert [r["chain_seq"] for r in rows] == [1, 2]
    assert {r["chain_key"] for r in rows} == {shanghai.pk}
    assert rows[0]["prev_hash"] == "" and rows[1]["prev_hash"] == rows[0]["row_hash"]
    assert all(len(r["row_hash"]) == 64 for r in rows)
    entries = list(Entry.objects.order_by("chain_seq").values_list("chain_seq", flat=True))
    assert entries == list(range(1, len(entries) + 1))
    with transaction.atomic():
        log_action(beijing, "test.beijing", reason="another market, another chain")
    assert AuditLog.objects.get(action="test.beijing").chain_seq == 1


@pytest.mark.django_db
def test_app_role_records_security_events_but_nobody_edits_or_removes_one():
    """A sign-in record is evidence: the application writes and reads it, and there it stays."""
    as_app_role()
    event = events.record(SecurityEvent.Action.SIGNIN_FAILED, SecurityEvent.Outcome.FAILURE, username="mallory")
    assert SecurityEvent.objects.filter(pk=event.pk, username="mallory").exists()
    row = f"signin_securityevent WHERE id = {event.pk}"
    assert "permission denied" in refused(f"UPDATE signin_securityevent SET outcome = 'success' WHERE id = {event.pk}")
    assert "permission denied" in refused(f"DELETE FROM {row}")
    assert "permission denied" in refused("TRUNCATE signin_securityevent")
    as_owner()  # even the tables' owner meets the triggers
    assert "append-only" in refused(f"UPDATE signin_securityevent SET outcome = 'success' WHERE id = {event.pk}")
    assert "append-only" in refused(f"DELETE FROM {row}")
    assert SecurityEvent.objects.get(pk=event.pk).outcome == SecurityEvent.Outcome.FAILURE


@pytest.mark.django_db
def test_app_role_records_a_determination_decision_once_and_nothing_else(firm, regulator):
    report = f.ReportFactory(firm=firm, year=2025)
    proposal = Determination.objects.create(
        report=report, basis="verified_figure", emissions_tco2e=100, from_state="verified", proposed_by=regulator
    )
    as_app_role()
    assert "permission denied" in refused(f"UPDATE mrv_determination SET emissions_tco2e = 1 WHERE id = {proposal.pk}")
    _sql(f"UPDATE mrv_determination SET decision = 'approved', decision_reason = 'ok' WHERE id = {proposal.pk}")
    assert "immutable" in refused(f"UPDATE mrv_determination SET decision = 'rejected' WHERE id = {proposal.pk}")
    run = verify_chains(trigger=ChainVerification.Trigger.COMMAND)
    assert run.ok  # the decision is outside the proposal's hash; its audit row seals it


@pytest.mark.django_db
def test_a_row_edited_by_the_owner_is_reported_at_its_position(ledger, shanghai, beijing):
    with transaction.atomic():
        for i in range(5):
            log_action(shanghai, f"test.row{i}")
            log_action(beijing, f"test.bj{i}")
    as_app_role()
    assert verify_chains(trigger=ChainVerification.Trigger.COMMAND).ok
    third = AuditLog.objects.get(action="test.row2")
    entry = Entry.objects.get(chain_seq=2, chain_key=shanghai.pk)
    owner_edits("UPDATE mrv_auditlog SET reason = 'rewritten' WHERE id = %s", [third.pk])
    owner_edits("UPDATE registry_entry SET quantity = quantity + 1 WHERE id = %s", [entry.pk])
    _sql(f"SET LOCAL ROLE {APP_ROLE}")

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_chains", stdout=out)
    run = ChainVerification.objects.order_by("-id").first()
    broken = {(c["table"], c["market_id"]): c["broken"] for c in run.chains if c["broken"]}
    assert broken == {
        ("mrv.AuditLog", shanghai.pk): {"id": third.pk, "position": third.chain_seq, "reason": "hash"},
        ("registry.Entry", shanghai.pk): {"id": entry.pk, "position": 2, "reason": "hash"},
    }
    assert f"first broken row id={third.pk} at position {third.chain_seq}" in out.getvalue()
    assert AuditLog.objects.filter(action="mrv.chains.verified", to_state="broken").exists()


@pytest.mark.django_db
def test_a_removed_row_is_found_where_the_positions_jump(shanghai):
    with transaction.atomic():
        for i in range(4):
            log_action(shanghai, f"test.row{i}")
    assert verify_chains(trigger=ChainVerification.Trigger.COMMAND).ok
    owner_edits("DELETE FROM mrv_auditlog WHERE chain_key = %s AND chain_seq IN (2, 4)", [shanghai.pk])
    run = verify_chains(trigger=ChainVerification.Trigger.COMMAND)
    (chain,) = [c for c in run.chains if c["table"] == "mrv.AuditLog" and c["market_id"] == shanghai.pk]
    assert chain["broken"]["position"] == 3 and chain["broken"]["reason"] == "gap"


@pytest.mark.django_db
def test_the_last_row_removed_is_found_by_the_next_check(shanghai):
    with transaction.atomic():
        for i in range(3):
            log_action(shanghai, f"test.row{i}")
    assert verify_chains(trigger=ChainVerification.Trigger.COMMAND).ok
    owner_edits("DELETE FROM mrv_auditlog WHERE chain_key = %s AND chain_seq = 3", [shanghai.pk])
    run = verify_chains(trigger=ChainVerification.Trigger.COMMAND)
    (chain,) = [c for c in run.chains if c["table"] == "mrv.AuditLog" and c["market_id"] == shanghai.pk]
    assert chain["broken"]["position"] == 3 and chain["broken"]["reason"] == "head"


@pytest.mark.django_db
def test_regulator_sees_the_result_for_their_market_only(
    client, shanghai, beijing, regulator, other_regulator, national_admin
):
    with transaction.atomic():
        log_action(shanghai, "test.sh")
        log_action(beijing, "test.bj")
    row = AuditLog.objects.get(action="test.bj")
    owner_edits("UPDATE mrv_auditlog SET reason = 'x' WHERE id = %s", [row.pk])
    verify_chains(trigger=ChainVerification.Trigger.SCHEDULED)
    url = reverse("ui:chain_check")

    client.force_login(regulator)
    page = client.get(url).content.decode()
    assert "first broken row" not in page and "intact" in page
    client.force_login(other_regulator)
    page = client.get(url).content.decode()
    assert f"first broken row: position 1 (row {row.pk})" in page
    client.force_login(national_admin)
    assert f"(row {row.pk})" in client.get(url).content.decode()


@pytest.mark.django_db
def test_firm_users_do_not_see_the_integrity_page(client, firm_user):
    client.force_login(firm_user)
    assert client.get(reverse("ui:chain_check")).status_code == 403


@pytest.mark.django_db
def test_regulator_can_run_a_check_from_the_page_and_it_is_audited(client, regulator):
    client.force_login(regulator)
    response = client.post(reverse("ui:chain_check"), follow=True)
    assert response.status_code == 200
    run = ChainVerification.objects.get()
    assert run.trigger == "page" and run.requested_by == regulator
    assert AuditLog.objects.filter(action="mrv.chains.verified", actor=regulator).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_of_one_chain_are_serialised(shanghai):
    barrier = threading.Barrier(4)
    errors = []

    def write(i):
        try:
            barrier.wait()
            for n in range(5):
                with transaction.atomic():
                    log_action(shanghai, f"test.w{i}.{n}")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    positions = sorted(AuditLog.objects.filter(chain_key=shanghai.pk).values_list("chain_seq", flat=True))
    assert positions == list(range(1, 21))
    assert verify_chains(trigger=ChainVerification.Trigger.COMMAND).ok


@pytest.mark.django_db
def test_the_daily_beat_task_checks_the_chains_and_records_the_run(shanghai):
    from config.celery import app
    from mrv import tasks

    assert app.conf.beat_schedule["verify-chains"]["task"] == "mrv.verify_chains"
    with transaction.atomic():
        log_action(shanghai, "test.row")
    assert tasks.verify_chains.apply().get() is True
    run = ChainVerification.objects.get()
    assert run.trigger == ChainVerification.Trigger.SCHEDULED and run.ok and run.rows_checked >= 1
