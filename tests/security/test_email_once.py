"""An e-mail is sent once even when the worker is killed after sending it: real Redis, real worker processes."""

import email
import os

import pytest
from django.conf import settings
from django.db import connection

from deadlines.models import Notification
from mrv.models import DeliveryIntent
from tests.deadlines.test_worker_killed import ROOT, kill
from tests.deadlines.throwaway_redis import ThrowawayRedis, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a shared database"),
]


def start_worker(broker_url: str, mail_dir) -> "subprocess.Popen":  # noqa: F821
    import subprocess
    import sys

    db = connection.settings_dict
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test"),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",  # the test database
        "DATABASE_APP_ROLE": settings.DATABASE_APP_ROLE,
        "EMAIL_BACKEND": "tests.security.stalling_mail.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.deadlines.worker_app", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def mails(mail_dir) -> list:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(mail_dir.glob("*.eml"))]


def test_an_email_sent_before_the_worker_was_killed_is_not_sent_again(firm, firm_user, tmp_path, monkeypatch):
    firm_user.email = "reporter@example.cn"
    firm_user.save(update_fields=["email"])
    params = {"firm": firm.name, "deadline": "annual_report", "year": 2025, "due_date": "2026-04-14", "extra_days": 14}
    note = Notification.objects.create(recipient=firm_user, kind=Notification.Kind.EXTENSION_GRANTED, params=params)
    server = ThrowawayRedis()
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    first = second = None
    try:
        from celery import Celery

        producer = Celery(broker=server.url)
        producer.send_task("deadlines.send_notification_emails", kwargs={"notification_ids": [note.pk]})
        redis_client = server.client()

        first = start_worker(server.url, tmp_path)
        wait_for(lambda: len(mails(tmp_path)) == 1, timeout=60)  # the mail has left; the worker now stalls
        kill(first)
        assert redis_client.hlen("unacked") == 1  # acks_late: the broker will hand the task out again
        intent = DeliveryIntent.objects.get(key=f"notification-email:{note.pk}")
        assert intent.delivered_at is None  # recorded before sending; never stamped

        second = start_worker(server.url, tmp_path)
        wait_for(lambda: redis_client.hlen("unacked") == 0 and redis_client.llen("celery") == 0, timeout=60)
        assert len(mails(tmp_path)) == 1  # the redelivered task found the intent and skipped the e-mail
        [sent] = mails(tmp_path)
        assert sent["To"] == "reporter@example.cn"
        assert str(intent.delivery_id) in sent["Message-ID"]
        assert DeliveryIntent.objects.count() == 1
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                kill(worker)
        server.stop()


def test_a_failed_send_leaves_no_intent_so_the_retry_sends(firm_user, monkeypatch, mailoutbox):
    from deadlines import services

    firm_user.email = "reporter@example.cn"
    firm_user.save(update_fields=["email"])
    params = {"firm": "x", "deadline": "annual_report", "year": 2025, "due_date": "2026-04-14", "extra_days": 14}
    note = Notification.objects.create(recipient=firm_user, kind=Notification.Kind.EXTENSION_GRANTED, params=params)

    def refuse(self, *args, **kwargs):
        raise ConnectionError("mail server down")

    with monkeypatch.context() as m:
        m.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
        with pytest.raises(ConnectionError):
            services.notification_email_send(notification_id=note.pk)
    assert not DeliveryIntent.objects.exists()
    assert services.notification_email_send(notification_id=note.pk) is True
    assert services.notification_email_send(notification_id=note.pk) is False
    assert len(mailoutbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None and DeliveryIntent.objects.get().delivered_at is not None
