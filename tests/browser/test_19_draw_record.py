"""#19, point 12, in Chromium: the irreversible draw asks for a confirmation first; its record is a page
(printable, the PDF linked beside it); and the record lists as many alternates as it says it drew —
here the pool has fewer eligible experts than the rules' alternates, and the record says so."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certification.models import Application
from experts.models import Draw
from tests.browser.test_review_flow import login
from tests.experts.draw_factories import accepted_application, pool
from tests.factories import EnterpriseFactory, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENTERPRISE_NAME = "天津抽取记录科技有限公司"
ALTERNATES = re.compile(r"候补专家：技术专家 (\d+) 名、财务专家 (\d+) 名")


def test_draw_confirmed_and_its_record_page(page, artifacts, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(
        role="district", district=district("120116"), username="draw_official", full_name="滨海抽取员"
    )
    # 5 technical + 1 financial eligible: a panel of 4 + 1, one technical alternate and no financial one,
    # where the rules ask for 2 + 1.
    pool(5, 1)
    application = accepted_application(
        enterprise=EnterpriseFactory(name=ENTERPRISE_NAME, district=district("120116"))
    )
    base = page.base_url

    login(page, "draw_official")
    page.goto(base + reverse("districts:application_detail", args=[application.pk]))
    panel = page.get_by_test_id("draw")
    # The draw cannot be undone: without the confirmation nothing is drawn.
    panel.get_by_role("button", name="随机抽取专家").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "19-12-unconfirmed.png"), full_page=True)
    assert not Draw.objects.filter(application=application).exists()
    panel.get_by_label("我已核对评审方式", exact=False).check()
    page.screenshot(path=str(artifacts / "19-12-confirm.png"), full_page=True)
    panel.get_by_role("button", name="随机抽取专家").click()
    page.wait_for_load_state()
    draw = Draw.objects.get(application=application)
    assert Application.objects.get(pk=application.pk).status == "under_review"

    # The record is a page, linked from the application, with the PDF beside it.
    page.get_by_role("link", name="查看抽取记录").click()
    page.wait_for_url(f"**/district/draws/{draw.pk}/")
    record = page.get_by_test_id("draw-record")
    text = record.inner_text()
    assert ENTERPRISE_NAME in text and draw.seed in text
    assert page.get_by_test_id("panel-row").count() == 5
    promised = ALTERNATES.search(text)
    assert promised is not None, text
    listed = page.get_by_test_id("alternate-row")
    assert listed.count() == int(promised.group(1)) + int(promised.group(2)) == len(draw.alternates) == 1
    assert "规则要求技术专家 2 名、财务专家 1 名" in text and "可抽取的财务专家不足" in text
    page.screenshot(path=str(artifacts / "19-12-after.png"), full_page=True)

    # Printable: the print stylesheet hides the header, the links and the buttons.
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.get_by_test_id("record-actions").is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_test_id("record-actions").get_by_role("link", name="下载抽取记录（PDF）").click()
    target = artifacts / "19-12-draw-record.pdf"
    download_info.value.save_as(str(target))
    pdf_text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(target.read_bytes())).pages
    )
    assert "候补专家：技术专家1名、财务专家0名" in pdf_text
    page.goto("about:blank")
