"""#19 point 6: on a 390 px phone the table steps (fiscal years, IP, products, conversions) become labelled
cards: every input keeps a visible label and stays inside the screen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH = 390
CHECKS = {
    "finance": (
        "fiscal_years[0].year",
        "fiscal_years[1].total_assets",
        "fiscal_years[2].rd_expense_domestic",
    ),
    "ip": ("ip[0].kind", "ip[0].title", "ip[1].acquired_on", "ip[2].licence_years"),
    "conversions": ("conversions[0].year", "conversions[0].title"),
    "products": ("products[0].name", "products[0].technology", "products[1].revenue"),
}


def test_table_steps_become_labelled_cards_on_a_phone(browser, artifacts):
    year = timezone.localdate().year
    user = UserFactory(enterprise_user=True, username="phone_ent")
    application = ApplicationFactory(enterprise=user.enterprise, year=year)
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = browser.base_url
    try:
        page.goto(base + reverse("accounts:login"))
        page.get_by_label("用户名").fill("phone_ent")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(base + "/enterprise/")
        for slug, names in CHECKS.items():
            page.goto(base + reverse("certification:application_step", args=[application.pk, slug]))
            try:
                for name in names:
                    field = page.locator(f'[name="{name}"]')
                    label_id = field.get_attribute("id")
                    label = page.locator(f'label[for="{label_id}"]')
                    assert label.is_visible(), name
                    lbox, fbox = label.bounding_box(), field.bounding_box()
                    # Visible to the eye, not only to a screen reader (a 1 px clipped label "is visible"
                    # to Playwright): its whole text is laid out, above or beside its input.
                    assert lbox["width"] >= 24 and lbox["height"] >= 12, (name, lbox)
                    assert page.evaluate(
                        "el => el.scrollWidth <= el.clientWidth + 1 && getComputedStyle(el).clip === 'auto'",
                        label.element_handle(),
                    ), name
                    assert (
                        lbox["y"] + lbox["height"] <= fbox["y"] + 2
                        or lbox["x"] + lbox["width"] <= fbox["x"] + 2
                    )
                    for box in (lbox, fbox):
                        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (name, box)
                    # The input is reachable by its label, as a screen reader or a test would find it.
                    assert page.get_by_label(label.inner_text().strip(), exact=True).nth(0).is_visible()
                # No horizontal scrolling of the page.
                assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
            finally:
                page.screenshot(path=str(artifacts / f"19-6-{slug}-after.png"), full_page=True)
    finally:
        context.close()
