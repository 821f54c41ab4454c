"""#19 point 4: what the enterprise saved in its self-assessment (field, staff, fiscal years, IP) pre-fills a
new application, and the self-check and the application count core IP over the same window on the same day."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.eligibility import pool
from certification.models import Application
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username):
    base = page.base_url
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/enterprise/")


def core_ip_message(page):
    return page.locator("#eligibility-panel li", has_text="第九条（一）").first.inner_text()


def test_self_assessment_prefills_the_new_application_and_both_count_the_same_ip_window(page, artifacts):
    year = timezone.localdate().year
    window = f"{year - 3}–{year - 1}"  # the three fiscal years before the year of the check
    user = UserFactory(enterprise_user=True, username="prefill_ent")
    payload = {
        "field_code": "0101",
        "staff": {"total": 100, "tech_college": 40, "rd": 15},
        "fiscal_years": [
            {
                "year": y,
                "sales_revenue": str(18_000_000 + i * 1_000_000),
                "total_revenue": str(19_000_000 + i * 1_000_000),
                "hightech_revenue": "14000000",
                "rd_expense": "1500000",
                "rd_expense_domestic": "1400000",
                "total_assets": "26000000",
            }
            for i, y in enumerate(range(year - 3, year))
        ],
        "ip": [
            {"kind": "invention_patent", "acquired_on": f"{year - 3}-03-01", "acquisition": "self_developed"},
            {
                "kind": "software_copyright",
                "acquired_on": f"{year - 2}-06-15",
                "acquisition": "exclusive_license",
                "licence_years": 6,
            },
        ],
    }
    entry = pool.pool_join(enterprise=user.enterprise, by=user, payload=payload)
    core_ip = next(c for c in entry.result["conditions"] if c["code"] == "core_ip")
    assert window in core_ip["message"]  # the self-check's window

    sign_in(page, "prefill_ent")
    page.goto(page.base_url + reverse("certification:application_new"))
    page.get_by_role("button", name="开始填写").click()
    page.wait_for_url("**/step/facts/")
    application = Application.objects.get(enterprise=user.enterprise)
    step = lambda slug: page.base_url + reverse("certification:application_step", args=[application.pk, slug])  # noqa: E731
    try:
        # The application's panel counts IP over the same years as the self-check did.
        assert page.locator('[name="field_code"]').input_value() == "0101"
        assert window in core_ip_message(page)
        page.goto(step("staff"))
        assert [
            page.locator(f'[name="staff.{k}"]').input_value() for k in ("total", "tech_college", "rd")
        ] == [
            "100",
            "40",
            "15",
        ]
        page.goto(step("finance"))
        years = [page.locator(f'[name="fiscal_years[{i}].year"]').input_value() for i in range(3)]
        assert years == [str(y) for y in range(year - 3, year)]
        assert page.locator('[name="fiscal_years[0].sales_revenue"]').input_value().replace(",", "") in (
            "18000000",
            "18000000.00",
        )
        page.goto(step("ip"))
        assert page.locator('[name="ip[0].kind"]').input_value() == "invention_patent"
        assert page.locator('[name="ip[0].acquired_on"]').input_value() == f"{year - 3}-03-01"
        assert page.locator('[name="ip[1].acquisition"]').input_value() == "exclusive_license"
        assert page.locator('[name="ip[1].licence_years"]').input_value() == "6"
    finally:
        page.screenshot(path=str(artifacts / "19-4-after.png"), full_page=True)


def test_a_fresh_draft_counts_ip_over_the_same_window_as_the_self_check(page, artifacts):
    """Nothing entered yet: the draft's panel still names the three fiscal years before this year."""
    year = timezone.localdate().year
    UserFactory(enterprise_user=True, username="fresh_ent")
    sign_in(page, "fresh_ent")
    page.goto(page.base_url + reverse("certification:application_new"))
    page.get_by_role("button", name="开始填写").click()
    page.wait_for_url("**/step/facts/")
    message = core_ip_message(page)
    page.screenshot(path=str(artifacts / "19-4-fresh-draft-after.png"), full_page=True)
    assert f"{year - 3}–{year - 1}" in message, message
