"""A worker killed in the middle of a task: the broker hands the task out again, and it is done once."""

import os
import signal
import subprocess
import sys
import time

import pytest

from .throwaway_redis import ThrowawayRedis, wait_for

pytestmark = pytest.mark.celery_worker
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start_worker(broker_url: str) -> subprocess.Popen:
    env = {**os.environ, "CELERY_BROKER_URL": broker_url, "SECRET_KEY": os.environ.get("SECRET_KEY", "test")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.deadlines.worker_app",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)  # the main process and its pool child: no warm shutdown
    worker.wait(timeout=10)


def test_task_of_a_killed_worker_is_redone_once_not_lost(monkeypatch):
    server = ThrowawayRedis()
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery prefers the environment to its conf
    first = second = None
    try:
        from celery import Celery

        producer = Celery(broker=server.url)
        producer.send_task("tests.count_attempts_then_work", kwargs={"key": "job", "first_attempt_sleep_s": 60})
        redis_client = server.client()
        count = lambda name: int(redis_client.get(f"job:{name}") or 0)  # noqa: E731

        first = start_worker(server.url)
        wait_for(lambda: count("attempts") == 1, timeout=30)
        kill(first)
        assert count("done") == 0
        assert redis_client.hlen("unacked") == 1  # acks_late: the message is still the broker's

        started = time.monotonic()
        second = start_worker(server.url)
        wait_for(lambda: count("done") == 1, timeout=30)
        redone_after = time.monotonic() - started
        time.sleep(3)  # longer than the visibility timeout: it is not handed out a third time
        assert (count("attempts"), count("done")) == (2, 1)
        assert redis_client.hlen("unacked") == 0 and redis_client.llen("celery") == 0
        assert redone_after < 30
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                kill(worker)
        server.stop()
