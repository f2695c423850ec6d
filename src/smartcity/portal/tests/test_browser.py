"""The portal in a real browser: Debian's Chromium driven by Playwright against a live server.

Skipped, with the reason, where /usr/bin/chromium is absent (`make test` installs it with apt when it can).
"""

from __future__ import annotations

import pytest

from smartcity.conftest import BROWSER

pytestmark = BROWSER


def test_the_home_page_speaks_vietnamese_and_switches_to_english(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Cổng dịch vụ công Hà Nội"
    assert page.locator(".brand").inner_text().split() == ["CỔNG", "DỊCH", "VỤ", "CÔNG", "Hà", "Nội"]
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.site-nav a").nth(3).inner_text() == "Track a dossier"


@pytest.fixture
def portal_with_idp(live_server, settings):
    """The portal and the development identity provider on the live server, the portal registered there."""
    from django.core.cache import cache

    from smartcity.identity import services as identity

    settings.OIDC_ISSUER = f"{live_server.url}/idp"
    identity.ensure_demo_client(live_server.url)
    cache.clear()
    yield live_server.url
    cache.clear()


def test_a_citizen_signs_in_with_vneid_sees_their_record_and_who_read_it(page, portal_with_idp, an, officer_ba_dinh):
    from smartcity.identity import services as identity
    from smartcity.population import services as population

    identity.set_idp_password(an.person, "vneid-demo-2026")
    population.lookup_by_id_number(actor=officer_ba_dinh, id_number="001090012345", purpose="Xác minh nơi cư trú")

    page.goto(portal_with_idp + "/")
    page.get_by_role("link", name="Đăng nhập", exact=True).first.click()
    page.locator("#vneid-login").click()
    page.fill("input[name=id_number]", "001090012345")
    page.fill("input[name=password]", "vneid-demo-2026")
    with page.expect_navigation(url=portal_with_idp + "/"):
        page.get_by_role("button", name="Đăng nhập").click()
    account = page.locator(".account-menu summary")
    assert account.inner_text() == "Nguyễn Văn An"

    account.click()
    page.get_by_role("link", name="Thông tin cá nhân", exact=True).click()
    assert page.locator("h1").inner_text() == "Thông tin cá nhân"
    assert "001090012345" in page.content() and "Phường Ba Đình, Thành phố Hà Nội" in page.content()

    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Ai đã xem dữ liệu của tôi").first.click()
    row = page.locator("tbody tr").first
    assert "Ủy ban nhân dân Phường Ba Đình" in row.inner_text()
    assert "Xác minh nơi cư trú" in row.inner_text()


def test_a_citizen_finds_a_procedure_without_typing_diacritics(page, live_server):
    from smartcity.procedures.services import load_catalogue

    load_catalogue()
    page.goto(live_server.url + "/")
    page.fill("#home-q", "dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    assert page.locator("h1").inner_text() == "Đăng ký khai sinh"
    assert "Thành phần hồ sơ" in page.content()


def test_on_a_phone_the_menu_folds_behind_its_button_and_nothing_scrolls_sideways(page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    toggle = page.locator(".menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#site-menu").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    heights = page.locator("#site-menu a, #site-menu select, .menu-toggle").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 44


@pytest.mark.parametrize("who", ["an", "city_admin"])
def test_on_a_desktop_the_signed_in_header_is_one_row(page, live_server, who, request):
    from django.test import Client

    user = request.getfixturevalue(who)
    if who == "city_admin":  # the longest menu: the one-stop desk and the back office too
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator("nav.site-nav a").last.inner_text() == ("Quản trị" if who == "city_admin" else "Thống kê")
    tops = page.locator(".brand, nav.site-nav a, .account-menu summary, #lang-select").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect())")
    assert max(t["bottom"] for t in tops) <= page.locator(".site-header").bounding_box()["height"] <= 72


def test_a_warning_closed_stays_closed_until_a_new_one_opens(page, live_server, monkeypatch):
    from smartcity.environment import services

    warning = {"id": 41, "message": "", "code": "kk", "station": "Trạm", "place": "Phường Ba Đình", "rule": "",
               "parameter": "aqi", "value": 162.0, "opened_at": None}
    monkeypatch.setattr(services, "banner_warnings", lambda: [warning])
    page.goto(live_server.url + "/")
    strip = page.locator(".strip")
    assert strip.is_visible()
    strip.get_by_role("button", name="Ẩn cảnh báo này").click()
    assert not strip.is_visible()
    page.reload()
    assert not page.locator(".strip").is_visible()
    assert page.evaluate("localStorage.getItem('smartcity.warning.41')") == "1"
    monkeypatch.setattr(services, "banner_warnings", lambda: [{**warning, "id": 42}])
    page.reload()
    assert page.locator(".strip").is_visible()


def test_the_api_docs_render_from_our_own_files(page, live_server):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/api/v1/docs")
    assert page.locator("article.api-op").count() > 20
    assert page.locator("#track_by_code, [id*=track]").count() >= 1
    assert outside == []
