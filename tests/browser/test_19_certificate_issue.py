"""#19, point 1, in Chromium: after the office approves, the district official issues the certificate
from the pages where they look for it: one from the approved application's page, the others as a batch
from the certificates page (a list of approved applications awaiting a certificate), each with a
confirmation; the batch then goes straight to the batch print."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certification.models import Application, Certificate
from tests.browser.test_review_flow import login
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAMES = ("天津发证一号科技有限公司", "天津发证二号科技有限公司", "天津发证三号科技有限公司")


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"19-1-{name}.png"), full_page=True)


def test_official_issues_one_certificate_then_a_batch(page, artifacts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(
        role="district", district=district("120116"), username="issue_official", full_name="滨海发证员"
    )
    single, *batch = (
        ApplicationFactory(
            enterprise=EnterpriseFactory(name=name, district=district("120116")), status="approved"
        )
        for name in NAMES
    )
    # Another district's approved application is not this official's to issue.
    ApplicationFactory(
        enterprise=EnterpriseFactory(name="天津和平区某科技有限公司", district=district("120101")),
        status="approved",
    )
    base = page.base_url

    login(page, "issue_official")
    page.goto(base + reverse("districts:certificates"))
    awaiting = page.get_by_test_id("awaiting-certificates")
    shot(page, artifacts, "certificates-awaiting")
    text = awaiting.inner_text()
    assert all(name in text for name in NAMES) and "天津和平区某科技有限公司" not in text

    # One certificate, from the approved application's page, after a confirmation.
    page.goto(base + reverse("districts:application_detail", args=[single.pk]))
    panel = page.get_by_test_id("certify")
    panel.get_by_role("button", name="颁发证书").click()
    single.refresh_from_db()
    assert single.status == "approved"  # the browser refuses the form until the box is ticked
    panel.get_by_label("确认颁发", exact=False).check()
    panel.get_by_role("button", name="颁发证书").click()
    page.wait_for_load_state()
    certificate = Certificate.objects.get(application=single)
    assert f"已颁发证书 {certificate.number}" in page.locator(".messages").inner_text()
    assert Application.objects.get(pk=single.pk).status == "certified"
    assert page.get_by_role("link", name="下载证书（PDF）").count() == 1
    shot(page, artifacts, "single-issued")

    # The others as a batch from the certificates page: two ticked, confirmed, issued, then printed.
    page.goto(base + reverse("districts:certificates"))
    awaiting = page.get_by_test_id("awaiting-certificates")
    assert NAMES[0] not in awaiting.inner_text()
    for application in batch:
        awaiting.locator(f"#issue-{application.pk}").check()
    awaiting.get_by_label("确认为选中的申请颁发证书", exact=False).check()
    awaiting.get_by_role("button", name="颁发证书").click()
    page.wait_for_url("**/district/certificates/batch/**")
    issued = list(Certificate.objects.filter(application__in=batch).order_by("number"))
    assert len(issued) == 2
    assert "已颁发 2 份证书" in page.locator(".messages").inner_text()
    rows = page.get_by_test_id("batch-certificates").inner_text()
    assert all(c.number in rows for c in issued)
    assert page.locator("input[name=certificates]:checked").count() == 2
    page.screenshot(path=str(artifacts / "19-1-after.png"), full_page=True)
    page.get_by_role("button", name="生成打印文件（2 份）").click()
    page.wait_for_url("**/district/certificates/batch/*/")
    assert page.get_by_role("heading").first.is_visible()

    page.goto(base + reverse("districts:certificates"))
    assert "没有等待颁发证书的申请" in page.get_by_test_id("awaiting-certificates").inner_text()
    assert all(c.number in page.get_by_test_id("certificates").inner_text() for c in issued)
    page.goto("about:blank")
