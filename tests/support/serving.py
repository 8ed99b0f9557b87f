"""Real ``orienteur serve`` processes for tests: started on a free port, their output kept.

``Server`` runs the command as a deployment would (``python -m index.cli serve``), in a new
session so that a test can kill it and its workers at once, and start it again on the same
port over the same home and conversation store.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.homes import ROOT

ORIENTEUR = [sys.executable, "-m", "index.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environ(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a command over ``home``: no ORIENTEUR_* of the caller's, no rate limit
    unless ``extra`` sets one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORIENTEUR_")}
    env.update({"ORIENTEUR_HOME": str(home), "ORIENTEUR_RELOAD_INTERVAL": "0.3", "ORIENTEUR_RATE_LIMIT": "100000",
                "ORIENTEUR_RATE_BURST": "100000", **extra})
    return env


class Server:
    """``orienteur serve --workers N`` on a free port, over ``home``; its output is shown if it dies."""

    def __init__(self, home: Path, log: Path, workers: int = 1, **env: str) -> None:
        self.home, self.log_path, self.workers, self.env = home, log, workers, env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> Server:
        """Start (again, on the same port) and wait until it answers."""
        self.log = open(self.log_path, "a")  # noqa: SIM115 -- open while the server runs, closed by stop()
        self.proc = subprocess.Popen(
            [*ORIENTEUR, "serve", "--port", str(self.port), "--workers", str(self.workers)], stdout=self.log,
            stderr=subprocess.STDOUT, env=environ(self.home, **self.env), cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"orienteur serve exited {self.proc.returncode}:\n{self.output()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"orienteur serve did not answer within 60 s:\n{self.output()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Stop with ``sig``: SIGTERM to the command, SIGKILL to it and its workers at once; its status."""
        if self.proc is None:
            return 0
        if sig == signal.SIGKILL:
            os.killpg(self.proc.pid, signal.SIGKILL)
        else:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            status = self.proc.wait()
        self._wait_group_gone()
        self.proc = None
        self.log.close()
        return status

    def _wait_group_gone(self, within: float = 20) -> None:
        """Until no worker of the stopped command is left (they follow their parent)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise AssertionError(f"workers still running {within} s after their parent stopped")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def get(self, path: str, timeout: float = 10, data: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict]:
        """GET ``path`` (POST with ``data``): the status and the JSON answer."""
        return self._call(urllib.request.Request(self.base + path, data=data, headers=headers or {}), timeout)

    def post(self, path: str, body: dict, timeout: float = 10) -> tuple[int, dict]:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        return self._call(request, timeout)

    @staticmethod
    def _call(request: urllib.request.Request, timeout: float) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read() or b"{}")

    def chat(self, session: str, message: str) -> dict:
        code, body = self.post("/api/chat", {"message": message, "session": session})
        assert code == 200, body
        return body

    def status(self) -> dict:
        code, body = self.get("/api/status")
        assert code == 200, body
        return body

    def search_ids(self, text: str) -> list[str]:
        code, body = self.get("/api/search?" + urllib.parse.urlencode({"q": text, "limit": 10}))
        assert code == 200, body
        return [card["id"] for card in body["cards"]]

    def wait_for_version(self, version: str, within: float = 15) -> float:
        """Seconds until the server says it serves ``version``."""
        started = time.monotonic()
        while time.monotonic() - started < within:
            if self.status()["version"] == version:
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"still serving {self.status()['version']} after {within} s, not {version}")
