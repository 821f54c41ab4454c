"""What the benchmarks share: the bench database, the in-process settings, a port, gunicorn.

The scripts run as ``.venv/bin/python bench/<name>.py``, so this folder is on the import path and
they ``import _server`` (no bench script is named like a standard-library module).

- ``in_process(default_db, **extra)`` for a bench that sets Django up in its own process: puts the
  project on the import path, sets the shared environment (production-like settings, ``DEBUG``
  off, ``DATABASE_URL`` on ``BENCH_DB`` or ``default_db``, ``LOG_LEVEL=WARNING``, plus ``extra``),
  drops ``REDIS_URL`` (local cache), defaults ``VAR_DIR`` to ``var/bench`` and returns the name.
- ``ensure_database(name)`` creates the PostgreSQL database if it is missing (psycopg2).
- ``pick_port(spec)`` a free port of 127.0.0.1: ``"0"`` any, ``"8140"`` exactly that one,
  ``"8140-8149"`` the first free one of the range (``BENCH_PORTS`` is the default spec).
- ``gunicorn(env, port, workers, log_path)`` a context manager: starts ``gunicorn config.wsgi`` in
  its own process group, waits until ``/healthz/`` answers 200, yields the base URL and stops that
  process group (by the pid it started) on the way out, also on an error.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PG_URL = "postgres://postgres:postgres@127.0.0.1:5432"


def in_process(default_db: str, **extra: str) -> str:
    """The environment of an in-process bench (before ``django.setup()``); the database's name."""
    sys.path.insert(0, str(ROOT))
    name = os.environ.get("BENCH_DB", default_db)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": f"{PG_URL}/{name}",
            "LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    return name


def ensure_database(name: str) -> None:
    import psycopg2  # the project's own driver

    conn = psycopg2.connect(host=HOST, port=5432, user="postgres", password="postgres", dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}")
    finally:
        conn.close()


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def pick_port(spec: str | None = None) -> int:
    spec = (spec if spec is not None else os.environ.get("BENCH_PORTS", "0")).strip()
    if spec in ("", "0"):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            return int(s.getsockname()[1])
    low, _, high = spec.partition("-")
    candidates = range(int(low), int(high or low) + 1)
    for port in candidates:
        if _is_free(port):
            return port
    raise SystemExit(f"no free port in {spec}")


def wait_ready(base: str, proc: subprocess.Popen[bytes], seconds: float, log_path: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            raise SystemExit(f"gunicorn exited with {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(base + "/healthz/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
    raise SystemExit(f"gunicorn did not answer /healthz/ within {seconds:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this module started: its own process group, found by its pid."""
    if proc.poll() is not None:
        return
    pgid = os.getpgid(proc.pid)
    os.killpg(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=5)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> Iterator[str]:
    """gunicorn config.wsgi on 127.0.0.1:port; its output goes to log_path (shown on failure)."""
    base = f"http://{HOST}:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi",
                "-b",
                f"{HOST}:{port}",
                "-w",
                str(workers),
                "--log-level",
                "warning",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(base, proc, 60, log_path)
            yield base
        finally:
            stop(proc)
