"""The operations centre in a real browser (Debian's Chromium): a leader signs in, opens the screen, and an event
appended after the page loaded appears at the top of the feed without a reload; a new summary rewrites a tile."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from smartcity.conftest import BROWSER, PASSWORD
from smartcity.ioc import services

pytestmark = BROWSER

SECRET = "JBSWY3DPEHPK3PXPLEADERAAAAAAAAAA"


@pytest.fixture(autouse=True)
def quick_streams(settings):
    settings.IOC_STREAM_SECONDS = 5
    settings.IOC_STREAM_POLL_MS = 100


def sign_in(page, live_server, user):
    from smartcity.identity import services as identity

    identity.set_staff_totp(user, SECRET)
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.fill("input[name=code]", pyotp.TOTP(SECRET).now())
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_an_event_appended_after_the_page_loaded_appears_in_the_feed_without_reload(page, live_server, leader):
    services.append_event(source_key="before", kind="test", title="Sự kiện cũ")
    sign_in(page, live_server, leader)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/ioc/")
    expect(page.locator("#ioc-live")).to_have_text("Đang nhận sự kiện trực tiếp")
    page.evaluate("window.__notReloaded = true")
    assert page.locator("#ioc-feed li").all_inner_texts()[0].endswith("Sự kiện cũ")

    services.append_event(source_key="after", kind="warning_opened", severity="critical",
                          title="Cảnh báo Lũ vượt báo động II — Trạm Long Biên")
    page.locator("#ioc-feed li.sev-critical", has_text="Trạm Long Biên").wait_for()
    assert page.locator("#ioc-feed li").first.inner_text().endswith("Cảnh báo Lũ vượt báo động II — Trạm Long Biên")
    assert page.evaluate("window.__notReloaded") is True

    # A newer summary than the page's: the stream sends it and the tiles are rewritten in place.
    summary = services.refresh_summary()
    expect(page.locator("#ioc")).to_have_attribute("data-summary", str(summary.pk))
    assert page.locator('.ioc-tile[data-key="reports_open"] [data-part="value"]').inner_text() == "0"  # citizen reports: none open
    assert page.evaluate("window.__notReloaded") is True


def test_the_screen_fits_a_phone_without_sideways_scrolling(page, live_server, leader):
    sign_in(page, live_server, leader)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/ioc/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".ioc-tile").count() == 9
