"""#19 point 14: certificate verification has one name, 证书核验, in every template, view, title,
PDF and API string; none of the other names (证书查询, 证书验证, 验证证书, 查询证书, 核验证书) is left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OTHER_NAMES = re.compile(r"证书查询|证书验证|验证证书|查询证书|核验证书|证书真伪")
SCANNED = (
    "templates",
    "certification",
    "accounts",
    "audits",
    "districts",
    "experts",
    "notifications",
    "docs",
)


def test_one_name_for_certificate_verification():
    found = []
    for top in SCANNED:
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in {".html", ".py", ".md", ".txt"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if OTHER_NAMES.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


@pytest.mark.django_db
def test_the_verify_page_and_the_home_page_use_the_name(client):
    page = client.get("/verify/").content.decode()
    assert "<title>证书核验" in page and page.count("证书核验") >= 3
    assert "证书核验" in client.get("/").content.decode()
