import pytest

from core.uscc import make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_register_log_in_and_see_home_in_chinese(page, artifacts):
    base = page.base_url
    uscc = make_uscc("91120116MA0BRWX01")
    page.goto(base + "/")
    page.screenshot(path=str(artifacts / "foundation-01-landing.png"), full_page=True)
    page.get_by_role("link", name="企业注册").first.click()
    page.get_by_label("用户名").fill("browser_ent")
    page.get_by_label("电子邮箱").fill("browser@example.com")
    page.locator("#id_password1").fill("Browser-Pass-2026")
    page.locator("#id_password2").fill("Browser-Pass-2026")
    page.get_by_label("企业名称").fill("天津浏览器测试科技有限公司")
    # A wrong check character first: the form says why and keeps what was typed.
    page.get_by_label("统一社会信用代码").fill(uscc[:-1] + ("0" if uscc[-1] != "0" else "1"))
    page.get_by_label("所在区").select_option("120116")
    page.get_by_label("注册日期").fill("2019-05-20")
    page.get_by_label("注册地址").fill("天津市滨海新区测试大道 8 号")
    page.get_by_label("联系人").fill("赵六")
    page.get_by_label("联系电话").fill("022-66668888")
    page.get_by_role("button", name="注册").click()
    assert "校验位错误" in page.locator(".field-errors").first.inner_text()
    page.screenshot(path=str(artifacts / "foundation-02-register-error.png"), full_page=True)
    assert page.get_by_label("企业名称").input_value() == "天津浏览器测试科技有限公司"
    page.get_by_label("统一社会信用代码").fill(uscc)
    page.locator("#id_password1").fill("Browser-Pass-2026")
    page.locator("#id_password2").fill("Browser-Pass-2026")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(base + "/enterprise/")
    # Log out and log in again through the login page.
    page.get_by_role("button", name="退出").click()
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("用户名").fill("browser_ent")
    page.locator("#id_password").fill("Browser-Pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + "/enterprise/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "天津浏览器测试科技有限公司"
    who = page.get_by_test_id("who").inner_text()
    assert "赵六" in who and "企业用户" in who and "滨海新区" in who
    assert "待办事项" in page.content()
    page.screenshot(path=str(artifacts / "foundation-03-enterprise-home.png"), full_page=True)
