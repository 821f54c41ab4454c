"""The dashboards on the embedded SQLite database that `make run` uses when nothing is configured.

The rest of the suite runs on PostgreSQL; this runs the dashboard's independent-count check and the
page itself in a fresh process on a new SQLite file, where the stage medians come from the portal's
own median aggregate rather than PostgreSQL's ``percentile_cont``, and the cached figures follow a
change through the fingerprint of the history tables."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
from django.test import Client

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
# The cached figures follow a change on SQLite too (the fingerprint of the history tables).
from audits.dashboard import cached_dashboard
from tests.audits import builders as b

before = cached_dashboard(t.YEAR, today=t.TODAY).total.pipeline["submitted"]
b.application("120116", status="submitted", field_code="0101")
assert cached_dashboard(t.YEAR, today=t.TODAY).total.pipeline["submitted"] == before + 1
print("medians", [s.median for s in city.total.stages], "filed", city.total.filed, city.total.filed_on_time)
"""


def test_dashboard_numbers_and_page_on_sqlite(tmp_path):
    stdout = run_embedded(SCRIPT, tmp_path)
    medians = stdout.split("medians ", 1)[1]
    # Four stages with applications in each: four medians, none missing.
    assert "None" not in medians.split(" filed")[0], stdout
