"""A real Redis (Debian's ``redis-server``, or ``valkey-server``) on 127.0.0.1 and a private port.

Started by the tests themselves, in a temporary folder, without persistence: ``make test``
installs the package, and a missing server fails the tests rather than skipping them.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.support.serving import free_port

SERVERS = ("redis-server", "valkey-server")


class RedisServer:
    """One server process; ``url`` to reach it, ``stop``/``start`` to take it down and back."""

    def __init__(self, folder: Path) -> None:
        binary = next((b for b in map(shutil.which, SERVERS) if b), None)
        if binary is None:
            pytest.fail("neither redis-server nor valkey-server is installed (make test installs redis-server)")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.binary} exited {self.proc.returncode} at start")
            try:
                client.ping()
                client.close()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail(f"{self.binary} did not answer on port {self.port} within 20 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def flush(self) -> None:
        with redis.Redis.from_url(self.url) as client:
            client.flushall()


@contextmanager
def running_redis(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    """One Redis for the whole run; each test using ``redis_url`` starts from an empty one."""
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server) -> str:
    redis_server.flush()
    return redis_server.url
