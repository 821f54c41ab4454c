"""The draw on the embedded default (SQLite, file-system broker) that `make run` starts with.

PostgreSQL serialises draws with an advisory lock, which SQLite does not have; there the settings open
every transaction with BEGIN IMMEDIATE, so a draw holds the database's write lock from its first
statement. Two officials drawing at the same moment must both get their panel: no 500, no
"database is locked", no expert over the workload cap because the two draws read the same counts."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
import threading

from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

from experts.models import Draw, Review
from tests.experts.draw_factories import accepted_application, pool
from tests.factories import UserFactory, district

pool(12, 6)
binhai = district("120116")
official = UserFactory(role="district", district=binhai, username="o1")
token = Token.objects.create(user=official).key
apps = [accepted_application(enterprise__district=binhai) for _ in range(3)]

def draw(app, answers):
    try:
        response = Client().post(
            f"/api/v1/applications/{app.pk}/draw-experts/", {}, content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        answers.append((response.status_code, response.content[:300]))
    finally:
        connections.close_all()

answers = []
draw(apps[0], answers)
assert answers == [(201, answers[0][1])], answers
threads = [threading.Thread(target=draw, args=(app, answers)) for app in apps[1:]]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert [code for code, _ in answers] == [201, 201, 201], answers
assert Draw.objects.count() == 3
assert Review.objects.count() == 15
for app in apps:
    app.refresh_from_db()
    assert app.status == "under_review", app.status
print("drawn", Draw.objects.count())
"""


def test_draws_on_sqlite_one_and_two_at_once(tmp_path):
    assert "drawn 3" in run_embedded(SCRIPT, tmp_path)
