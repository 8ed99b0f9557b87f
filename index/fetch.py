"""Get a source's bytes and a fingerprint of them, from a path or an http(s) URL.

``fetch(location, known=...)`` returns ``Fetched(location, data, fingerprint)``, or
``Unchanged`` when the content's fingerprint equals ``known`` (the fingerprint the served
index was built from). The fingerprint is the SHA-256 of the bytes as stored or sent;
``data`` is what the readers get: a gzip file unpacked, UTF-16 text as UTF-8 (``plain_bytes``).
A file and a download alike are refused above ``max_bytes``, packed or unpacked.

A URL is fetched with the standard library, politely and defensively, because a server may
lie, stall or be hostile:

- conditionally (``If-None-Match``/``If-Modified-Since`` from the last answer): a ``304``
  reuses the body kept from then, so ``--force`` can still rebuild from it;
- within ``timeout`` seconds *in all*: a watchdog shuts the connection at the deadline, so
  a server trickling a byte at a time cannot stretch a download past it;
- checked whole: a body shorter than its ``Content-Length``, or a chunked body without its
  last chunk, is refused (the server or a proxy cut it);
- at most ``max_bytes``: a larger ``Content-Length``, or a body growing past it, is refused;
- following redirects to http and https only.

Only a complete answer is kept in ``cache_dir`` (validators and body, written under a
temporary name then renamed), so a cut download is never served again as "not modified".
Every failure is a ``SourceError`` naming the URL and what went wrong.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import json
import logging
import os
import secrets
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from index.errors import SourceError

log = logging.getLogger(__name__)

CHUNK = 65536
USER_AGENT = "orienteur-rebuild/0.1 (+https://github.com/orienteur)"
MAX_BYTES = 50_000_000
"""Default cap on a source's size (``ORIENTEUR_MAX_DOWNLOAD``), packed or unpacked."""
GZIP_MAGIC = b"\x1f\x8b"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Fetched:
    location: str
    data: bytes
    fingerprint: str
    not_modified: bool = False
    """The server answered 304: ``data`` is the body kept from the last download."""


@dataclass(frozen=True)
class Unchanged:
    location: str
    fingerprint: str


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def fingerprint_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def fetch(location: str, *, known: str | None = None, cache_dir: Path | None = None,
          max_bytes: int = MAX_BYTES, timeout: float = 30.0) -> Fetched | Unchanged:
    """The source's bytes and fingerprint, or ``Unchanged`` when its fingerprint is ``known``."""
    if is_url(location):
        fetched = _fetch_url(location, cache_dir, max_bytes, timeout)
    else:
        raw = _read_file(location, max_bytes)
        fetched = Fetched(location, raw, fingerprint_of(raw))
    if known is not None and fetched.fingerprint == known:
        return Unchanged(location, fetched.fingerprint)
    try:
        data = plain_bytes(fetched.data, max_bytes)
    except SourceError as exc:
        raise SourceError(f"{location}: {exc}") from None
    return Fetched(fetched.location, data, fetched.fingerprint, fetched.not_modified)


def plain_bytes(data: bytes, max_bytes: int = MAX_BYTES) -> bytes:
    """``data`` as the readers take it: a gzip file unpacked (at most ``max_bytes``), UTF-16 text
    as UTF-8 (with a byte-order mark: without one, UTF-16 cannot be told from binary data)."""
    if data.startswith(GZIP_MAGIC):
        data = _gunzip(data, max_bytes)
    if data.startswith(UTF16_BOMS):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"the file starts as UTF-16 text but is not: {exc.reason} "
                              f"at byte {exc.start}") from None
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    out = bytearray()
    rest = data
    while rest:  # a gzip file may hold several members, one after the other
        unpacker = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            out += unpacker.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise SourceError(f"the file is gzip-compressed but damaged ({exc})") from None
        if len(out) > max_bytes:
            raise SourceError(f"the gzip file unpacks to more than the {max_bytes} bytes allowed "
                              "(ORIENTEUR_MAX_DOWNLOAD)")
        if not unpacker.eof:
            raise SourceError("the gzip file is cut short (an interrupted download or copy?)")
        rest = unpacker.unused_data
    return bytes(out)


def _read_file(location: str, max_bytes: int) -> bytes:
    """A local file's bytes, refused above ``max_bytes`` as a download would be (before reading it all)."""
    path = Path(location).expanduser()
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SourceError(f"{path} is larger than the {max_bytes} bytes allowed (ORIENTEUR_MAX_DOWNLOAD)")
    return data


