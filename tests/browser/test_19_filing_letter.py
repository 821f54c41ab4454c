"""#19 point 13 in Chromium: the district official files applications whose enterprise and file names
are very long, downloads the filing letter from the filing's page, and the letter keeps every USCC on one
line and every name inside its column (read back with pdftotext, as tests/districts/test_19_filing_letter.py
reads a letter rendered from a synthetic context)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from certification.models import Document, DocumentKind
from districts.models import Filing
from tests.browser.test_review_flow import login
from tests.districts.test_19_filing_letter import A4_WIDTH_PT, FILE_NAMES, LONG_NAMES, MARGIN_PT, _words
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils"),
]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_filing_letter_downloaded_in_the_browser_keeps_codes_whole(page, artifacts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    official = UserFactory(role="district", district=district("120116"), username="letter_official")
    applications = []
    for i, name in enumerate(LONG_NAMES):
        application = ApplicationFactory(
            enterprise=EnterpriseFactory(name=name, district=district("120116")), status="publicity_passed"
        )
        for j, file_name in enumerate(FILE_NAMES):
            content = PDF + f"{i}-{j}".encode()
            Document.objects.create(
                application=application,
                kind=DocumentKind.AUDIT_REPORT if j == 0 else DocumentKind.IP_PROOF,
                file=ContentFile(content, name="x.pdf"),
                original_name=file_name,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=official,
            )
        applications.append(application)

    login(page, "letter_official")
    page.goto(page.base_url + reverse("districts:filings"))
    for application in applications:
        page.locator(f"#app-{application.pk}").check()
    page.locator('[name="confirm"]').check()
    page.locator('form[action$="/filings/new/"] button[type=submit]').click()
    page.wait_for_load_state()
    filing = Filing.objects.get()
    page.goto(page.base_url + reverse("districts:filing_detail", args=[filing.pk]))
    with page.expect_download() as download:
        page.get_by_test_id("filing-letter").click()
    pdf = tmp_path / "letter.pdf"
    download.value.save_as(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    shutil.copy(next(tmp_path.glob("p*.png")), artifacts / "19-13-browser-after.png")

    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    )
    lines = layout.stdout.splitlines()
    for application in applications:
        uscc = application.enterprise.uscc
        assert any(uscc in line for line in lines), f"{uscc} is broken across lines:\n{layout.stdout}"
    words = _words(pdf)
    right_edge = A4_WIDTH_PT - MARGIN_PT + 1
    outside = [w["text"] for w in words if w["x1"] > right_edge or w["x0"] < MARGIN_PT - 1]
    assert not outside, f"text outside the page's text area: {outside}"
    hashes = [w for w in words if re.fullmatch(r"[0-9a-f]{8,}", w["text"]) and re.search(r"[a-f]", w["text"])]
    assert hashes, layout.stdout
    hash_x = min(w["x0"] for w in hashes)
    names = [
        w for w in words if re.search(r"(Annual|Research|Intellectual|Certificates|sealed|\.pdf)", w["text"])
    ]
    assert names and not [w["text"] for w in names if w["x1"] > hash_x - 1]
