"""deploy/redis/orienteur.conf with Debian's redis-server: it loads, and says what the README says.

Debian's own /etc/redis/redis.conf (installed with the package by ``make test``) is included
as on a server; only where the server writes (folder, log, pid) and its port are changed
here, on the command line, as a test must.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.support.homes import ROOT
from tests.support.serving import free_port

CONF = ROOT / "deploy" / "redis" / "orienteur.conf"
DROP_IN = ROOT / "deploy" / "systemd" / "redis-server.service.d" / "orienteur.conf"
DEBIAN_CONF = Path("/etc/redis/redis.conf")


@pytest.mark.skipif(not DEBIAN_CONF.is_file(), reason="Debian's redis-server package is not installed")
def test_the_deployed_redis_settings_load_over_debians(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", str(CONF), "--port", str(port), "--daemonize", "no", "--supervised", "no",
         "--dir", str(tmp_path), "--logfile", "", "--pidfile", str(tmp_path / "redis.pid")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    client = redis.Redis(port=port, socket_connect_timeout=0.5, decode_responses=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.05)
        settings = {k: v for name in ("bind", "maxmemory-policy", "appendonly", "maxmemory", "protected-mode")
                    for k, v in client.config_get(name).items()}
        assert settings["maxmemory-policy"] == "volatile-ttl"  # every key we write expires
        assert settings["appendonly"] == "yes"  # conversations survive a restart of Redis
        assert settings["bind"].split()[0] == "127.0.0.1" and settings["protected-mode"] == "yes"
        assert int(settings["maxmemory"]) == 256 * 1024 * 1024
    finally:
        client.close()
        process.terminate()
        process.wait(10)


def test_the_drop_in_starts_debians_server_with_that_file():
    text = DROP_IN.read_text(encoding="utf-8")
    assert "ExecStart=\n" in text  # clears Debian's own before setting ours
    assert "ExecStart=/usr/bin/redis-server /etc/redis/orienteur.conf" in text
    includes = [line for line in CONF.read_text(encoding="utf-8").splitlines() if line.startswith("include")]
    assert includes == ["include /etc/redis/redis.conf"]  # Debian's defaults first, ours over them
