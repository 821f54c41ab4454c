"""The cadre help ledger's API: a cadre reads and writes only their enterprise; bad input is a 400 with nothing written."""

from __future__ import annotations

import pytest

from cadres.models import DevelopmentData, HelpRecord
from tests.cadres.test_services import DATA

pytestmark = pytest.mark.django_db

URL = "/api/v1/cadres/entries/"
RECORD = {
    "helped_on": "2026-03-02",
    "method": "座谈",
    "channel": "现场",
    "measures": "政策宣讲",
    "hours": "2",
}


def test_the_cadre_lists_their_enterprise_and_adds_a_record(client, entry, cadre):
    client.force_login(cadre)
    body = client.get(URL).json()
    assert [r["id"] for r in body["results"]] == [entry.pk]
    assert body["results"][0]["assignments"][0]["cadre"] == cadre.display_name
    response = client.post(f"{URL}{entry.pk}/records/", RECORD, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["hours"] == "2.0"
    assert [r["measures"] for r in client.get(f"{URL}{entry.pk}/records/").json()["results"]] == ["政策宣讲"]


def test_another_cadre_gets_404_and_nothing_is_written(client, entry, other_cadre):
    client.force_login(other_cadre)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{entry.pk}/").status_code == 404
    assert (
        client.post(f"{URL}{entry.pk}/records/", RECORD, content_type="application/json").status_code == 404
    )
    assert not HelpRecord.objects.exists()


def test_bad_hours_are_a_400_with_a_chinese_message(client, entry, cadre):
    client.force_login(cadre)
    response = client.post(
        f"{URL}{entry.pk}/records/", {**RECORD, "hours": "0"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "帮扶时长" in response.json()["hours"][0]
    assert not HelpRecord.objects.exists()


def test_the_enterprise_enters_development_data(client, entry, owner, cadre):
    client.force_login(owner)
    payload = {"year": 2026, "half": "h1", **DATA}
    response = client.post(f"{URL}{entry.pk}/development/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    bad = client.post(
        f"{URL}{entry.pk}/development/", {**payload, "rd_staff": "5000"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "rd_staff" in bad.json()
    assert DevelopmentData.objects.get().rd_staff == 150
    client.force_login(cadre)
    assert client.get(f"{URL}{entry.pk}/development/").json()["results"][0]["revenue"] == "120000.50"
    assert (
        client.post(f"{URL}{entry.pk}/development/", payload, content_type="application/json").status_code
        == 403
    )
