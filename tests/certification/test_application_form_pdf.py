"""The generated 申请书 (第十条（2）1): its data, its PDF, who may download it, and its query count."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.tokens import issue as issue_token
from certification.applications.data import eligibility_input_for, rule_set_for
from certification.applications.pdf import application_form_context, format_yuan
from certification.eligibility.engine import EligibilityInput, FiscalYear, IPItem, RuleSet, Staff
from certification.eligibility.rules import clear_cache
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationTransition,
    Conversion,
    Field,
    HighTechProduct,
)
from certification.models import IPItem as IPItemRow
from core.pdf import LocalOnlyURLFetcher, page_counter_css, pdf_response
from tests.factories import ApplicationFactory, EnterpriseFactory, pledged, reach

pytestmark = pytest.mark.django_db

ENTERPRISE_NAME = "天津海河智能装备科技有限公司"
IP_TITLE = "一种基于机器视觉的焊缝缺陷检测方法"
PRODUCT_NAME = "智能焊缝检测系统"


def _browser_url(application: Application) -> str:
    return f"/enterprise/applications/{application.pk}/form.pdf"


def _api_url(application: Application) -> str:
    return f"/api/v1/applications/{application.pk}/form-pdf/"


def _add_ip(application: Application, count: int, *, start: int = 0) -> None:
    IPItemRow.objects.bulk_create(
        IPItemRow(
            application=application,
            kind="utility_model",
            title=f"一种检测装置{start + i}",
            number=f"ZL2024200{start + i:05d}",
            acquired_on=dt.date(2024, 1, 1) + dt.timedelta(days=i),
            acquisition="self_developed",
        )
        for i in range(count)
    )


@pytest.fixture
def full_application(enterprise_user) -> Application:
    enterprise = enterprise_user.enterprise
    enterprise.name = ENTERPRISE_NAME
    enterprise.registered_on = dt.date(2019, 5, 20)
    enterprise.save()
    application = ApplicationFactory(
        enterprise=enterprise,
        year=2026,
        field=Field.objects.get(catalogue__in_force=True, code="0803"),
        legal_representative="李建国",
        main_products="焊缝检测系统及配套软件",
        core_technology="基于深度学习的焊缝缺陷识别",
        contact_name="王芳",
        contact_phone="13802200000",
        staff_total=120,
        staff_tech_college=40,
        staff_rd=15,
        rd_management=["project_approval", "rd_accounting", "rd_institution"],
        audit_firm="天津津审会计师事务所有限公司",
        audit_firm_uscc="91120101MA05TEST0X",
        audit_report_number="津审专字〔2026〕第018号",
        audit_report_date=dt.date(2026, 3, 15),
        composite_score=Decimal("72.50"),
    )
    for year, sales, rd in (
        (2023, "30000000.00", "1800000.00"),
        (2024, "38000000.00", "2100000.00"),
        (2025, "45678901.23", "2600000.50"),
    ):
        ApplicationFiscalYear.objects.create(
            application=application,
            year=year,
            sales_revenue=Decimal(sales),
            total_revenue=Decimal(sales) + Decimal("1000000.00"),
            hightech_revenue=Decimal(sales) * Decimal("0.8"),
            rd_expense=Decimal(rd),
            rd_expense_domestic=Decimal(rd),
            total_assets=Decimal("88000000.00") + year,
        )
    IPItemRow.objects.create(
        application=application,
        kind="invention_patent",
        title=IP_TITLE,
        number="ZL202410012345.6",
        acquired_on=dt.date(2024, 6, 18),
        acquisition="self_developed",
    )
    IPItemRow.objects.create(
        application=application,
        kind="software_copyright",
        title="焊缝图像分析软件V2.0",
        number="2025SR0123456",
        acquired_on=dt.date(2025, 2, 1),
        acquisition="exclusive_license",
        licence_years=6,
    )
    IPItemRow.objects.create(
        application=application,
        kind="utility_model",
        title="一种焊缝夹具",
        number="ZL202520000001.1",
        acquired_on=dt.date(2025, 4, 1),
        acquisition="transfer",
        licence_years=3,  # a term that does not count
    )
    Conversion.objects.create(application=application, year=2024, title="焊缝检测样机")
    Conversion.objects.create(application=application, year=2025, title="检测系统量产")
    Conversion.objects.create(application=application, year=2025, title="检测软件上线")
    HighTechProduct.objects.create(
        application=application, name=PRODUCT_NAME, technology="机器视觉", revenue=Decimal("36543120.98")
    )
    return application


def _pdf_text(content: bytes) -> str:
    """The PDF's text layer; a table cell's line breaks are dropped so a wrapped title reads whole."""
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() or "" for page in reader.pages).replace("\n", "")


def _api_client(client, user):
    token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


# --- The PDF itself -----------------------------------------------------------------------------


def test_enterprise_downloads_its_form_in_the_browser(client, enterprise_user, full_application):
    client.force_login(enterprise_user)
    response = client.get(_browser_url(full_application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f'filename="application-form-{full_application.pk}-2026.pdf"' in disposition
    assert (
        "filename*=utf-8''" + quote(f"高新技术企业认定申请书-{ENTERPRISE_NAME}-2026.pdf", safe="")
        in disposition
    )
    content = response.content
    assert content.startswith(b"%PDF-")
    assert int(response["Content-Length"]) == len(content)

    text = _pdf_text(content)
    assert "高新技术企业认定申请书" in text
    assert ENTERPRISE_NAME in text
    assert full_application.enterprise.uscc in text
    assert "45,678,901.23" in text  # money in yuan with thousands separators
    assert "36,543,120.98" in text
    assert IP_TITLE in text
    assert PRODUCT_NAME in text
    assert "李建国" in text
    assert "津审专字〔2026〕第018号" in text
    assert "第九条（三）" in text  # the self-check names its clauses
    assert "法定代表人" in text and "盖章" in text
    assert "第 1 页 共" in text  # footer from CSS counters


def test_api_with_a_token_answers_a_pdf(client, enterprise_user, full_application):
    response = _api_client(client, enterprise_user).get(_api_url(full_application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    assert ENTERPRISE_NAME in text
    assert full_application.enterprise.uscc in text
    assert IP_TITLE in text


def test_api_honours_accept_application_pdf_and_errors_stay_json(client, enterprise_user, full_application):
    api = _api_client(client, enterprise_user)
    ok = api.get(_api_url(full_application), HTTP_ACCEPT="application/pdf")
    assert ok.status_code == 200
    assert ok.content.startswith(b"%PDF-")

    missing = api.get(
        f"/api/v1/applications/{full_application.pk + 10_000}/form-pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert "detail" in missing.json()


def test_a_bare_draft_still_renders(client, enterprise_user):
    application = ApplicationFactory(enterprise=enterprise_user.enterprise)
    client.force_login(enterprise_user)
    response = client.get(_browser_url(application))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "（未填写）" in text
    assert enterprise_user.enterprise.name in text


# --- Who may download it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_enterprise_user", "other_official", "expert_user"])
def test_others_get_404_in_browser_and_api(request, client, full_application, who):
    reach(full_application, "submitted")
    user = pledged(request.getfixturevalue(who))

    client.force_login(user)
    assert client.get(_browser_url(full_application)).status_code == 404
    client.logout()
    response = _api_client(client, user).get(_api_url(full_application))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_anonymous_browser_goes_to_login(client, full_application):
    response = client.get(_browser_url(full_application))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_api_is_401(client, full_application):
    response = client.get(_api_url(full_application))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("who", ["official", "municipal_user"])
def test_officials_see_it_only_once_submitted(request, client, full_application, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(_browser_url(full_application)).status_code == 404
    assert client.get(_api_url(full_application)).status_code == 404  # session auth on the API

    reach(full_application, "submitted")
    browser = client.get(_browser_url(full_application))
    assert browser.status_code == 200
    assert browser.content.startswith(b"%PDF-")
    api = client.get(_api_url(full_application))
    assert api.status_code == 200
    assert api["Content-Type"] == "application/pdf"


def test_only_get_is_allowed(client, enterprise_user, full_application):
    client.force_login(enterprise_user)
    assert client.post(_browser_url(full_application)).status_code == 405


# --- The context and its query count ------------------------------------------------------------


def test_context_formats_money_and_labels(full_application):
    context = application_form_context(full_application)

    assert context["enterprise"]["name"] == ENTERPRISE_NAME
    assert context["enterprise"]["district"] == "滨海新区"
    assert context["field"] == {
        "code": "0803",
        "name": "高性能、智能化仪器仪表",
        "parent_code": "08",
        "parent_name": "先进制造与自动化",
    }
    latest = context["fiscal_years"][-1]
    assert latest["year"] == 2025
    assert latest["amounts"]["sales_revenue"] == Decimal("45678901.23")
    assert isinstance(latest["amounts"]["rd_expense"], Decimal)
    assert latest["cells"][0] == "45,678,901.23"
    assert [i["kind_label"] for i in context["ip_items"]] == ["发明专利", "软件著作权", "实用新型专利"]
    assert [i["licence_years"] for i in context["ip_items"]] == [None, 6, None]
    assert context["ip_items"][1]["acquisition_label"] == "独占许可"
    assert context["conversions"] == [
        {"year": 2024, "count": 1, "titles": ["焊缝检测样机"]},
        {"year": 2025, "count": 2, "titles": ["检测系统量产", "检测软件上线"]},
    ]
    assert [r["held"] for r in context["rd_management"]] == [True, True, False, True, False]
    assert context["products_total"] == Decimal("36543120.98")
    assert context["staff"]["tech_college_ratio"] == "33.3%"
    assert context["staff"]["rd_ratio"] == "12.5%"
    assert context["audit"]["report_date"] == dt.date(2026, 3, 15)
    codes = [c["code"] for c in context["eligibility"]["conditions"]]
    assert codes[0] == "registration" and codes[-1] == "composite_score" and len(codes) == 9
    score = context["eligibility"]["conditions"][-1]
    assert score["passed"] is True and "自评估算" not in score["message"]


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0"), "0.00"),
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("999999999999999.99"), "999,999,999,999,999.99"),
    ],
)
def test_format_yuan(amount, text):
    assert format_yuan(amount) == text


def test_context_query_count_does_not_grow_with_rows(
    full_application, enterprise_user, django_assert_max_num_queries
):
    ApplicationTransition.objects.create(
        application=full_application, to_status="submitted", by=enterprise_user
    )
    with CaptureQueriesContext(connection) as few:
        application_form_context(full_application.pk)
    _add_ip(full_application, 40)
    for year in (2023, 2024, 2025):
        Conversion.objects.create(application=full_application, year=year, title=f"成果{year}")
    HighTechProduct.objects.create(application=full_application, name="第二产品", revenue=Decimal("1.00"))
    ApplicationTransition.objects.create(
        application=full_application, to_status="returned", by=enterprise_user
    )
    with CaptureQueriesContext(connection) as many:
        context = application_form_context(full_application.pk)
    assert len(context["ip_items"]) == 43
    assert len(many) <= len(few)  # the catalogue's codes may now come from the per-process cache

    # Worst case, cold catalogue cache: the application, its 4 row kinds, transitions and their
    # users (with_application_details), and the field codes in force.
    clear_cache()
    with django_assert_max_num_queries(8):
        application_form_context(full_application)


# --- eligibility_input_for / rule_set_for -------------------------------------------------------


def test_eligibility_input_for_maps_the_saved_rows(full_application):
    full_application.submitted_at = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)  # 4/1 01:30 in Beijing
    full_application.save(update_fields=["submitted_at"])
    application = Application.objects.get(pk=full_application.pk)

    inp = eligibility_input_for(application)

    assert isinstance(inp, EligibilityInput)
    assert inp.as_of == dt.date(2026, 4, 1)
    assert inp.registered_on == dt.date(2019, 5, 20)
    assert inp.registered_in_tianjin is True
    assert inp.field_code == "0803"
    assert inp.staff == Staff(total=120, tech_college=40, rd=15)
    assert inp.composite_score == Decimal("72.50") and isinstance(inp.composite_score, Decimal)
    assert inp.score_is_estimate is False
    assert [fy.year for fy in inp.fiscal_years] == [2023, 2024, 2025]
    assert inp.fiscal_years[-1] == FiscalYear(
        year=2025,
        sales_revenue=Decimal("45678901.23"),
        total_revenue=Decimal("46678901.23"),
        hightech_revenue=Decimal("36543120.98"),  # 45678901.23 × 0.8 stored with 2 decimals
        rd_expense=Decimal("2600000.50"),
        rd_expense_domestic=Decimal("2600000.50"),
        total_assets=Decimal("88002025.00"),
    )
    money = [
        getattr(fy, f)
        for fy in inp.fiscal_years
        for f in (
            "sales_revenue",
            "total_revenue",
            "hightech_revenue",
            "rd_expense",
            "rd_expense_domestic",
            "total_assets",
        )
    ]
    assert all(type(m) is Decimal for m in money)
    assert inp.ip == [
        IPItem(
            kind="invention_patent",
            acquired_on=dt.date(2024, 6, 18),
            acquisition="self_developed",
            licence_years=None,
        ),
        IPItem(
            kind="software_copyright",
            acquired_on=dt.date(2025, 2, 1),
            acquisition="exclusive_license",
            licence_years=6,
        ),
        # Only an exclusive licence's term matters (第九条（一）); the public check's parser drops the others.
        IPItem(
            kind="utility_model", acquired_on=dt.date(2025, 4, 1), acquisition="transfer", licence_years=None
        ),
    ]
    assert eligibility_input_for(application, as_of=dt.date(2026, 5, 5)).as_of == dt.date(2026, 5, 5)


def test_eligibility_input_for_a_bare_draft(enterprise_user, time_machine):
    time_machine.move_to("2026-06-30 23:30 +08:00")
    application = ApplicationFactory(enterprise=enterprise_user.enterprise)

    inp = eligibility_input_for(application)

    assert inp.as_of == dt.date(2026, 6, 30)  # today in Beijing, not UTC
    assert inp.staff == Staff(0, 0, 0)  # documented: missing staff numbers count as none
    assert inp.field_code is None
    assert inp.ip == [] and inp.fiscal_years == []
    assert inp.composite_score is None


def test_registered_in_tianjin_follows_the_district(db):
    enterprise = EnterpriseFactory()
    application = ApplicationFactory(enterprise=enterprise)
    assert eligibility_input_for(application).registered_in_tianjin is True


def test_rule_set_for_parses_the_stored_rule_set(full_application):
    rule_set = rule_set_for(full_application)
    assert isinstance(rule_set, RuleSet)
    assert rule_set.code == "tianjin-2015"
    assert rule_set == RuleSet.from_data(full_application.rule_set.data)


# --- core.pdf --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://intranet.example/logo.png",
        "https://cdn.example/x.css",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "ftp://example/x",
    ],
)
def test_fetcher_refuses_anything_but_data_and_static(url):
    with pytest.raises(ValueError):
        LocalOnlyURLFetcher().fetch(url)


def test_a_stray_remote_link_never_hangs_the_render():
    from weasyprint import HTML

    # 10.255.255.1 is unroutable: a real fetch would wait for the timeout; the fetcher refuses at once.
    html = '<p>中文</p><img src="http://10.255.255.1/logo.png"><link rel="stylesheet" href="https://10.255.255.1/x.css">'
    started = time.perf_counter()
    pdf = HTML(string=html, base_url="file:///", url_fetcher=LocalOnlyURLFetcher()).write_pdf()
    assert time.perf_counter() - started < 5
    assert pdf.startswith(b"%PDF-")


def test_fetcher_serves_data_urls_and_static_files():
    data = LocalOnlyURLFetcher().fetch("data:text/plain;base64,5Lit5paH")
    assert data.read() == "中文".encode()
    for url in ("file:///static/img/favicon.svg", "https://portal.example/static/img/favicon.svg"):
        static = LocalOnlyURLFetcher().fetch(url)  # read from disk, never over the network
        assert static.read().lstrip().startswith(b"<")
        assert static.content_type == "image/svg+xml"


def test_page_counter_css_uses_css_counters():
    assert str(page_counter_css()) == '"第 " counter(page) " 页 共 " counter(pages) " 页"'


def test_pdf_response_headers():
    response = pdf_response(b"%PDF-1.7", "申请书 “甲”.pdf", ascii_filename="form 1.pdf")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"form-1.pdf\"; filename*=utf-8''" + quote("申请书 “甲”.pdf", safe="")
    )
    assert response["Cache-Control"] == "private, no-store"
