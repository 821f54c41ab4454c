"""The browser form: each step saves a draft; bad input keeps what was typed and saves nothing."""

import pytest
from django.urls import reverse

from certification.models import Application, ApplicationStatus
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(enterprise_user):
    return ApplicationFactory(enterprise=enterprise_user.enterprise)


def step_url(app, step):
    return reverse("certification:application_step", args=[app.pk, step])


def test_new_application_creates_draft_and_opens_first_step(client, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(reverse("certification:application_new"))
    app = Application.objects.get(enterprise=enterprise_user.enterprise)
    assert response["Location"] == step_url(app, "facts")
    # A second click does not make a second application.
    client.post(reverse("certification:application_new"))
    assert Application.objects.filter(enterprise=enterprise_user.enterprise).count() == 1


def test_facts_step_saves_and_moves_on(client, enterprise_user, app):
    client.force_login(enterprise_user)
    response = client.post(
        step_url(app, "facts"),
        {
            "facts.legal_representative": "张三",
            "field_code": "0101",
            "facts.main_products": "工业软件",
            "facts.core_technology": "",
            "facts.contact_name": "李四",
            "facts.contact_phone": "022-12345678",
            "next": "1",
        },
    )
    assert response.status_code == 302 and response["Location"] == step_url(app, "finance")
    app.refresh_from_db()
    assert app.legal_representative == "张三" and app.field.code == "0101" and app.current_step == "facts"


def test_finance_step_rows_blank_rows_ignored(client, enterprise_user, app):
    client.force_login(enterprise_user)
    post = {"save": "1"}
    for i, year in enumerate((2023, 2024, 2025)):
        post[f"fiscal_years[{i}].year"] = str(year)
    for f, v in (
        ("sales_revenue", "1000000"),
        ("total_revenue", "1200000"),
        ("hightech_revenue", "800000"),
        ("rd_expense", "90000"),
        ("rd_expense_domestic", "80000"),
        ("total_assets", "5000000"),
    ):
        post[f"fiscal_years[2].{f}"] = v
    response = client.post(step_url(app, "finance"), post)
    assert response.status_code == 302
    assert [fy.year for fy in app.fiscal_years.all()] == [2025]


def test_bad_value_shows_error_on_its_input_and_keeps_entries(client, enterprise_user, app):
    client.force_login(enterprise_user)
    post = {
        "fiscal_years[0].year": "2023",
        "fiscal_years[1].year": "2024",
        "fiscal_years[2].year": "2025",
        "save": "1",
    }
    for f, v in (
        ("sales_revenue", "1000000"),
        ("total_revenue", "1200000"),
        ("hightech_revenue", "800000"),
        ("rd_expense", "90000"),
        ("rd_expense_domestic", "95000"),
        ("total_assets", "-5"),
    ):
        post[f"fiscal_years[2].{f}"] = v
    response = client.post(step_url(app, "finance"), post)
    assert response.status_code == 400
    errors = response.context["errors"]
    # Row 0 of the kept rows came from input row 2: errors land on row 2's inputs.
    assert "fiscal_years[2].rd_expense_domestic" in errors
    assert "fiscal_years[2].total_assets" in errors
    html = response.content.decode()
    assert 'value="95000"' in html and 'aria-invalid="true"' in html
    assert not app.fiscal_years.exists()


def test_staff_step_refuses_rd_above_total(client, enterprise_user, app):
    client.force_login(enterprise_user)
    response = client.post(
        step_url(app, "staff"), {"staff.total": "10", "staff.tech_college": "3", "staff.rd": "12"}
    )
    assert response.status_code == 400
    assert "staff.rd" in response.context["errors"]
    app.refresh_from_db()
    assert app.staff_total is None


def test_ip_rows_and_checkboxes(client, enterprise_user, app):
    client.force_login(enterprise_user)
    response = client.post(
        step_url(app, "ip"),
        {
            "ip[0].kind": "invention_patent",
            "ip[0].title": "一种方法",
            "ip[0].number": "ZL1",
            "ip[0].acquired_on": "2025-01-02",
            "ip[0].acquisition": "self_developed",
            "ip[0].licence_years": "",
            "ip[1].kind": "",
            "ip[1].title": "",
            "ip[1].acquired_on": "",
            "ip[1].acquisition": "",
        },
    )
    assert response.status_code == 302
    assert app.ip_items.get().title == "一种方法"
    response = client.post(step_url(app, "rd"), {"rd_management": ["rd_accounting", "project_approval"]})
    app.refresh_from_db()
    assert app.rd_management == ["project_approval", "rd_accounting"]
    page = client.get(step_url(app, "ip")).content.decode()
    assert 'value="一种方法"' in page


def test_autosave_returns_json_with_eligibility(client, enterprise_user, app):
    client.force_login(enterprise_user)
    response = client.post(
        step_url(app, "staff"),
        {"staff.total": "50", "staff.tech_college": "20", "staff.rd": "5"},
        HTTP_X_AUTOSAVE="1",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] is True
    staff = next(c for c in body["eligibility"]["conditions"] if c["code"] == "tech_staff_ratio")
    assert staff["passed"] is True
    bad = client.post(step_url(app, "staff"), {"staff.total": "x"}, HTTP_X_AUTOSAVE="1")
    assert bad.status_code == 400 and bad.json()["saved"] is False and "staff.total" in bad.json()["errors"]


def test_submitted_application_is_read_only(client, enterprise_user):
    app = ApplicationFactory(enterprise=enterprise_user.enterprise, status=ApplicationStatus.SUBMITTED)
    client.force_login(enterprise_user)
    page = client.get(step_url(app, "staff"))
    assert "仅供查看" in page.content.decode()
    response = client.post(
        step_url(app, "staff"), {"staff.total": "50", "staff.tech_college": "20", "staff.rd": "5"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.staff_total is None


@pytest.mark.parametrize("person", ["other_enterprise_user", "official", "expert_user", "municipal_user"])
def test_other_people_cannot_open_steps(client, request, app, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(step_url(app, "facts"))
    assert response.status_code in (403, 404)
    if person == "other_enterprise_user":
        assert response.status_code == 404


def test_anonymous_goes_to_login(client, app):
    response = client.get(step_url(app, "facts"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_step_page_query_count(client, enterprise_user, app, django_assert_max_num_queries):
    client.force_login(enterprise_user)
    client.get(step_url(app, "ip"))
    with django_assert_max_num_queries(20):
        assert client.get(step_url(app, "ip")).status_code == 200


def test_submit_page_lists_missing(client, enterprise_user, app):
    client.force_login(enterprise_user)
    html = client.get(reverse("certification:application_submit", args=[app.pk])).content.decode()
    assert "尚未填写：" in html and "尚未上传：" in html
    response = client.post(reverse("certification:application_submit", args=[app.pk]), {"declare": "1"})
    assert response.status_code == 400
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT


def test_detail_page_shows_status_history_and_eligibility(
    client, enterprise_user, app, django_assert_max_num_queries
):
    from certification.models import ApplicationTransition

    ApplicationTransition.objects.create(
        application=app, from_status="", to_status="draft", by=enterprise_user
    )
    client.force_login(enterprise_user)
    client.get(reverse("certification:application_detail", args=[app.pk]))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("certification:application_detail", args=[app.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "草稿" in html and "认定条件（按已保存数据）" in html and "下载申请书（PDF）" in html


def test_returned_application_shows_the_reasons(client, enterprise_user):
    from certification.models import ApplicationTransition

    app = ApplicationFactory(enterprise=enterprise_user.enterprise, status=ApplicationStatus.RETURNED)
    ApplicationTransition.objects.create(
        application=app,
        from_status="submitted",
        to_status="returned",
        data={"reasons": ["缺少专项审计报告"]},
        note="请补充后重新提交",
    )
    client.force_login(enterprise_user)
    html = client.get(reverse("certification:application_detail", args=[app.pk])).content.decode()
    assert "缺少专项审计报告" in html and "请补充后重新提交" in html


# --- #19: amounts as typed, one bad cell, the self-assessment's pre-fill, the draft's version ---------

AMOUNT_KEYS = (
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_assets",
)


def test_amounts_are_read_as_typed_and_shown_with_separators(client, enterprise_user, app):
    from decimal import Decimal

    client.force_login(enterprise_user)
    post = {"save": "1", "fiscal_years[0].year": "2025"}
    for key, text in zip(
        AMOUNT_KEYS,
        ("18,000,000", "1900万", "１４００００００", "1,800.5万", "100万", "26,000,000.00"),
        strict=True,
    ):
        post[f"fiscal_years[0].{key}"] = text
    assert client.post(step_url(app, "finance"), post).status_code == 302
    fy = app.fiscal_years.get()
    assert (
        fy.sales_revenue,
        fy.total_revenue,
        fy.hightech_revenue,
        fy.rd_expense,
        fy.rd_expense_domestic,
    ) == (
        Decimal("18000000"),
        Decimal("19000000"),
        Decimal("14000000"),
        Decimal("18005000"),
        Decimal("1000000"),
    )
    html = client.get(step_url(app, "finance")).content.decode()
    assert 'value="26,000,000.00"' in html and 'value="18,005,000.00"' in html


def test_one_bad_amount_is_marked_and_the_other_cells_keep_what_was_typed(client, enterprise_user, app):
    client.force_login(enterprise_user)
    post = {"save": "1", "fiscal_years[0].year": "2025"}
    for key in AMOUNT_KEYS:
        post[f"fiscal_years[0].{key}"] = "1800万"
    post["fiscal_years[0].total_assets"] = "两千万"
    response = client.post(step_url(app, "finance"), post)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="f-fiscal_years-0-total_assets-err"' in html
    assert html.count('aria-invalid="true"') == 1  # only the bad cell
    assert html.count('value="1800万"') == 5
    assert 'data-unsaved="1"' in html  # the browser keeps this input as unsaved
    assert not app.fiscal_years.exists()


def test_product_revenue_in_wan(client, enterprise_user, app):
    from decimal import Decimal

    client.force_login(enterprise_user)
    post = {
        "save": "1",
        "products[0].name": "智能网关",
        "products[0].technology": "",
        "products[0].revenue": "1,250万",
    }
    assert client.post(step_url(app, "products"), post).status_code == 302
    assert app.products.get().revenue == Decimal("12500000")


def test_a_new_application_is_prefilled_from_the_saved_self_assessment(client, enterprise_user):
    import datetime as dt

    from django.utils import timezone

    from certification.eligibility import pool

    year = timezone.localdate().year
    pool.pool_join(
        enterprise=enterprise_user.enterprise,
        by=enterprise_user,
        payload={
            "field_code": "0101",
            "staff": {"total": 100, "tech_college": 40, "rd": 15},
            "fiscal_years": [
                {
                    "year": year - 1,
                    "sales_revenue": "18000000",
                    "total_revenue": "19000000",
                    "hightech_revenue": "14000000",
                    "rd_expense": "1500000",
                    "rd_expense_domestic": "1400000",
                    "total_assets": "26000000",
                }
            ],
            "ip": [
                {
                    "kind": "invention_patent",
                    "acquired_on": f"{year - 2}-03-01",
                    "acquisition": "self_developed",
                }
            ],
        },
    )
    client.force_login(enterprise_user)
    assert "将使用您" in client.get(reverse("certification:application_new")).content.decode()
    client.post(reverse("certification:application_new"))
    app = Application.objects.get(enterprise=enterprise_user.enterprise)
    assert app.field.code == "0101"
    assert (app.staff_total, app.staff_tech_college, app.staff_rd) == (100, 40, 15)
    assert list(app.fiscal_years.values_list("year", flat=True)) == [year - 1]
    item = app.ip_items.get()
    assert (item.kind, item.acquired_on, item.title) == ("invention_patent", dt.date(year - 2, 3, 1), "")


def test_without_a_self_assessment_the_new_draft_is_empty(client, enterprise_user):
    client.force_login(enterprise_user)
    assert "将使用您" not in client.get(reverse("certification:application_new")).content.decode()
    client.post(reverse("certification:application_new"))
    app = Application.objects.get(enterprise=enterprise_user.enterprise)
    assert app.field is None and app.staff_total is None and not app.fiscal_years.exists()


def test_the_autosave_answers_the_new_version_of_the_saved_data(client, enterprise_user, app):
    client.force_login(enterprise_user)
    page = client.get(step_url(app, "staff")).content.decode()
    before = page.split('data-saved-version="', 1)[1].split('"', 1)[0]
    response = client.post(
        step_url(app, "staff"),
        {"staff.total": "100", "staff.tech_college": "40", "staff.rd": "15"},
        HTTP_X_AUTOSAVE="1",
    )
    body = response.json()
    assert body["saved"] is True and body["version"] and body["version"] != before