class _Cache:
    """The last answer for one URL: ``<key>.json`` (validators, fingerprint) and ``<key>.body``."""

    def __init__(self, directory: Path | None, url: str) -> None:
        self.directory = directory
        key = hashlib.sha256(url.encode()).hexdigest()[:24]
        self.meta_path = directory / f"{key}.json" if directory else None
        self.body_path = directory / f"{key}.body" if directory else None

    def load(self) -> tuple[dict, bytes] | None:
        if self.meta_path is None:
            return None
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            body = self.body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if fingerprint_of(body) != meta.get("fingerprint"):
            return None  # a body from another answer than these validators: ignore both
        return meta, body

    def save(self, meta: dict, body: bytes) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for path, content in ((self.body_path, body), (self.meta_path, json.dumps(meta).encode())):
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
            tmp.write_bytes(content)
            os.replace(tmp, path)


class _Deadline:
    """One download's deadline: at it, every socket the download opened is shut down, which
    ends any read waiting on it, however the server paces its bytes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        return max(0.01, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to end
        sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """A connection whose socket its download's ``_Deadline`` watches (mixed into http.client's)."""

    def __init__(self, *args, deadline: _Deadline, **kwargs) -> None:
        kwargs["timeout"] = min(kwargs.get("timeout") or deadline.seconds, deadline.remaining())
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        super().connect()
        self.deadline.watch(self.sock)


class _HTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, deadline=self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(context=self.tls)
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(functools.partial(_HTTPSConnection, deadline=self.deadline), req, context=self.tls)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http and https only (urllib would follow ``ftp://`` too)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            fp.close()
            raise SourceError(f"{req.full_url}: the server redirects to a {scheme or 'schemeless'} URL; "
                              "only http and https are followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch_url(url: str, cache_dir: Path | None, max_bytes: int, timeout: float) -> Fetched:
    cache = _Cache(cache_dir, url)
    cached = cache.load()
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if cached:
        meta = cached[0]
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    request = urllib.request.Request(url, headers=headers)
    with _Deadline(timeout) as deadline:
        opener = urllib.request.build_opener(_HttpOnlyRedirects(), _HTTPHandler(deadline), _HTTPSHandler(deadline))
        try:
            body, etag, modified = _download(opener, request, url, max_bytes, timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304 and cached:
                log.info("%s not modified since the last download", url)
                return Fetched(url, cached[1], cached[0]["fingerprint"], not_modified=True)
            raise SourceError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
        except SourceError:
            if deadline.expired:  # a cut body is what the watchdog leaves: the deadline is the cause
                raise _late(url, timeout) from None
            raise
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if deadline.expired:
                raise _late(url, timeout) from None
            raise _broken(url, exc, timeout) from None
        if deadline.expired:
            raise _late(url, timeout)
    fingerprint = fingerprint_of(body)
    cache.save({"url": url, "etag": etag, "last_modified": modified, "fingerprint": fingerprint}, body)
    log.info("downloaded %s: %d bytes", url, len(body))
    return Fetched(url, body, fingerprint)


def _download(opener, request, url: str, max_bytes: int, timeout: float) -> tuple[bytes, str | None, str | None]:
    """(body, ETag, Last-Modified) of a complete answer; ``SourceError`` for one that is not."""
    with opener.open(request, timeout=timeout) as response:
        announced = response.headers.get("Content-Length", "").strip()
        length = int(announced) if announced.isdigit() else None
        if length is not None and length > max_bytes:
            raise SourceError(f"{url}: the server announces {length} bytes, more than the "
                              f"{max_bytes} bytes allowed (ORIENTEUR_MAX_DOWNLOAD)")
        body = _read_capped(response, url, max_bytes)
        if length is not None and len(body) != length:
            raise SourceError(f"{url}: the server announced {length} bytes but sent {len(body)}: the download "
                              "was cut short; nothing was kept")
        return body, response.headers.get("ETag"), response.headers.get("Last-Modified")


def _read_capped(response, url: str, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        # read1: one socket read at a time, so each chunk is checked as it comes.
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(f"{url}: the download passed the {max_bytes} bytes allowed "
                              "(ORIENTEUR_MAX_DOWNLOAD); stopped")
        chunks.append(chunk)


def _late(url: str, timeout: float) -> SourceError:
    return SourceError(f"{url}: the download did not finish within {timeout:g} s (ORIENTEUR_DOWNLOAD_TIMEOUT); "
                       "stopped, nothing was kept")


def _broken(url: str, exc: Exception, timeout: float) -> SourceError:
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            return SourceError(f"{url}: no answer within {timeout:g} s (ORIENTEUR_DOWNLOAD_TIMEOUT)")
        return SourceError(f"{url}: cannot reach the server: {_reason(exc.reason)}")
    if isinstance(exc, TimeoutError):
        return SourceError(f"{url}: no answer within {timeout:g} s (ORIENTEUR_DOWNLOAD_TIMEOUT)")
    if isinstance(exc, http.client.IncompleteRead):
        return SourceError(f"{url}: the server closed the connection before the end of the body "
                           f"({len(exc.partial)} bytes of the last chunk read, "
                           f"{exc.expected if exc.expected is not None else 'more'} missing); nothing was kept")
    return SourceError(f"{url}: the download broke off: {_reason(exc)}")


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
