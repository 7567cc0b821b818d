"""A throwaway redis-server on a free port, for tests that stop the broker (never the shared one)."""

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="mrv-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        pidfile = Path(self.dir) / "redis.pid"
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                self.dir,
                "--pidfile",
                str(pidfile),
            ],
            check=True,
            capture_output=True,
            timeout=10,
        )
        self.wait(up=True)
        deadline = time.monotonic() + 10
        while not pidfile.exists():  # daemonized: the pid file follows a moment after the port answers
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} wrote no pid file (port taken?)")
            time.sleep(0.05)

    def stop(self) -> None:
        if not self.is_up():
            return
        pid = int((Path(self.dir) / "redis.pid").read_text())
        os.kill(pid, signal.SIGTERM)  # with --save "" nothing is written on the way out
        self.wait(up=False)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=5, retry=Retry(NoBackoff(), 0))

    def is_up(self) -> bool:
        with socket.socket() as s:
            s.settimeout(1)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def wait(self, *, up: bool, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.is_up() != up:
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis on {self.port} did not come {'up' if up else 'down'}")
            time.sleep(0.05)


def wait_for(predicate, timeout: float = 20, interval: float = 0.1):
    """Poll until `predicate()` is truthy; returns its value or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {predicate}")
        time.sleep(interval)
