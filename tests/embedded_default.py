"""Run code on the embedded default that `make run` starts with: SQLite in a fresh VAR_DIR and the
file-system broker (no DATABASE_URL, no REDIS_URL), in a new process so the suite's PostgreSQL
settings stay untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PREAMBLE = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)
assert connection.vendor == "sqlite", connection.vendor
"""


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME", "TEST_DATABASE_URL", "TEST_REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "VAR_DIR": str(var_dir),
            "ALLOWED_HOSTS": "testserver",
            "OTP_REQUIRED": "false",
            "ALLOW_INSECURE_TEST_SETTINGS": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_embedded(script: str, var_dir: Path, timeout: int = 300) -> str:
    """Migrate a new SQLite database under ``var_dir``, run ``script`` after it; its stdout.

    Fails the calling test with the script's stderr when the script does not exit 0."""
    out = subprocess.run(
        [sys.executable, "-c", PREAMBLE + script],
        cwd=ROOT,
        env=embedded_env(var_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout
