"""Where the served data comes from, how old it is, and the snapshot read when the hub is down.

The default source is the RhinOcc hub's export at its public URL (``settings.HUB_URL``), so a
rebuild serves the hub's current data. When the configured source (``ORIENTEUR_SOURCE``, not
one named for a single run) is a single URL that cannot be reached, ``fetch_or_fallback`` reads
``ORIENTEUR_SNAPSHOT`` (the dated copy in ``data/``) instead and says why: a fresh install without network still serves the real directory, and a
running one keeps serving it (the snapshot's fingerprint is the served one: "unchanged").
With several sources there is no fallback: the snapshot would stand in for one of them only.

``served_source(meta, today)`` says what the version's ``meta.json`` was built from, its date
(a file's: the ``YYYY-MM-DD`` in its name, as dated snapshots are named, else its modification
day; a URL's: the day it was downloaded) and its age, for ``orienteur status``, ``/api/status``
and the front ends' attribution.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from index.errors import SourceError
from index.fetch import Fetched, is_url

log = logging.getLogger(__name__)

PUBLISHERS = {"rhinocc": "RhinOcc, Hub pour l'inclusion numérique en Occitanie"}
"""Who publishes a directory, by the reader (format) that reads it; others are named by their file."""
SAMPLE_FORMAT_MARK = "exemple"
"""A source whose file name holds this is the made-up sample, attributed as such."""
_DATED_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Fallback:
    """A source URL that could not be reached, and the local file read in its place."""

    url: str
    snapshot: str
    reason: str

    def message(self) -> str:
        return f"{self.reason}; read the snapshot {Path(self.snapshot).name} instead"


def fetch_or_fallback(locations: list[str], fetch_one: Callable[[str], Fetched],
                      snapshot: str) -> tuple[list[Fetched], Fallback | None]:
    """Every source fetched; a lone unreachable URL replaced by ``snapshot`` (the reason kept)."""
    if len(locations) != 1 or not is_url(locations[0]) or not snapshot:
        return [fetch_one(loc) for loc in locations], None
    try:
        return [fetch_one(locations[0])], None
    except SourceError as exc:
        fallback = Fallback(locations[0], snapshot, str(exc))
    log.warning("source unreachable, reading the snapshot: %s", fallback.message())
    try:
        return [fetch_one(snapshot)], fallback
    except SourceError as exc:
        raise SourceError(f"{fallback.reason}; and the snapshot: {exc}") from None


def source_date(location: str, now: datetime | None = None) -> str:
    """The day a source's data stands for (ISO): a dated file name's, a file's last change, a
    download's day."""
    now = now or datetime.now(UTC)
    if is_url(location):
        return now.date().isoformat()
    if match := _DATED_NAME.search(Path(location).name):
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            pass
    try:
        return datetime.fromtimestamp(Path(location).expanduser().stat().st_mtime, UTC).date().isoformat()
    except OSError:
        return now.date().isoformat()


def public_name(location: str) -> str:
    """A source as the public may see it: a URL without credentials or query, a file by its name only."""
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.hostname:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
    return Path(location).name


@dataclass(frozen=True)
class ServedSource:
    """What the served version was built from, for status lines and the attribution."""

    publisher: str
    """Who publishes the data (``PUBLISHERS``), the file's name otherwise; "" for the made-up sample."""
    sources: list[str]
    """Public names of the sources (``public_name``)."""
    date: str
    """ISO day the data stands for (the oldest of the sources')."""
    age_days: int
    fallback: dict | None = None
    """``Fallback`` as a dict when the snapshot stood in for an unreachable URL."""
    sample: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def served_source(meta: dict, today: date | None = None) -> ServedSource:
    """``meta.json``'s account of the sources (dates written by the rebuild; ``built_at`` else)."""
    today = today or datetime.now(UTC).date()
    sources = [s for s in meta.get("sources", []) if isinstance(s, dict)]
    locations = [str(s.get("location", "")) for s in sources]
    dates = meta.get("source_dates") or {}
    built = str(meta.get("built_at") or today.isoformat())[:10]
    days = sorted(str(dates.get(loc) or built) for loc in locations) or [built]
    try:
        day = date.fromisoformat(days[0])
    except ValueError:
        day = today
    names = [public_name(loc) for loc in locations]
    formats = {str(s.get("format", "")) for s in sources}
    sample = bool(names) and all(SAMPLE_FORMAT_MARK in n for n in names)
    publishers = [PUBLISHERS[f] for f in sorted(formats) if f in PUBLISHERS]
    publisher = "" if sample else " ; ".join(publishers) if len(publishers) == len(formats) else ", ".join(names)
    fallback = meta.get("fallback") if isinstance(meta.get("fallback"), dict) else None
    return ServedSource(publisher=publisher, sources=names, date=day.isoformat(),
                        age_days=max(0, (today - day).days), fallback=fallback, sample=sample)
