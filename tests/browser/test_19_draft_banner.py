"""#19 point 8: "已恢复您上次未保存的输入" is shown only when this browser really holds input that differs
from the saved data — not right after a save, not on a fresh load, even when the computer's clock is ahead
of the server's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Application
from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The browser's clock runs five minutes ahead of the server's (common on office PCs).
CLOCK_AHEAD = """
(() => { const real = Date.now.bind(Date); const skew = 5 * 60 * 1000;
  Date.now = () => real() + skew; })();
"""


def test_no_restore_banner_after_a_save_or_on_a_fresh_load(browser, artifacts):
    user = UserFactory(enterprise_user=True, username="banner_ent")
    application = ApplicationFactory(enterprise=user.enterprise, year=timezone.localdate().year)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(CLOCK_AHEAD)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = browser.base_url
    status = page.locator("[data-role=autosave-status]")
    try:
        page.goto(base + reverse("accounts:login"))
        page.get_by_label("用户名").fill("banner_ent")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(base + "/enterprise/")
        staff = base + reverse("certification:application_step", args=[application.pk, "staff"])
        page.goto(staff)
        page.locator('[name="staff.total"]').fill("120")
        page.locator('[name="staff.tech_college"]').fill("40")
        page.locator('[name="staff.rd"]').fill("15")
        page.get_by_role("button", name="保存草稿").click()  # saved before the autosave's timer fires
        page.wait_for_load_state()
        page.locator(".msg-success").wait_for()
        try:
            assert Application.objects.values_list("staff_total", "staff_rd").get(pk=application.pk) == (
                120,
                15,
            )
            assert "已恢复" not in status.inner_text()
        finally:
            page.screenshot(path=str(artifacts / "19-8-after.png"), full_page=True)

        # A fresh load later, and the next step saved with the button: no banner either.
        page.goto(staff)
        assert "已恢复" not in status.inner_text()
        page.goto(base + reverse("certification:application_step", args=[application.pk, "conversions"]))
        page.locator('[name="conversions[0].year"]').fill("2025")
        page.locator('[name="conversions[0].title"]').fill("边缘计算网关产业化")
        page.get_by_role("button", name="保存草稿").click()
        page.locator(".msg-success").wait_for()
        assert "已恢复" not in status.inner_text()
        page.reload()
        assert "已恢复" not in status.inner_text()
        assert page.locator('[name="conversions[0].title"]').input_value() == "边缘计算网关产业化"

        # Input that really was not saved (typed, then the tab closed before the autosave) comes back.
        page.locator('[name="conversions[1].year"]').fill("2024")
        page.goto(base + reverse("certification:application_step", args=[application.pk, "conversions"]))
        assert page.locator('[name="conversions[1].year"]').input_value() == "2024"
        assert "已恢复您上次未保存的输入" in status.inner_text()
    finally:
        context.close()
