"""The Celery app as deployed, for a worker subprocess in tests: a 2-second visibility timeout and a
restore sweep every second, so that a message whose worker died is handed out again quickly.

Start with `celery -A tests.deadlines.worker_app worker`. The task counts its attempts in the
broker's own Redis, so it needs no database.
"""

import time

import redis
from celery import shared_task

from config.celery import app

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


@shared_task(name="tests.count_attempts_then_work", acks_late=True)
def count_attempts_then_work(key: str, first_attempt_sleep_s: float) -> None:
    client = redis.Redis.from_url(app.conf.broker_url)
    attempt = client.incr(f"{key}:attempts")
    if attempt == 1:
        time.sleep(first_attempt_sleep_s)  # the test kills the worker here
    client.incr(f"{key}:done")
