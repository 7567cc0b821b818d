"""The scheduled compliance marking: one task per batch of firms, each batch a constant number of statements
(findings, positions, audit, the firms' notifications), and a batch delivered twice tells no one twice.

Shanghai, compliance year 2025, deadline 30 June 2026; the marking runs on 1 July 2026.
"""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deadlines import tasks
from deadlines.models import DueWorkDone, Notification
from deadlines.services import compliance_mark_batch, due_work
from mrv.models import AuditLog, OutboxMessage, User
from registry.models import ComplianceRecord
from tests import factories as f

YEAR = 2025
AFTER = datetime.date(2026, 7, 1)


def _short_firms(market, n):
    """Firms owing 100 t for 2025 with nothing surrendered, each with a reporter and an approver."""
    firms = [f.FirmFactory(market=market) for _ in range(n)]
    for firm in firms:
        f.ReportFactory(firm=firm, year=YEAR, status="determined", determined_emissions_tco2e=Decimal(100))
        for role in (User.Role.FIRM_REPORTER, User.Role.FIRM_APPROVER):
            f.UserFactory(role=role, firm=firm)
    return firms


def test_a_batch_costs_the_same_statements_whatever_its_size(shanghai):
    small, large = _short_firms(shanghai, 2), _short_firms(shanghai, 40)
    ContentType.objects.get_for_model(ComplianceRecord)  # cached once per process, as in a worker
    counts = []
    for firms in (small, large):
        with CaptureQueriesContext(connection) as queries:
            made = compliance_mark_batch(market_id=shanghai.pk, year=YEAR, firm_ids=[x.pk for x in firms], today=AFTER)
        assert made == len(firms)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Notification.objects.filter(kind=Notification.Kind.FIRM_NON_COMPLIANT).count() == 2 * 42


def test_the_scheduled_marking_queues_one_task_per_batch_and_a_redelivered_batch_does_nothing_twice(
    shanghai, regulator, monkeypatch
):
    firms = _short_firms(shanghai, 5)
    monkeypatch.setattr(due_work, "MARKING_BATCH", 2)
    assert tasks.mark_non_compliance.run(market_id=shanghai.pk, today="2026-07-01") == 1
    assert tasks.mark_non_compliance.run(market_id=shanghai.pk, today="2026-07-01") == 0  # queued once
    assert DueWorkDone.objects.filter(job=DueWorkDone.Job.COMPLIANCE_MARKING, market=shanghai, year=YEAR).exists()
    batches = OutboxMessage.objects.filter(task_name="deadlines.mark_non_compliance_batch").order_by("created_at")
    assert sorted(len(m.kwargs["firm_ids"]) for m in batches) == [1, 2, 2]
    assert not ComplianceRecord.objects.exists()  # the workers mark
    [notice] = Notification.objects.filter(recipient=regulator, kind=Notification.Kind.NON_COMPLIANCE_MARKED)
    assert notice.params["count"] == 5
    for message in batches:
        assert tasks.mark_non_compliance_batch.run(**message.kwargs) == len(message.kwargs["firm_ids"])
        assert tasks.mark_non_compliance_batch.run(**message.kwargs) == 0  # redelivered: nothing twice
    assert set(ComplianceRecord.objects.values_list("firm_id", flat=True)) == {x.pk for x in firms}
    assert AuditLog.objects.filter(action="registry.compliance.non_compliant").count() == 5
    told = Notification.objects.filter(kind=Notification.Kind.FIRM_NON_COMPLIANT)
    assert sorted(n.params["firm_id"] for n in told) == sorted(x.pk for x in firms for _ in range(2))
    emails = OutboxMessage.objects.filter(task_name="deadlines.send_notification_emails")
    assert sum(len(m.kwargs["notification_ids"]) for m in emails) == told.count() + 1  # and the regulator's


def test_the_daily_run_marks_in_place_and_once(shanghai, regulator):
    from deadlines.services import compliance_mark_due

    firms = _short_firms(shanghai, 3)
    assert compliance_mark_due(today=AFTER, market_id=shanghai.pk) == 1
    assert compliance_mark_due(today=AFTER, market_id=shanghai.pk) == 0
    assert set(ComplianceRecord.objects.values_list("firm_id", flat=True)) == {x.pk for x in firms}
    assert Notification.objects.filter(kind=Notification.Kind.FIRM_NON_COMPLIANT).count() == 6


def test_a_firm_with_an_extended_deadline_is_marked_once_its_own_deadline_has_passed(shanghai, regulator):
    """The market-year's marking (1 July) skips a firm whose deadline was extended by 20 days (to 20 July); a
    later daily run marks it after 20 July, once, and tells its people."""
    from deadlines.services import compliance_mark_due
    from mrv.models import DeadlineExtension

    on_time, extended = _short_firms(shanghai, 2)
    DeadlineExtension.objects.create(
        firm=extended, year=YEAR, kind="compliance", extra_days=20, reason="flood", granted_by=regulator
    )
    assert compliance_mark_due(today=AFTER, market_id=shanghai.pk) == 1
    assert set(ComplianceRecord.objects.values_list("firm_id", flat=True)) == {on_time.pk}
    compliance_mark_due(today=datetime.date(2026, 7, 20), market_id=shanghai.pk)  # its own deadline day
    assert not ComplianceRecord.objects.filter(firm=extended).exists()
    for day in (21, 22):
        compliance_mark_due(today=datetime.date(2026, 7, day), market_id=shanghai.pk)
    [record] = ComplianceRecord.objects.filter(firm=extended)
    assert record.shortfall_tco2e == Decimal(100)
    told = Notification.objects.filter(kind=Notification.Kind.FIRM_NON_COMPLIANT, params__firm_id=extended.pk)
    assert told.count() == 2  # its reporter and approver, once
