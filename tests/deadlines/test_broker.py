"""With a real Redis broker and a real worker: a request never waits for the broker, and nothing is sent twice."""

import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from config.celery import app
from deadlines.models import DeadlineExtension, Notification
from mrv import outbox
from mrv.models import OutboxMessage

from .throwaway_redis import ThrowawayRedis, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _reset_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_broker(settings, monkeypatch):
    """Our Celery app pointed at a throwaway Redis (started), with tasks going through the broker."""
    server = ThrowawayRedis()
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery prefers the environment to its conf
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=server.url, task_always_eager=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _reset_connections()
    yield server
    app.conf.update(saved)
    _reset_connections()
    server.stop()


@contextmanager
def worker():
    with start_worker(
        app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
    ) as w:
        yield w


def extend(client, firm):
    data = {"year": 2025, "kind": "annual_report", "extra_days": 14, "reason": "Typhoon damage to the meters"}
    return client.post(reverse("deadlines:extension_grant", args=[firm.pk]), data)


def mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def test_submission_succeeds_with_the_broker_down_and_the_email_follows_once_when_it_returns(
    client, firm, firm_user, regulator, redis_broker
):
    redis_broker.stop()
    client.force_login(regulator)
    started = time.monotonic()
    response = extend(client, firm)
    elapsed = time.monotonic() - started
    assert response.status_code == 302 and elapsed < 3  # measured ≈0.1 s: no waiting on the broker
    assert DeadlineExtension.objects.get(firm=firm).extra_days == 14
    note = Notification.objects.get(recipient=firm_user, kind=Notification.Kind.EXTENSION_GRANTED)
    message = OutboxMessage.objects.get(task_name="deadlines.send_notification_emails")
    assert message.sent_at is None and message.attempts == 1 and "Error" in message.last_error
    assert mails_to(firm_user) == []

    redis_broker.start()
    _reset_connections()
    with worker():
        assert outbox.publish_pending() == 1
        wait_for(lambda: Notification.objects.filter(pk=note.pk, emailed_at__isnull=False).exists())
        assert outbox.publish_pending() == 0
        # The broker delivers the same message again (e.g. a restored unacked message): still one email.
        app.send_task(message.task_name, kwargs=message.kwargs, task_id=str(message.pk))
        sentinel = Notification.objects.create(
            recipient=regulator,
            kind=Notification.Kind.SPOT_CHECK_DRAWN,
            params={"market_zh": "上海", "market_en": "Shanghai", "year": 2025},
        )
        app.send_task("deadlines.send_notification_emails", kwargs={"notification_ids": [sentinel.pk]})
        wait_for(lambda: Notification.objects.filter(pk=sentinel.pk, emailed_at__isnull=False).exists())
    assert len(mails_to(firm_user)) == 1
    message.refresh_from_db()
    assert message.sent_at is not None


def test_reminder_scan_through_the_worker_sends_each_reminder_once(firm, firm_user, redis_broker):
    with worker():
        for _ in range(2):  # the daily task delivered twice
            app.send_task("deadlines.send_reminders", kwargs={"today": "2026-03-24"})
        wait_for(lambda: Notification.objects.filter(recipient=firm_user, emailed_at__isnull=False).exists())
        assert outbox.publish_pending() == 0
        wait_for(lambda: not Notification.objects.filter(recipient=firm_user, emailed_at=None).exists())
    annual = [
        n
        for n in Notification.objects.filter(recipient=firm_user)
        if n.params["deadline"] == "annual_report" and n.params["year"] == 2025  # earlier years: overdue notices
    ]
    assert [n.params["days_left"] for n in annual] == [7]
    assert len([m for m in mails_to(firm_user) if "2026-03-31" in m.body]) == 1


def test_publish_failure_leaves_the_row_unsent_and_the_sweep_sends_it_later(redis_broker, firm):
    redis_broker.stop()
    message = OutboxMessage.objects.create(task_name="deadlines.send_reminders", kwargs={"today": "2026-03-24"})
    started = time.monotonic()
    assert outbox.publish(message.pk) is False
    assert time.monotonic() - started < 3
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 1)
    redis_broker.start()
    _reset_connections()
    assert outbox.publish_pending() == 1
    queued = redis_broker.client().lrange("celery", 0, -1)
    assert len(queued) == 1 and str(message.pk).encode() in queued[0]  # the outbox id is the task id
