"""The periodic clean-up of expired idempotency keys: only expired ones go, a second run deletes nothing,
and a key used again after its clean-up is a new request (the change happens again, as after expiry)."""

from datetime import timedelta

from celery.schedules import crontab
from django.utils import timezone

from config.celery import app
from mrv import tasks
from mrv.models import EmissionReport, IdempotencyRecord
from tests.mrv.test_api import api


def _record(user, key: str, hours_old: float) -> IdempotencyRecord:
    record = IdempotencyRecord.objects.create(
        user=user, key=key, method="POST", path="/api/v1/reports/", request_sha256="0" * 64, status_code=201
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=hours_old))
    return record


def test_the_task_deletes_expired_keys_only_and_a_second_run_deletes_nothing(settings, firm_user, other_firm_user):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    expired = [_record(firm_user, "old-1", 25), _record(other_firm_user, "old-2", 24 * 30)]
    kept = [_record(firm_user, "fresh", 1), _record(other_firm_user, "almost", 23.5)]
    assert tasks.purge_idempotency_keys() == 2
    remaining = set(IdempotencyRecord.objects.values_list("pk", flat=True))
    assert remaining == {r.pk for r in kept} and not remaining & {r.pk for r in expired}
    assert tasks.purge_idempotency_keys() == 0


def test_the_task_deletes_in_batches_until_none_is_left(settings, firm_user):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 1
    for n in range(7):
        _record(firm_user, f"k{n}", 2)
    assert IdempotencyRecord.purge_expired(batch=3) == 7
    assert not IdempotencyRecord.objects.exists()


def test_a_purged_key_is_a_new_request(settings, firm_user):
    """Before the clean-up the key replays its answer (and refuses another body); after it, the key is free."""
    client = api(firm_user)
    first = client.post("/api/v1/reports/", {"year": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    replay = client.post("/api/v1/reports/", {"year": 2025}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    other = client.post("/api/v1/reports/", {"year": 2024}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409
    assert tasks.purge_idempotency_keys() == 0  # not expired yet
    IdempotencyRecord.objects.update(
        created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS + 1)
    )
    assert tasks.purge_idempotency_keys() == 1
    again = client.post("/api/v1/reports/", {"year": 2024}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    assert EmissionReport.objects.filter(firm=firm_user.firm, year__in=[2024, 2025]).count() == 2


def test_the_clean_up_is_in_the_beat_schedule_hourly(db):
    app.loader.import_default_modules()
    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "mrv.purge_idempotency_keys")
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab) and len(entry["schedule"].hour) == 24
    assert tasks.purge_idempotency_keys.acks_late is True
