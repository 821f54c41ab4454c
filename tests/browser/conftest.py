from __future__ import annotations

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(live_server, chromium_path):
    """One headless Chromium; tests that play several people open a new context per person."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        browser.base_url = live_server.url  # type: ignore[attr-defined]
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, artifacts):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = browser.base_url  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()
