"""#19 point 10: registration shows every error at once, with an error summary linking to the fields.

A visitor makes three mistakes in one go: a phone number that is not one (the form's shape), a USCC
with a mistyped character (the registration rules) and a password the validators refuse. The page
comes back with all three, a summary box at the top whose links lead to each field, a plain word that
the passwords must be typed again, and a USCC message that does not hand out the check character.
"""

import re

import pytest
from django.core.cache import cache

from accounts.models import User
from core.uscc import make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_all_errors_at_once_with_a_summary_linking_to_the_fields(page, artifacts):
    cache.clear()  # the registration throttle counts this address's earlier registrations (other tests)
    base = page.base_url
    uscc = make_uscc("91120116MA0BRWX02")
    # One character in the middle mistyped (a 1 for a 7): the check fails, the last one is right.
    mistyped = uscc[:10] + ("1" if uscc[10] != "1" else "2") + uscc[11:]
    page.goto(base + "/accounts/register/")
    page.get_by_label("用户名").fill("summary_ent")
    page.get_by_label("电子邮箱").fill("summary@example.com")
    page.locator("#id_password1").fill("12345678901")
    page.locator("#id_password2").fill("12345678901")
    page.get_by_label("企业名称").fill("天津错误汇总测试科技有限公司")
    page.get_by_label("统一社会信用代码").fill(mistyped)
    page.get_by_label("所在区").select_option("120116")
    page.get_by_label("注册日期").fill("2019-05-20")
    page.get_by_label("注册地址").fill("天津市滨海新区测试大道 9 号")
    page.get_by_label("联系人").fill("钱八")
    page.get_by_label("联系电话").fill("电话不详")
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "19-10-after.png"), full_page=True)

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("heading").inner_text().strip() == "提交的内容有问题"
    hrefs = [a.get_attribute("href") for a in summary.locator("a").all()]
    assert {"#id_contact_phone", "#id_uscc", "#id_password1"} <= set(hrefs), hrefs
    # The summary comes first on the page and takes the focus, so a screen reader starts there.
    assert page.locator(".error-summary:focus").count() == 1

    # Every field with a problem says it beside the field, all in the same response.
    for field in ("contact_phone", "uscc", "password1"):
        assert page.locator(f"#id_{field}_errors").is_visible(), field
    uscc_message = page.locator("#id_uscc_errors").inner_text()
    assert "校验" in uscc_message
    assert f"应为 {uscc[-1]}" not in uscc_message and "最后一位应为" not in uscc_message
    assert "逐位核对" in uscc_message

    # The passwords are not sent back: the page says so plainly.
    assert "请重新输入密码和确认密码" in summary.inner_text()
    assert page.locator("#id_password1").input_value() == ""
    assert page.get_by_label("企业名称").input_value() == "天津错误汇总测试科技有限公司"

    # A link of the summary leads to its field.
    summary.locator('a[href="#id_uscc"]').click()
    assert page.url.endswith("#id_uscc")
    assert page.locator("#id_uscc").is_visible()

    # Corrected in one more round, the enterprise is registered.
    page.get_by_label("统一社会信用代码").fill(uscc)
    page.get_by_label("联系电话").fill("022-66668899")
    page.locator("#id_password1").fill("Tianjin-Gaoqi-2026")
    page.locator("#id_password2").fill("Tianjin-Gaoqi-2026")
    page.get_by_role("button", name="注册").click()
    # (The browser keeps the #id_uscc of the summary's link through the redirect.)
    page.wait_for_url(re.compile(r"/enterprise/(#.*)?$"))
    assert User.objects.get(username="summary_ent").enterprise.uscc == uscc
