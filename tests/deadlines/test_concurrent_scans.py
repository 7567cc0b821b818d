"""Two beat processes (or a retried task) scanning at the same moment still send each reminder once."""

import datetime
import threading

import pytest
from django.db import connection

from deadlines.models import Notification, Reminder
from deadlines.services import reminders_send_due
from mrv.models import User
from tests import factories as f


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (SQLite locks the file)"
)
def test_two_scans_at_once_send_each_reminder_once(shanghai):
    # Covered from 2025, so that the scan (which reaches back to every year) finds only these deadlines.
    firms = [f.FirmFactory(market=shanghai, covered_since=2025) for _ in range(20)]
    users = [f.UserFactory(role=User.Role.FIRM_REPORTER, firm=firm) for firm in firms]
    start, results = threading.Barrier(2), []

    def scan():
        start.wait()
        try:
            results.append(reminders_send_due(today=datetime.date(2026, 3, 24)))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # 20 firms: the 2025 report (7 days), the plans for 2025 and 2026 (each overdue and escalated, as long
    # as they are not handed in) → 5 rows each, once in all.
    assert sum(results) == Reminder.objects.count() == 100
    for user in users:
        kinds = sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
        assert kinds == ["deadline_overdue", "deadline_overdue", "deadline_reminder"]
