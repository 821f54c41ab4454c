"""The dashboards on the embedded SQLite database that `make run` uses when nothing is configured.

The rest of the suite runs on PostgreSQL; this runs the dashboard's independent-count check and the
page itself in a fresh process on a new SQLite file, where the stage medians come from the portal's
own median aggregate rather than PostgreSQL's ``percentile_cont``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client

call_command("migrate", verbosity=0)
assert connection.vendor == "sqlite", connection.vendor

from audits.dashboard import dashboard
from tests.audits import test_dashboard as t
from tests.factories import UserFactory, district

t.build_world(seed=11, size=40)
city = dashboard(t.YEAR, today=t.TODAY)
t.assert_scope(city.total, city, t.expected(None))
for code in t.CODES:
    one = dashboard(t.YEAR, district(code), today=t.TODAY)
    t.assert_scope(one.total, one, t.expected(code))
client = Client()
client.force_login(UserFactory(municipal=True))
response = client.get(f"/municipal/dashboard/?year={t.YEAR}")
assert response.status_code == 200, response.status_code
print("medians", [s.median for s in city.total.stages], "filed", city.total.filed, city.total.filed_on_time)
"""


def test_dashboard_numbers_and_page_on_sqlite(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "testserver",
            "OTP_REQUIRED": "false",
            "ALLOW_INSECURE_TEST_SETTINGS": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    medians = out.stdout.split("medians ", 1)[1]
    # Four stages with applications in each: four medians, none missing.
    assert "None" not in medians.split(" filed")[0], out.stdout
