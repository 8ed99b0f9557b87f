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
SAMPLE_SOURCE = PROJECT_ROOT / "data" / "rhinocc-exemple.csv"
"""The made-up sample bundled with the project: the default source of a first run."""


def _default_home() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "orienteur")


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    home: str = _setting(_default_home(), "Folder holding the index versions and the 'current' pointer.")
    source: str = _setting(str(SAMPLE_SOURCE), "Default directory file(s) or URL(s), comma-separated.")
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
    host: str = _setting("127.0.0.1", "Address the web chat listens on.")
    port: int = _setting(8080, "Port the web chat listens on.")
    workers: int = _setting(0, "Processes serving the web chat's port; 0: one per core.")
    rate_limit: float = _setting(20.0, "Web chat requests per second allowed per client address (sustained).")
    rate_burst: int = _setting(60, "Web chat requests a client may send at once above the sustained rate.")
    trusted_proxies: str = _setting("", "Comma-separated addresses of reverse proxies whose X-Forwarded-For "
                                        "names the client (e.g. 127.0.0.1 behind nginx).")
    admin_token: str = _setting("", "Bearer token for POST /admin/rebuild; the endpoint is off when empty.", True)
    telegram_token: str = _setting("", "Telegram bot token from @BotFather.", True)
    telegram_api_url: str = _setting("https://api.telegram.org/bot", "Bot API base URL; the token is appended.")
    webhook_secret: str = _setting("", "Secret token Telegram sends with webhook updates.", True)

    def __post_init__(self) -> None:
        """Check values as documented, naming the variable, so a bad one stops a start-up clearly."""
        positive = ("page_size", "session_ttl", "max_sessions", "max_new_sessions", "reload_interval",
                    "keep_versions",
                    "max_download", "download_timeout", "rate_limit", "rate_burst")
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
                values[f.name] = kind(raw) if kind is not str else raw
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
