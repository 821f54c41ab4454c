"""The office's history search on the embedded default (SQLite): the UNION of the seven history tables
with a search, a date range and a second page. SQLite refuses an ORDER BY inside a compound
statement's members, which the historical models' default ordering put there."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
from django.test import Client

from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory

enterprise = EnterpriseFactory(name="历史检索测试企业")
for year in range(2000, 2030):
    ApplicationFactory(enterprise=enterprise, year=year)
client = Client()
client.force_login(UserFactory(municipal=True))
for query in ("", "?enterprise=历史检索", "?enterprise=历史检索&page=2", "?date_from=2026-01-01&date_to=2026-12-31"):
    response = client.get("/municipal/history/" + query)
    assert response.status_code == 200, (query, response.status_code)
assert "历史检索测试企业" in client.get("/municipal/history/?enterprise=历史检索&page=2").content.decode()
print("history ok")
"""


def test_history_search_on_sqlite(tmp_path):
    assert "history ok" in run_embedded(SCRIPT, tmp_path)
