"""The Celery setup: a static beat schedule of registered tasks, late acks, bounded retries, no broker waits."""

from celery.schedules import crontab
from django.conf import settings

from config.celery import app


def test_beat_schedule_names_registered_tasks_and_scans_daily_in_shanghai_time():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert schedule["publish-outbox"]["schedule"] == 60.0
    reminders = schedule["send-reminders"]["schedule"]
    assert isinstance(reminders, crontab) and reminders.hour == {1} and reminders.minute == {0}
    assert app.conf.timezone == "Asia/Shanghai"


def test_deadline_tasks_ack_late_and_never_wait_longer_than_the_visibility_timeout():
    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    tasks = [t for name, t in app.tasks.items() if name.startswith("deadlines.")]
    # seven scheduled or email tasks, the roll-over's and the marking's batches, and the workflow, registry and
    # repudiation notices
    assert len(tasks) == 12
    for task in tasks:
        assert task.acks_late is True, task.name
        assert task.retry_backoff_max < visibility, task.name
        assert task.autoretry_for, task.name


def test_publishing_never_retries_or_waits_long_for_the_broker():
    assert app.conf.task_publish_retry is False
    assert app.conf.broker_connection_timeout <= 2
    options = app.conf.broker_transport_options
    assert options["socket_connect_timeout"] <= 2 and options["max_retries"] == 0


def test_bad_reminder_offsets_stop_the_start_with_a_message_naming_the_setting():
    from tests.mrv.test_settings import start

    for value in ("30,a week", "0"):
        result = start(SECRET_KEY="k", REMINDER_OFFSETS_DAYS=value)
        assert result.returncode != 0 and "REMINDER_OFFSETS_DAYS must be whole numbers of days" in result.stderr
