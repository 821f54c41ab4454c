"""Strict parsing of the environment: a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def str(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def bool(self, name: str, default: bool = False) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off."
        )

    def int(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise ImproperlyConfigured(f"{name}={value} is outside {minimum}..{maximum}.")
        return value

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]

    def path(self, name: str, default: Path) -> Path:
        raw = self.environ.get(name, "").strip()
        return Path(raw).expanduser().resolve() if raw else default


def parse_database_url(url: str, *, conn_max_age: int = 60) -> dict:
    """DATABASE_URL → Django DATABASES entry; only PostgreSQL and SQLite are supported."""
    import dj_database_url

    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has an unsupported scheme {scheme!r}: use postgres://user@host:5432/name "
            "or sqlite:///path/to/db.sqlite3."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL names no database: add /name after the host.")
        try:
            config.get("PORT") and int(config["PORT"])
        except ValueError:
            raise ImproperlyConfigured("DATABASE_URL has a port that is not a number.") from None
    elif not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL for SQLite names no file.")
    return config


def parse_redis_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ImproperlyConfigured(f"REDIS_URL={url!r} is not a redis://host:port/db URL.")
    try:
        parsed.port  # noqa: B018 — raises ValueError on a bad port
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_URL={url!r} has a port that is not a number.") from None
    return url


def load_or_create_secret_key(path: Path) -> str:
    """Development only: a random key kept in a git-ignored file so sessions survive restarts."""
    from django.core.management.utils import get_random_secret_key

    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    key = get_random_secret_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key)
    path.chmod(0o600)
    return key
