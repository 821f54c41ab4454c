"""#19 point 13: the districts' filing letter keeps codes whole and names inside their columns.

The letter is rendered through core's PDF renderer with very long enterprise and file names, then read
back with ``pdftotext -layout`` (each USCC and tracking number on one line) and ``pdftotext -bbox``
(every word inside the page's text area, and no file name running into the SHA-256 column).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from core.pdf import render_pdf
from core.uscc import make_uscc

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

A4_WIDTH_PT = 595.28
MARGIN_PT = 18 / 25.4 * 72  # the base template's 18 mm left and right margins

LONG_NAMES = [
    "天津滨海新区超长名称示范用智能制造与工业互联网平台技术研究开发及成果转化服务有限责任公司",
    "天津市和平区很长很长的新一代信息技术与人工智能数据要素流通基础设施建设运营股份有限公司",
    "TianjinExtraordinarilyLongEnglishNamedAdvancedMaterialsTechnologyCoLtd",
]
USCCS = [make_uscc(body) for body in ("91120116MA05K1Y3X", "91120101MA06ABCDE", "91120116MA07QWERT")]
TRACKING = ["YYABCDEFGH23", "YYJKLMNPQR45", "YYSTUVWXYZ67"]
FILE_NAMES = [
    "Annual_Research_and_Development_Expense_Special_Audit_Report_2023-2025_FINAL_signed_and_sealed_v3.pdf",
    "高新技术企业认定申请书系统生成版本已由法定代表人签字并加盖企业公章扫描件第一部分共三部分.pdf",
    "IntellectualPropertyCertificatesInventionPatentsZL2024100000011XandZL2024100000022Y.pdf",
]


def _context() -> dict:
    entries = []
    for i, (name, uscc) in enumerate(zip(LONG_NAMES, USCCS, strict=True)):
        documents = [
            {
                "kind": "audit_report",
                "kind_label": "中介机构出具的专项审计报告",
                "name": f,
                "sha256": f"{i}{j}" * 32,
            }
            for j, f in enumerate(FILE_NAMES)
        ]
        objections = [
            {"tracking_number": TRACKING[i], "status_label": "异议不成立"},
            {"tracking_number": TRACKING[(i + 1) % 3], "status_label": "待核实"},
        ]
        entries.append(
            SimpleNamespace(
                application=SimpleNamespace(enterprise=SimpleNamespace(name=name, uscc=uscc)),
                composite_score="79.50",
                review_deadline=dt.date(2026, 10, 30),
                late=i == 1,
                package_view={"objections": objections, "documents": documents},
            )
        )
    return {
        "filing": SimpleNamespace(pk=4711, district=SimpleNamespace(name="滨海新区")),
        "government": "天津市滨海新区人民政府",
        "entries": entries,
        "late_count": 1,
        "document_count": len(entries) * len(FILE_NAMES),
        "filed_on": dt.date(2026, 10, 20),
    }


def _words(pdf: Path) -> list[dict]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True)
    xhtml = re.sub(r'\sxmlns="[^"]+"', "", out.stdout, count=1)
    root = ElementTree.fromstring(xhtml)
    words = []
    for page_number, page in enumerate(root.iter("page")):
        for w in page.iter("word"):
            words.append(
                {
                    "page": page_number,
                    "text": w.text or "",
                    "x0": float(w.get("xMin")),
                    "x1": float(w.get("xMax")),
                    "y0": float(w.get("yMin")),
                }
            )
    return words


def test_filing_letter_keeps_codes_whole_and_names_inside_their_columns(tmp_path, artifacts):
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(render_pdf("pdf/filing_letter.html", _context()))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    first_page = next(tmp_path.glob("page*.png"))
    shutil.copy(first_page, artifacts / "19-13-after.png")

    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = layout.splitlines()
    for code in USCCS + TRACKING:
        assert any(code in line for line in lines), f"{code} is broken across lines:\n{layout}"

    words = _words(pdf)
    right_edge = A4_WIDTH_PT - MARGIN_PT + 1
    outside = [w["text"] for w in words if w["x1"] > right_edge or w["x0"] < MARGIN_PT - 1]
    assert not outside, f"text outside the page's text area: {outside}"

    # The SHA-256 column starts where the first hash starts; no file name may run into it.
    hash_x = min(w["x0"] for w in words if re.fullmatch(r"[0-9]{8,}", w["text"]))
    name_parts = [
        w for w in words if re.search(r"(Annual|Research|Intellectual|Certificates|sealed|\.pdf)", w["text"])
    ]
    assert name_parts, layout
    overlapping = [w["text"] for w in name_parts if w["x1"] > hash_x - 1]
    assert not overlapping, f"file names run into the SHA-256 column: {overlapping}"
