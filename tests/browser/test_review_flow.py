"""District and experts in Chromium: return → resubmit → accept → draw → five experts score → opinion."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    REQUIRED_DOCUMENT_KINDS,
    Application,
    ApplicationFiscalYear,
    ApplicationStatus,
    Conversion,
    Document,
    HighTechProduct,
    IPItem,
)
from experts.models import ExpertKind, Pledge, Review
from experts.scoring import indicator_bands
from experts.selectors import review_facts
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    EnterpriseFactory,
    ExpertFactory,
    UserFactory,
    district,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def login(page, username):
    base = page.base_url
    page.context.clear_cookies()
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def submitted_application(tmp_path):
    from certification.models import Field

    field = Field.objects.get(catalogue__in_force=True, code="0101")
    enterprise = EnterpriseFactory(
        name="天津评审流程科技有限公司", district=district("120116"), registered_on=dt.date(2018, 5, 1)
    )
    user = UserFactory(role="enterprise", enterprise=enterprise, username="flow_company")
    app = ApplicationFactory(
        enterprise=enterprise,
        status=ApplicationStatus.SUBMITTED,
        field=field,
        staff_total=100,
        staff_tech_college=40,
        staff_rd=12,
        rd_management=["project_approval", "rd_accounting", "rd_institution"],
        audit_firm="天津正信会计师事务所",
        audit_report_number="津正审〔2026〕9号",
        audit_report_date=dt.date(2026, 3, 1),
        submitted_at=timezone.now(),
    )
    for year, sales, assets in (
        (2023, "20000000", "30000000"),
        (2024, "26000000", "39000000"),
        (2025, "34000000", "52000000"),
    ):
        ApplicationFiscalYear.objects.create(
            application=app,
            year=year,
            sales_revenue=Decimal(sales),
            total_revenue=Decimal(sales),
            hightech_revenue=Decimal(sales) * Decimal("0.7"),
            rd_expense=Decimal(sales) * Decimal("0.06"),
            rd_expense_domestic=Decimal(sales) * Decimal("0.05"),
            total_assets=Decimal(assets),
        )
    for i in range(3):
        IPItem.objects.create(
            application=app,
            kind="invention_patent" if i == 0 else "software_copyright",
            title=f"知识产权{i}",
            acquired_on=dt.date(2025, 3, 1),
            acquisition="self_developed",
        )
    HighTechProduct.objects.create(application=app, name="工业互联网平台", revenue=Decimal("24000000"))
    for year in (2023, 2024, 2025):
        for i in range(4):
            Conversion.objects.create(application=app, year=year, title=f"{year} 年成果转化 {i + 1}")
    for kind in REQUIRED_DOCUMENT_KINDS:
        Document.objects.create(
            application=app,
            kind=kind,
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="m.pdf"),
            original_name=f"{kind}.pdf",
            size=15,
            sha256=str(kind)[:8].ljust(64, "0"),
            uploaded_by=user,
        )
    return app


def test_review_in_the_browser(page, artifacts, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = page.base_url
    app = submitted_application(tmp_path)
    UserFactory(
        role="district", district=district("120116"), username="flow_official", full_name="滨海审查员"
    )
    year = timezone.localdate().year
    from certification.models import Field

    top = Field.objects.get(catalogue__in_force=True, code="01")
    for i in range(6):
        e = ExpertFactory(kind=ExpertKind.TECHNICAL, user__username=f"flow_tech{i}", name=f"技术专家{i}")
        e.fields.add(top)
        Pledge.objects.create(expert=e, year=year)
    for i in range(2):
        e = ExpertFactory(kind=ExpertKind.FINANCIAL, user__username=f"flow_fin{i}", name=f"财务专家{i}")
        Pledge.objects.create(expert=e, year=year)

    # 1. The official returns the application with every missing item at once.
    login(page, "flow_official")
    page.goto(base + reverse("districts:queue"))
    page.get_by_role("link", name="天津评审流程科技有限公司").click()
    page.locator("#reasons").fill("专项审计报告缺少 2023 年度明细")
    page.get_by_role("button", name="退回补正（一次告知全部问题）").click()
    page.screenshot(path=str(artifacts / "review-01-returned.png"), full_page=True)
    app.refresh_from_db()
    assert app.status == "returned"

    # 2. The enterprise sees why and resubmits.
    login(page, "flow_company")
    page.goto(base + reverse("certification:application_detail", args=[app.pk]))
    assert "专项审计报告缺少 2023 年度明细" in page.content()
    page.goto(base + reverse("certification:application_submit", args=[app.pk]))
    for checkbox in page.locator("form.confirm input[type=checkbox]").all():
        checkbox.check()
    page.locator("form.confirm button[type=submit]").click()
    page.wait_for_url(f"**/applications/{app.pk}/submitted/")
    app.refresh_from_db()
    assert app.status == "submitted"

    # 3. The official accepts and draws.
    login(page, "flow_official")
    page.goto(base + reverse("districts:application_detail", args=[app.pk]))
    page.get_by_label("材料齐全，确认受理").check()
    page.get_by_role("button", name="受理", exact=True).click()
    page.locator("[data-testid=draw] input[name=confirm]").check()
    page.get_by_role("button", name="随机抽取专家").click()
    page.screenshot(path=str(artifacts / "review-02-drawn.png"), full_page=True)
    app.refresh_from_db()
    assert app.status == "under_review" and app.review_deadline
    reviews = list(Review.objects.filter(application=app).select_related("expert__user"))
    assert len(reviews) == 5

    # 4. Five experts score inside their bands.
    bands = indicator_bands(review_facts(Application.objects.get(pk=app.pk)))
    for review in reviews:
        login(page, review.expert.user.username)
        page.goto(base + reverse("experts:review_detail", args=[review.pk]))
        codes = ["growth"] if review.kind == ExpertKind.FINANCIAL else ["ip", "conversion", "rd_management"]
        for code in codes:
            page.locator(f"#id_points_{code}").fill(str(bands[code].max))
        page.locator("#id_comment").fill("材料真实，评分如上。")
        page.locator("input[name=confirm]").check()
        page.get_by_role("button", name="确认提交评分").click()
        page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "review-03-expert-locked.png"), full_page=True)
    app.refresh_from_db()
    assert app.status == "reviewed" and app.composite_score is not None

    # 4b. A submitted score is sealed for the expert; the official reopens ONE (with a reason and a
    # confirmation), the expert sees why and submits again; the change is on the district's history.
    chair = next(r for r in reviews if r.chair)
    login(page, "flow_official")
    page.goto(base + reverse("districts:application_detail", args=[app.pk]))
    page.locator(f"[data-testid=reopen-{chair.pk}]").click()
    page.locator("#id_reason").fill("知识产权分值与证书不符，请复核")
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="确认重新开放").click()
    page.wait_for_load_state()
    chair.refresh_from_db()
    assert chair.status == "assigned"
    login(page, chair.expert.user.username)
    page.goto(base + reverse("experts:review_detail", args=[chair.pk]))
    assert "知识产权分值与证书不符，请复核" in page.locator("[data-testid=reopened]").inner_text()
    page.locator("#id_points_ip").fill(str(bands["ip"].min))
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="确认提交评分").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "review-03b-resubmitted.png"), full_page=True)
    app.refresh_from_db()
    assert app.status == "reviewed" and app.composite_score is not None

    # 5. The official reads the scores and records the opinion.
    login(page, "flow_official")
    page.goto(base + reverse("districts:application_detail", args=[app.pk]))
    assert str(app.composite_score) in page.locator("[data-testid=scores]").inner_text()
    page.get_by_label("推荐", exact=True).check()
    page.locator("#opinion-note").fill("经专家评审，同意推荐。")
    page.get_by_role("button", name="提交意见").click()
    page.screenshot(path=str(artifacts / "review-04-opinion.png"), full_page=True)
    app.refresh_from_db()
    assert app.status == "recommended" and app.review_passed is True
    assert app.opinion_recommend is True
    assert "知识产权分值与证书不符，请复核" in page.content()  # the amendment on the district's history

    # 6. The enterprise sees the stage and the final composite, never an expert's name.
    login(page, "flow_company")
    page.goto(base + reverse("certification:application_detail", args=[app.pk]))
    html = page.content()
    assert "评审专家组" in html and str(app.composite_score) in html
    for review in reviews:
        assert review.expert.name not in html and review.expert.user.username not in html
