"""The whole procedure in Chromium, once in Chinese and once in English, as every person in turn.

register → self-assess → apply → upload → submit → returned → resubmit → accept → draw → five experts
score → opinion → publicity → an objection dismissed → close (clock moved) → file → municipal approval
→ certificate issued → PDF downloaded → verification page.

Each person has a new browser context and signs in through the login page (the test settings have
OTP_REQUIRED=false). Labels and button names are the Chinese message ids, translated with the
catalogue into the language of the run, so the same steps drive the English pages. Inputs are found by
id/name, links by their href or test id, so additions to a page do not break the journey.
Every page is saved as var/test-artifacts/journey-<lang>/NN-<step>.png; in English each page is checked
for Chinese that is not data (names, addresses, what people typed).

One step has no page and says so where it happens: closing the notice is the scheduler's sweep after
the clock is moved past the end of the publicity period. The enterprise's inbox is read once the
certificate is out: it holds a notice of the return, the acceptance, the publicity, the approval and
the certificate.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from certification import workflow
from certification.eligibility import pool
from certification.models import (
    REQUIRED_DOCUMENT_KINDS,
    Application,
    ApplicationStatus,
    Certificate,
    Enterprise,
    Field,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicityNotice,
)
from core.uscc import make_uscc
from districts.models import District, Filing
from experts.models import Expert, ExpertKind, Pledge, Review
from experts.scoring import indicator_bands
from experts.selectors import review_facts
from tests.browser.test_application_flow import MINIMAL_PDF, fill
from tests.factories import PASSWORD, ExpertFactory, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BJ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 9, 14, 9, 0, tzinfo=BJ)  # a Monday; the 2026 calendar is official
CJK = re.compile(r"[\u4e00-\u9fff]")
ENTERPRISE_NAME = "天津全流程科技有限公司"
USERNAME = "journey_ent"
ENTERPRISE_PASSWORD = "Journey-Pass-2026"
RETURN_REASON = "专项审计报告缺少 2023 年度明细，请补充。"
OBJECTION_REASON = "该企业的发明专利系受让取得，并非自主研发，请核实。"
FINDING = "经核实，该专利为企业自主研发，异议不成立。"
OPINION = "经专家评审，同意推荐。"
COMMENT = "材料真实，评分如上。"


class Journey:
    """The people, the language, the screenshots, and the English check of every page."""

    def __init__(self, browser, lang: str, artifacts: Path):
        self.browser = browser
        self.base = browser.base_url
        self.lang = lang
        self.folder = artifacts / f"journey-{lang}"
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0
        self.typed: set[str] = set()
        self.contexts: list = []
        self.untranslated: dict[str, list[str]] = {}

    def t(self, msgid: str) -> str:
        with translation.override(self.lang):
            return translation.gettext(msgid)

    def person(self, username: str | None, password: str = PASSWORD):
        """A new browser context for one person; signed in through the login page unless anonymous."""
        for context in self.contexts:
            context.close()
        locale = "en-US" if self.lang == "en" else "zh-CN"
        context = self.browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        self.contexts = [context]
        page = context.new_page()
        page.set_default_timeout(20000)
        if username is not None:
            page.goto(self.base + reverse("accounts:login"))
            self.shot(page, f"login-{username}")
            page.locator("#id_username").fill(username)
            page.locator("#id_password").fill(password)
            page.get_by_role("button", name=self.t("登录"), exact=True).click()
            page.wait_for_load_state()
            assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        return page

    def type(self, locator, value: str) -> None:
        self.typed.add(value)
        locator.fill(value)

    def data_strings(self) -> list[str]:
        """Chinese that is data, not UI text: names, addresses, titles and what people typed."""
        data = set(self.typed)
        for d in District.objects.all():
            data |= {d.name, d.government_name}
        data |= set(Field.objects.values_list("name", flat=True))
        data |= set(Expert.objects.values_list("name", flat=True))
        data |= set(Expert.objects.values_list("employer", flat=True))
        data |= set(Expert.objects.values_list("title", flat=True))
        data |= set(Enterprise.objects.values_list("name", flat=True))
        data |= set(Enterprise.objects.values_list("address", flat=True))
        data |= set(Enterprise.objects.values_list("contact_name", flat=True))
        data |= set(PublicityNotice.objects.values_list("title", flat=True))
        from accounts.models import User

        data |= set(User.objects.exclude(full_name="").values_list("full_name", flat=True))
        # Notices are written once, in the recipient's notification language (Chinese unless they chose
        # English in their settings): stored text, shown as it was sent.
        from notifications.models import Notification

        for subject, body in Notification.objects.values_list("subject", "body"):
            data.add(subject)
            data |= {line.strip() for line in body.splitlines()}
        data.add("中文")  # the switch back to Chinese
        return sorted((s for s in data if s and CJK.search(s)), key=len, reverse=True)

    def shot(self, page, step: str) -> None:
        page.wait_for_load_state()
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{step}.png"), full_page=True)
        if self.lang == "en":
            assert page.locator("html").get_attribute("lang") == "en", page.url
            text = page.locator("body").inner_text()
            for s in self.data_strings():
                text = text.replace(s, "")
            left = sorted({line.strip() for line in text.splitlines() if CJK.search(line)})
            if left:
                self.untranslated[f"{self.count:02d}-{step}"] = left

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []


def experts_pool(year: int) -> None:
    top = Field.objects.get(catalogue__in_force=True, code="01")
    for i in range(6):
        e = ExpertFactory(
            kind=ExpertKind.TECHNICAL, user__username=f"journey_tech{i}", name=f"全流程技术专家{i}"
        )
        e.fields.add(top)
        Pledge.objects.create(expert=e, year=year)
    for i in range(2):
        e = ExpertFactory(
            kind=ExpertKind.FINANCIAL, user__username=f"journey_fin{i}", name=f"全流程财务专家{i}"
        )
        Pledge.objects.create(expert=e, year=year)


@pytest.mark.parametrize(
    "lang",
    [
        "zh-hans",
        "en",
    ],
)
def test_the_whole_journey(browser, artifacts, lang, tmp_path, settings, time_machine):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": lang}
    }
    time_machine.move_to(START, tick=True)
    j = Journey(browser, lang, artifacts)
    t = j.t
    base = j.base
    binhai = district("120116")
    UserFactory(role="district", district=binhai, username="journey_official", full_name="滨海全流程审查员")
    UserFactory(municipal=True, username="journey_office", full_name="市办全流程审核员")
    experts_pool(START.year)
    uscc = make_uscc("91120116MA0JRNY01")

    # 1. The enterprise registers.
    page = j.person(None)
    page.goto(base + "/")
    j.shot(page, "landing")
    page.goto(base + reverse("accounts:register"))
    page.locator("#id_username").fill(USERNAME)
    page.locator("#id_email").fill("journey@example.com")
    page.locator("#id_password1").fill(ENTERPRISE_PASSWORD)
    page.locator("#id_password2").fill(ENTERPRISE_PASSWORD)
    j.type(page.locator("#id_name"), ENTERPRISE_NAME)
    page.locator("#id_uscc").fill(uscc)
    page.locator("#id_district").select_option("120116")
    page.locator("#id_registered_on").fill("2018-05-20")
    j.type(page.locator("#id_address"), "天津市滨海新区全流程大道 8 号")
    j.type(page.locator("#id_contact_name"), "周七")
    page.locator("#id_contact_phone").fill("022-66668888")
    j.shot(page, "register")
    page.get_by_role("button", name=t("注册"), exact=True).click()
    page.wait_for_url(base + "/enterprise/")
    j.shot(page, "enterprise-home")

    # 2. It signs in again and self-assesses: the candidate pool.
    page = j.person(USERNAME, ENTERPRISE_PASSWORD)
    page.goto(base + reverse("certification:self_assessment"))
    page.locator('[name="field_code"]').select_option("0101")
    fill(page, {"staff.total": "120", "staff.tech_college": "40", "staff.rd": "15"})
    years = [
        ("20000000", "21000000", "15000000", "1200000", "1100000", "20000000"),
        ("28000000", "29000000", "21000000", "1700000", "1600000", "30000000"),
        ("40000000", "41000000", "30000000", "2400000", "2300000", "45000000"),
    ]
    keys = (
        "sales_revenue",
        "total_revenue",
        "hightech_revenue",
        "rd_expense",
        "rd_expense_domestic",
        "total_assets",
    )
    for i, values in enumerate(years):
        fill(page, {f"fiscal_years[{i}].{k}": v for k, v in zip(keys, values, strict=True)})
    page.locator('[name="ip[0].kind"]').select_option("invention_patent")
    fill(page, {"ip[0].acquired_on": "2025-04-01"})
    page.locator('[name="ip[0].acquisition"]').select_option("self_developed")
    page.locator("#sc-submit").click()
    page.wait_for_load_state()
    assert t("自我评价已保存，企业已进入备选库。") in page.locator(".messages").inner_text()
    assert pool.entry_for(Enterprise.objects.get(uscc=uscc)) is not None
    j.shot(page, "self-assessment")

    # 3. It fills the application, uploads the materials, downloads the 申请书 and submits.
    page.goto(base + reverse("certification:application_new"))
    page.get_by_role("button", name=t("开始填写")).click()
    page.wait_for_url("**/step/facts/")
    for name, value in {
        "facts.legal_representative": "周七",
        "facts.main_products": "工业互联网平台",
        "facts.core_technology": "边缘计算与时序数据库",
        "facts.contact_name": "周七",
        "facts.contact_phone": "022-23456789",
    }.items():
        j.type(page.locator(f'[name="{name}"]'), value)
    page.locator('[name="field_code"]').select_option("0101")
    j.shot(page, "step-facts")
    next_step = t("保存并下一步")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/finance/")
    for i, values in enumerate(years):
        fill(page, {f"fiscal_years[{i}].{k}": v for k, v in zip(keys, values, strict=True)})
    j.shot(page, "step-finance")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/staff/")
    fill(page, {"staff.total": "120", "staff.tech_college": "40", "staff.rd": "15"})
    j.shot(page, "step-staff")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/ip/")
    page.locator('[name="ip[0].kind"]').select_option("invention_patent")
    j.type(page.locator('[name="ip[0].title"]'), "一种时序数据压缩方法")
    fill(page, {"ip[0].number": "ZL202410000001.X", "ip[0].acquired_on": "2025-04-01"})
    page.locator('[name="ip[0].acquisition"]').select_option("self_developed")
    j.shot(page, "step-ip")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/conversions/")
    for i, year in enumerate((2023, 2024, 2025)):
        fill(page, {f"conversions[{i}].year": str(year)})
        j.type(page.locator(f'[name="conversions[{i}].title"]'), f"{year} 年平台产品化")
    j.shot(page, "step-conversions")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/rd/")
    for box in page.locator('input[name="rd_management"]').all():
        box.check()
    j.shot(page, "step-rd")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/products/")
    j.type(page.locator('[name="products[0].name"]'), "工业互联网平台")
    j.type(page.locator('[name="products[0].technology"]'), "边缘计算")
    fill(page, {"products[0].revenue": "30000000"})
    j.shot(page, "step-products")
    page.get_by_role("button", name=next_step).click()
    page.wait_for_url("**/step/audit/")
    j.type(page.locator('[name="audit.firm"]'), "天津正信会计师事务所")
    j.type(page.locator('[name="audit.report_number"]'), "津正审字〔2026〕第 018 号")
    fill(page, {"audit.report_date": "2026-03-15"})
    j.shot(page, "step-audit")
    page.get_by_role("button", name=t("保存并上传材料")).click()
    page.wait_for_url("**/documents/")
    pdf = tmp_path / "material.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    for kind in REQUIRED_DOCUMENT_KINDS:
        page.locator(f"#file-{kind.value}").set_input_files(str(pdf))
        page.locator(f"#file-{kind.value}").locator("xpath=..").locator("button[type=submit]").click()
        page.wait_for_load_state()
    j.shot(page, "documents")
    application = Application.objects.get(enterprise__uscc=uscc)
    assert application.documents.count() == len(REQUIRED_DOCUMENT_KINDS)
    page.goto(base + reverse("certification:application_detail", args=[application.pk]))
    j.shot(page, "application")
    with page.expect_download() as download_info:
        page.locator(
            f'a[href="{reverse("certification:application_form_pdf", args=[application.pk])}"]'
        ).click()
    target = j.folder / "application-form.pdf"
    download_info.value.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")

    def submit(page) -> None:
        page.goto(base + reverse("certification:application_submit", args=[application.pk]))
        j.shot(page, "submit")
        for checkbox in page.locator("form.confirm input[type=checkbox]").all():
            checkbox.check()
        page.locator("form.confirm button[type=submit]").click()
        page.wait_for_url(f"**/applications/{application.pk}/submitted/")

    submit(page)
    j.shot(page, "submitted")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # 4. The district returns it with every missing item at once.
    page = j.person("journey_official")
    j.shot(page, "district-home")
    page.goto(base + reverse("districts:queue"))
    j.shot(page, "district-queue")
    page.locator(f'a[href="{reverse("districts:application_detail", args=[application.pk])}"]').first.click()
    page.wait_for_url(f"**/district/applications/{application.pk}/")
    j.shot(page, "district-application")
    j.type(page.locator("#reasons"), RETURN_REASON)
    page.locator(
        f'form[action="{reverse("districts:application_return", args=[application.pk])}"] button'
    ).click()
    page.wait_for_load_state()
    j.shot(page, "returned")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED

    # 5. The enterprise reads why and resubmits.
    page = j.person(USERNAME, ENTERPRISE_PASSWORD)
    page.goto(base + reverse("certification:application_detail", args=[application.pk]))
    assert RETURN_REASON in page.content()
    j.shot(page, "returned-seen-by-enterprise")
    submit(page)
    j.shot(page, "resubmitted")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # 6. The district accepts and draws five experts.
    page = j.person("journey_official")
    page.goto(base + reverse("districts:application_detail", args=[application.pk]))
    accept = page.locator(f'form[action="{reverse("districts:application_accept", args=[application.pk])}"]')
    accept.locator('[name="confirm"]').check()
    accept.locator("button[type=submit]").click()
    page.wait_for_load_state()
    j.shot(page, "accepted")
    draw = page.locator(f'form[action="{reverse("districts:application_draw", args=[application.pk])}"]')
    draw.locator('[name="confirm"]').check()
    draw.locator("button[type=submit]").click()
    page.wait_for_load_state()
    j.shot(page, "drawn")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW and application.review_deadline
    reviews = list(Review.objects.filter(application=application).select_related("expert__user"))
    assert len(reviews) == 5

    # 7. Five experts score inside their bands.
    bands = indicator_bands(review_facts(Application.objects.get(pk=application.pk)))
    for n, review in enumerate(reviews, start=1):
        page = j.person(review.expert.user.username)
        page.goto(base + reverse("experts:review_detail", args=[review.pk]))
        codes = ["growth"] if review.kind == ExpertKind.FINANCIAL else ["ip", "conversion", "rd_management"]
        for code in codes:
            page.locator(f"#id_points_{code}").fill(str(bands[code].max))
        j.type(page.locator("#id_comment"), COMMENT)
        page.locator("input[name=confirm]").check()
        j.shot(page, f"expert-{n}-scoring")
        page.get_by_role("button", name=t("确认提交评分")).click()
        page.wait_for_load_state()
        j.shot(page, f"expert-{n}-scored")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWED and application.composite_score > 60

    # 8. The district reads the scores and recommends.
    page = j.person("journey_official")
    page.goto(base + reverse("districts:application_detail", args=[application.pk]))
    assert str(application.composite_score) in page.get_by_test_id("scores").inner_text()
    page.locator('[name="recommend"][value="1"]').check()
    j.type(page.locator("#opinion-note"), OPINION)
    page.locator(
        f'form[action="{reverse("districts:application_opinion", args=[application.pk])}"] button'
    ).click()
    page.wait_for_load_state()
    j.shot(page, "opinion")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOMMENDED

    # 9. … and publishes the notice: 10 working days from today.
    page.goto(base + reverse("districts:publicity_new"))
    page.locator(f"#app-{application.pk}").check()
    page.locator('[name="confirm"]').check()
    j.shot(page, "publicity-new")
    page.get_by_role("button", name=t("发布公示")).click()
    page.wait_for_url("**/district/publicity/*/")
    notice = PublicityNotice.objects.get(entries__application=application)
    j.shot(page, "notice-published")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PUBLICITY

    # 10. Someone of the public objects under their real name.
    page = j.person(None)
    page.goto(base + reverse("publicity_list"))
    j.shot(page, "public-publicity-list")
    page.locator(f'a[href="{reverse("publicity_notice", args=[notice.pk])}"]').first.click()
    page.wait_for_url(f"**/publicity/{notice.pk}/")
    j.shot(page, "public-notice")
    page.locator(f'a[href^="{reverse("objection_new", args=[notice.pk])}"]').first.click()
    j.type(page.locator("#id_name"), "王五")
    page.locator("#id_phone").fill("13800000000")
    j.type(page.locator("#id_reason"), OBJECTION_REASON)
    j.shot(page, "objection-form")
    page.get_by_role("button", name=t("提交异议")).click()
    page.wait_for_url("**/objection/done/")
    objection = Objection.objects.get(entry__notice=notice)
    assert objection.tracking_number in page.content()
    j.shot(page, "objection-filed")

    # 11. The district finds it unfounded.
    page = j.person("journey_official")
    page.goto(base + reverse("districts:notice_detail", args=[notice.pk]))
    prefix = f"o{objection.pk}"
    page.locator(f'[name="{prefix}-decision"][value="dismissed"]').check()
    j.type(page.locator(f'[name="{prefix}-finding"]'), FINDING)
    page.locator(f'[name="{prefix}-confirm"]').check()
    j.shot(page, "objection-resolving")
    page.get_by_role("button", name=t("提交核实结论")).click()
    page.wait_for_load_state()
    j.shot(page, "objection-dismissed")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED

    # The objector reads the finding with the tracking number.
    page = j.person(None)
    page.goto(base + reverse("objection_track") + f"?number={objection.tracking_number}")
    assert FINDING in page.content()
    j.shot(page, "objection-tracked")

    # 12. Close: no page — the clock moves to the day after the end and the scheduler's sweep (as
    # Celery beat runs it every minute) closes the notice through publicity.notice_close.
    from notifications.sweep import sweep

    time_machine.move_to(
        dt.datetime.combine(notice.end + dt.timedelta(days=1), dt.time(9, 0), tzinfo=BJ), tick=True
    )
    sweep()
    notice.refresh_from_db()
    application.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED
    assert application.status == ApplicationStatus.PUBLICITY_PASSED

    # 13. The district files the result in the name of the district government.
    page = j.person("journey_official")
    page.goto(base + reverse("districts:notice_detail", args=[notice.pk]))
    j.shot(page, "notice-closed")
    page.goto(base + reverse("districts:filings"))
    page.locator(f"#app-{application.pk}").check()
    page.locator('form[action$="/filings/new/"] [name="confirm"]').check()
    j.shot(page, "filing-new")
    page.locator('form[action$="/filings/new/"] button[type=submit]').click()
    page.wait_for_url("**/district/filings/")
    j.shot(page, "filed")
    filing = Filing.objects.get(entries__application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FILED

    # 14. The municipal office approves.
    page = j.person("journey_office")
    page.goto(base + reverse("audits:filings"))
    j.shot(page, "office-filings")
    page.locator(f'a[href="{reverse("audits:filing_detail", args=[filing.pk])}"]').first.click()
    page.wait_for_url(f"**/municipal/filings/{filing.pk}/")
    page.locator(f'[name="decision-{application.pk}"][value="approve"]').check()
    page.locator('[name="confirm"]').check()
    j.shot(page, "office-deciding")
    page.get_by_role("button", name=t("提交审核决定")).click()
    page.wait_for_load_state()
    j.shot(page, "office-approved")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    # 15. The district issues the certificate from the approved application's page, after ticking the
    # confirmation (the browser refuses the form without it).
    page = j.person("journey_official")
    page.goto(base + reverse("districts:application_detail", args=[application.pk]))
    panel = page.get_by_test_id("certify")
    j.shot(page, "district-certify")
    panel.locator('[name="confirm"]').check()
    panel.get_by_role("button", name=t("颁发证书")).click()
    page.wait_for_load_state()
    certificate = Certificate.objects.get(application=application)
    assert certificate.number in page.locator(".messages").inner_text()
    page.goto(base + reverse("districts:certificates"))
    j.shot(page, "district-certificates")

    # 16. The enterprise was told of every step it cares about (in-app; the same rows go out by email)
    # and downloads its certificate.
    page = j.person(USERNAME, ENTERPRISE_PASSWORD)
    page.goto(base + reverse("notifications:inbox"))
    j.shot(page, "enterprise-inbox")
    told = page.get_by_test_id("notifications").inner_text()
    for step in ("return", "accept", "publicise", "approve", "certify"):
        titles = []
        for language in ("zh-hans", "en"):  # written in the enterprise user's language
            with translation.override(language):
                titles.append(
                    workflow.message(workflow.BY_NAME[step], application, "", workflow.Audience.ENTERPRISE)[0]
                )
        assert any(title in told for title in titles), (step, titles)
    page.goto(base + reverse("certification:certificates"))
    j.shot(page, "enterprise-certificates")
    with page.expect_download() as download_info:
        page.get_by_test_id("certificate-download").first.click()
    target = j.folder / "certificate.pdf"
    download_info.value.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")

    # 17. Anyone verifies it: the form, and the page the QR code opens.
    page = j.person(None)
    page.goto(base + reverse("certificate_verify_form"))
    page.locator("#id_number").fill(certificate.number)
    j.shot(page, "verify-form")
    page.get_by_role("button", name=t("核验"), exact=True).click()
    page.wait_for_load_state()
    result = page.get_by_test_id("verify-result")
    assert result.locator("[data-status]").get_attribute("data-status") == "valid"
    assert certificate.number in result.inner_text() and ENTERPRISE_NAME in result.inner_text()
    j.shot(page, "verified")
    page.goto(base + reverse("certificate_verify_page", args=[certificate.number]))
    assert (
        page.get_by_test_id("verify-result").locator("[data-status]").get_attribute("data-status") == "valid"
    )
    j.shot(page, "verify-page")
    page.goto("about:blank")  # no request of the page still open while the test database is dropped
    j.close()
    # In English, no page showed Chinese other than data (collected over the run, so one run lists all).
    assert j.untranslated == {}
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CERTIFIED
    assert j.count >= 40
