"""Targets per district and year; the SVG charts (pure)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from audits.models import Target
from audits.services.office import target_set
from core.charts import Series, bar_chart, line_chart, nice_max
from core.errors import DomainPermissionDenied, InvalidInput
from tests.factories import district

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def test_office_sets_targets_per_district_and_year(client, municipal_user):
    client.force_login(municipal_user)
    page = client.get("/municipal/targets/", {"year": 2017})
    body = page.content.decode()
    assert (
        page.status_code == 200 and "1500" in body and "500" in body
    )  # the city-wide anchors, shown as a note
    assert not Target.objects.exists()  # … not rows
    response = client.post(
        "/municipal/targets/",
        {
            "year": 2026,
            "certified-120116": "30",
            "pool-120116": "80",
            "certified-120101": "8",
            "pool-120101": "20",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    assert {(t.district.code, t.certified_target, t.pool_target) for t in Target.objects.all()} == {
        ("120116", 30, 80),
        ("120101", 8, 20),
    }
    # A change keeps the old value in the history.
    client.post("/municipal/targets/", {"year": 2026, "certified-120116": "35", "pool-120116": "80"})
    target = Target.objects.get(year=2026, district=district("120116"))
    assert target.certified_target == 35
    assert [h.certified_target for h in target.history.order_by("history_date")] == [30, 35]
    assert target.history.latest().history_user == municipal_user


def test_a_bad_row_saves_nothing(client, municipal_user):
    client.force_login(municipal_user)
    response = client.post(
        "/municipal/targets/",
        {"year": 2026, "certified-120116": "30", "pool-120116": "80", "certified-120101": "abc"},
    )
    assert response.status_code == 400 and "请同时填写" in response.content.decode()
    assert not Target.objects.exists()


def test_targets_are_the_offices(client, official):
    client.force_login(official)
    assert client.get("/municipal/targets/").status_code == 403
    with pytest.raises(DomainPermissionDenied):
        target_set(by=official, year=2026, district=district("120116"), certified_target=1, pool_target=1)


def test_target_values_are_checked(municipal_user):
    with pytest.raises(InvalidInput) as exc:
        target_set(
            by=municipal_user, year=2014, district=district("120116"), certified_target=-1, pool_target=True
        )
    assert set(exc.value.errors) == {"year", "certified_target", "pool_target"}


# --- Charts ------------------------------------------------------------------------------------


def test_nice_axis():
    assert nice_max(0) == (1.0, 1.0)
    assert nice_max(17) == (20, 5)
    assert nice_max(1500) == (1500, 500)
    assert nice_max(3) == (3, 1)


def test_bar_chart_is_valid_svg_with_titles_and_escaped_text():
    svg = bar_chart(
        title="各区 <比较>",
        labels=["滨海新区", "和平区 & 河西"],
        series=[Series("已认定", [12, 3]), Series("目标", [20, None])],
    )
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "各区 <比较>"
    tips = [t.text for t in root.iter(f"{SVG}title")][1:]
    assert "滨海新区 · 已认定：12" in tips and "和平区 & 河西 · 目标：—" in tips
    assert len(root.findall(f".//{SVG}rect")) >= 4
    assert "<script" not in svg and not re.search(r"\son\w+=", svg)


def test_line_chart_draws_each_series_with_point_tooltips():
    svg = line_chart(
        title="累计",
        labels=[f"{m}月" for m in range(1, 13)],
        series=[Series("累计认定", list(range(12))), Series("目标", [15] * 12)],
    )
    root = ET.fromstring(str(svg))
    assert len(root.findall(f".//{SVG}polyline")) == 2
    assert len(root.findall(f".//{SVG}circle")) == 24
    assert "3月 · 累计认定：2" in [t.text for t in root.iter(f"{SVG}title")]
    labelled = root.get("aria-labelledby").split()
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert set(labelled) <= ids
