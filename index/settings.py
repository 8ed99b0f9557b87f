"""One settings object, read from ``ORIENTEUR_*`` environment variables.

Each setting is declared once below (name, default, help) so that the CLI can print
them (``orienteur settings``) and a test can check the README documents them all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SOURCE = PROJECT_ROOT / "data" / "exemple" / "rhinocc-exemple-fictif.csv"
"""The made-up sample bundled with the project, for demonstrations and tests (``data/README.md``)."""
HUB_URL = ("https://raw.githubusercontent.com/multi-coop/data-rhinocc-inclusion/main/"
           "csv/geocoding/rhinocc-inclusion-dataset-geocoded.csv")
"""The RhinOcc hub's published export, at its public URL: the default source, fetched fresh."""
SNAPSHOT = PROJECT_ROOT / "data" / "rhinocc-lieux-2026-11-30.csv"
"""The dated copy of HUB_URL shipped with the code: served when the hub cannot be reached."""


def _default_home() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "orienteur")


def _boolean(raw: str) -> bool:
    """``1/0``, ``true/false``, ``yes/no``, ``on/off``: ``bool("0")`` would be True."""
    folded = raw.strip().lower()
    if folded in ("1", "true", "yes", "on", "oui"):
        return True
    if folded in ("0", "false", "no", "off", "non", ""):
        return False
    raise ValueError(raw)


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    home: str = _setting(_default_home(), "Folder holding the index versions and the 'current' pointer.")
    source: str = _setting(HUB_URL, "Default directory file(s) or URL(s), comma-separated.")
    snapshot: str = _setting(str(SNAPSHOT), "Local file read instead of ORIENTEUR_SOURCE when that is a single "
                                            "URL that cannot be reached (empty: no fallback).")
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING, ERROR.")
    page_size: int = _setting(3, "Places shown per answer.")
    session_ttl: int = _setting(3600, "Seconds a conversation (last search, location) is remembered.")
    max_sessions: int = _setting(10000, "Conversations kept at most (expired ones dropped first, then the "
                                        "least recently used).")
    max_new_sessions: int = _setting(100, "New conversations one client address may start per hour; "
                                          "more are answered without memory.")
    redis_url: str = _setting("", "Redis or Valkey URL (redis://host:6379/0) holding conversations and rate "
                                  "limits for all workers; empty: SQLite in ORIENTEUR_HOME.", True)
    reload_interval: float = _setting(2.0, "Seconds between checks of the index pointer by running services.")
    keep_versions: int = _setting(3, "Index versions kept on disk after a rebuild.")
    max_loss: float = _setting(0.25, "Share of current places a rebuild may lose before it is refused.")
    max_bad_rows: float = _setting(0.2, "Share of unusable rows above which a source is refused.")
    max_download: int = _setting(50_000_000, "Largest source accepted from a URL, in bytes.")
    download_timeout: float = _setting(30.0, "Seconds allowed for fetching a source URL.")
    rebuild_folder: str = _setting("", "Folder whose files POST /admin/rebuild may name as sources, besides "
                                       "ORIENTEUR_SOURCE; none when empty.")
    body_timeout: float = _setting(10.0, "Seconds a client has to send a request body (web chat, admin, "
                                         "webhook) before it is answered 408.")
    host: str = _setting("127.0.0.1", "Address the web chat listens on.")
    port: int = _setting(8080, "Port the web chat listens on.")
    workers: int = _setting(0, "Processes serving the web chat's port; 0: one per core.")
    rate_limit: float = _setting(20.0, "Web chat requests per second allowed per client address (sustained).")
    rate_burst: int = _setting(60, "Web chat requests a client may send at once above the sustained rate.")
    trusted_proxies: str = _setting("", "Comma-separated addresses of reverse proxies whose X-Forwarded-For "
                                        "names the client (e.g. 127.0.0.1 behind nginx).")
    admin_token: str = _setting("", "Bearer token for POST /admin/rebuild and GET /admin/report; both are off when empty.", True)
    telegram_token: str = _setting("", "Telegram bot token from @BotFather.", True)
    telegram_api_url: str = _setting("https://api.telegram.org/bot", "Bot API base URL; the token is appended.")
    webhook_secret: str = _setting("", "Secret token Telegram sends with webhook updates.", True)
    record_asked: bool = _setting(True, "Count what people asked (need, area, day, outcome; never their words) "
                                        "for `orienteur report`.")
    asked_days: int = _setting(90, "Days those counts are kept before they are deleted.")

    def __post_init__(self) -> None:
        """Check values as documented, naming the variable, so a bad one stops a start-up clearly."""
        positive = ("page_size", "session_ttl", "max_sessions", "max_new_sessions", "reload_interval",
                    "keep_versions", "max_download", "download_timeout", "body_timeout", "rate_limit", "rate_burst",
                    "asked_days")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"ORIENTEUR_{name.upper()}={getattr(self, name)!r} must be above 0")
        for name in ("max_loss", "max_bad_rows"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"ORIENTEUR_{name.upper()}={getattr(self, name)!r} must be between 0 and 1")
        if self.workers < 0:
            raise ValueError(f"ORIENTEUR_WORKERS={self.workers!r} must be 0 (one per core) or more")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"ORIENTEUR_PORT={self.port!r} is not a port number")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``ORIENTEUR_<NAME>`` variables, typed by each default; bad values name the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            var = "ORIENTEUR_" + f.name.upper()
            if var not in env:
                continue
            raw = env[var]
            kind = type(f.default)
            try:
                values[f.name] = _boolean(raw) if kind is bool else kind(raw) if kind is not str else raw
            except ValueError:
                raise ValueError(f"{var}={raw!r} is not a valid {kind.__name__}") from None
        values.update(overrides)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """These settings as ``ORIENTEUR_*`` variables, for a child process (``from_env`` reads them back)."""
        return {"ORIENTEUR_" + f.name.upper(): str(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def documented(cls) -> list[tuple[str, Any, str]]:
        """(variable, default, help) for every setting, secrets' defaults included (they are empty)."""
        return [("ORIENTEUR_" + f.name.upper(), f.default, f.metadata["help"]) for f in fields(cls)]

    @property
    def proxies(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.trusted_proxies.split(",") if p.strip())

    @property
    def sessions_path(self) -> Path:
        """The SQLite file of conversations, when no Redis is configured."""
        return Path(self.home).expanduser() / "conversations.sqlite"

    @property
    def sources(self) -> list[str]:
        return [s.strip() for s in self.source.split(",") if s.strip()]
