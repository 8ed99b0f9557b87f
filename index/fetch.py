"""Get a source's bytes and a fingerprint of them, from a path or an http(s) URL.

``fetch(location, known=...)`` returns ``Fetched(location, data, fingerprint)``, or
``Unchanged`` when the content's fingerprint equals ``known`` (the fingerprint the served
index was built from). A file's fingerprint is the SHA-256 of its bytes. A URL is fetched
with the standard library, politely and defensively:

- conditionally (``If-None-Match``/``If-Modified-Since`` from the last answer): a ``304``
  reuses the body kept from then, so ``--force`` can still rebuild from it;
- within ``timeout`` seconds in all (each socket wait and the whole download);
- at most ``max_bytes``: a larger ``Content-Length``, or a body growing past it, is refused.

The last answer of each URL (validators and body) is kept in ``cache_dir``, written under
a temporary name then renamed, so a killed fetch leaves either the old pair or the new one.
Every failure is a ``SourceError`` naming the URL and what went wrong.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from index.errors import SourceError

log = logging.getLogger(__name__)

CHUNK = 65536
USER_AGENT = "orienteur-rebuild/0.1 (+https://github.com/orienteur)"


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
          max_bytes: int = 50_000_000, timeout: float = 30.0) -> Fetched | Unchanged:
    """The source's bytes and fingerprint, or ``Unchanged`` when its fingerprint is ``known``."""
    if is_url(location):
        fetched = _fetch_url(location, cache_dir, max_bytes, timeout)
    else:
        fetched = _read_file(location)
    if known is not None and fetched.fingerprint == known:
        return Unchanged(location, fetched.fingerprint)
    return fetched


def _read_file(location: str) -> Fetched:
    path = Path(location).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None
    return Fetched(location, data, fingerprint_of(data))


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
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise SourceError(f"{url}: the server announces {int(length)} bytes, more than the "
                                  f"{max_bytes} bytes allowed (ORIENTEUR_MAX_DOWNLOAD)")
            body = _read_capped(response, url, max_bytes, deadline, timeout)
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and cached:
            log.info("%s not modified since the last download", url)
            return Fetched(url, cached[1], cached[0]["fingerprint"], not_modified=True)
        raise SourceError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise SourceError(f"{url}: cannot reach the server: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise SourceError(f"{url}: no answer within {timeout:g} s (ORIENTEUR_DOWNLOAD_TIMEOUT)") from None
    except (http.client.HTTPException, ConnectionError, OSError) as exc:
        raise SourceError(f"{url}: the download broke off: {_reason(exc)}") from None
    fingerprint = fingerprint_of(body)
    cache.save({"url": url, "etag": etag, "last_modified": modified, "fingerprint": fingerprint}, body)
    log.info("downloaded %s: %d bytes", url, len(body))
    return Fetched(url, body, fingerprint)


def _read_capped(response, url: str, max_bytes: int, deadline: float, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise SourceError(f"{url}: the download passed the {max_bytes} bytes allowed "
                              "(ORIENTEUR_MAX_DOWNLOAD); stopped")
        if time.monotonic() > deadline:
            raise SourceError(f"{url}: the download took longer than {timeout:g} s (ORIENTEUR_DOWNLOAD_TIMEOUT)")
        chunks.append(chunk)


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
