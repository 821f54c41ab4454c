"""Concurrent accepts and submits on the embedded default (SQLite): each request waits for the write
lock (BEGIN IMMEDIATE, 20 s busy timeout) instead of failing with "database is locked" (a 500)."""

from __future__ import annotations

from tests.embedded_default import run_embedded

SCRIPT = """
import threading

from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

from certification.models import Application
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district

binhai = district("120116")
official = UserFactory(role="district", district=binhai, username="o1")
official_token = Token.objects.create(user=official).key
submitted = [ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="submitted") for _ in range(4)]

answers = []

def post(url, token):
    try:
        response = Client().post(url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        answers.append((url, response.status_code))
    finally:
        connections.close_all()

threads = [
    threading.Thread(target=post, args=(f"/api/v1/applications/{app.pk}/accept/", official_token))
    for app in submitted
]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert sorted(code for _, code in answers) == [200] * 4, answers
assert set(Application.objects.values_list("status", flat=True)) == {"accepted"}
print("accepted", len(answers))
"""


def test_concurrent_accepts_on_sqlite(tmp_path):
    assert "accepted 4" in run_embedded(SCRIPT, tmp_path)
