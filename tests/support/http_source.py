"""A directory file served over HTTP on 127.0.0.1, for the fetch and rebuild tests.

``SourceServer`` runs ``http.server`` in a thread (the code under test is synchronous
urllib, and the rebuild runs in another process) and answers:

    /file          the bytes in ``server.body``, with an ETag; 304 to a matching If-None-Match
    /status/<n>    HTTP <n> with a short body
    /big           a Content-Length of ``server.big`` bytes, and that many bytes
    /stream        ``server.big`` bytes with no Content-Length (chunk after chunk)
    /slow          waits ``server.delay`` seconds before answering

and lies, as the hardening tests need:

    /short         ``server.body``'s Content-Length and ETag, but only its first ``server.cut``
                   bytes, then closes (a cut transfer)
    /chunked-cut   ``server.body`` in chunks, closing after ``server.cut`` bytes without the last chunk
    /trickle       ``server.body`` one byte every ``server.pace`` seconds (a stalling server)
    /redirect      302 to ``server.location``

``server.hits`` records (path, If-None-Match) per request.
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server: SourceServer

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        srv = self.server
        srv.hits.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/file":
            etag = '"' + hashlib.sha256(srv.body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._send(200, srv.body, {"ETag": etag, "Content-Type": "text/csv"})
        elif self.path.startswith("/status/"):
            self._send(int(self.path.rsplit("/", 1)[1]), b"boom")
        elif self.path == "/big":
            self._send(200, b"x" * srv.big)
        elif self.path == "/stream":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            sent = 0
            try:
                while sent < srv.big:
                    self.wfile.write(b"y" * 65536)
                    sent += 65536
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif self.path == "/short":
            etag = '"' + hashlib.sha256(srv.body).hexdigest()[:16] + '"'
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(srv.body)))
            self.end_headers()
            self._write(srv.body[:srv.cut])
            self.close_connection = True
        elif self.path == "/chunked-cut":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, srv.cut, 4096):
                piece = srv.body[start:min(start + 4096, srv.cut)]
                self._write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.close_connection = True
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", str(len(srv.body)))
            self.end_headers()
            for byte in srv.body:
                if srv.stopping.wait(srv.pace) or not self._write(bytes([byte])):
                    break
            self.close_connection = True
        elif self.path == "/redirect":
            self._send(302, b"moved", {"Location": srv.location})
        elif self.path == "/slow":
            time.sleep(srv.delay)
            self._send(200, srv.body)
        else:
            self._send(404, b"not found")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._write(body)

    def _write(self, data: bytes) -> bool:
        """Send ``data`` now; False once the client has gone."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return False
        return True


class SourceServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, body: bytes = b"") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.body = body
        self.big = 2_000_000
        self.delay = 5.0
        self.cut = 0
        self.pace = 0.5
        self.location = ""
        self.stopping = threading.Event()
        self.hits: list[tuple[str, str | None]] = []
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def __enter__(self) -> SourceServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
