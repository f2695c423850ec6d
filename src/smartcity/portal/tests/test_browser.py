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
    assert page.locator("h1").inner_text() == "Hồ sơ của tôi"
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
