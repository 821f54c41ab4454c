"""The autosave's fallback when the session has expired: what was typed stays in this browser and comes
back after signing in again (static/js/application-form.js), and nothing of it reached the server."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from certification.models import Application
from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, username):
    base = page.base_url
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/enterprise/")


def test_input_typed_after_the_session_expired_is_restored_after_signing_in(page, artifacts):
    user = UserFactory(enterprise_user=True, username="draft_ent")
    application = ApplicationFactory(enterprise=user.enterprise)
    step = page.base_url + reverse("certification:application_step", args=[application.pk, "staff"])
    sign_in(page, "draft_ent")
    page.goto(step)

    # The session ends on the server (time-out, or signed out in another tab) while the page is open.
    Session.objects.all().delete()
    page.locator('[name="staff.total"]').fill("120")
    page.locator('[name="staff.rd"]').fill("15")
    status = page.locator("[data-role=autosave-status]")
    status.filter(has_text="已在本浏览器中保留您的输入").wait_for()
    page.screenshot(path=str(artifacts / "draft-fallback-1-kept.png"), full_page=True)
    application.refresh_from_db()
    assert application.staff_total is None and application.staff_rd is None  # nothing reached the server

    # Signing in again and opening the step brings the input back, and says so.
    sign_in(page, "draft_ent")
    page.goto(step)
    assert page.locator('[name="staff.total"]').input_value() == "120"
    assert page.locator('[name="staff.rd"]').input_value() == "15"
    assert "已恢复您上次未保存的输入" in status.inner_text()
    page.screenshot(path=str(artifacts / "draft-fallback-2-restored.png"), full_page=True)

    # Saving it keeps it on the server and clears the browser's copy.
    page.locator('[name="staff.tech_college"]').fill("40")
    status.filter(has_text="草稿已保存").wait_for()
    assert Application.objects.values_list("staff_total", "staff_rd").get(pk=application.pk) == (120, 15)
    page.reload()
    assert "已恢复" not in status.inner_text()
