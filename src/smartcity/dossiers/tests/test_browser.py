"""A citizen in a real browser (Debian's Chromium): signs in with the demo VNeID, opens a dossier waiting for its
fee, pays in the sandbox gateway and sees the dossier move on; then downloads a signed result and rates it."""

from __future__ import annotations

import pytest

from smartcity.conftest import BROWSER
from smartcity.dossiers import services
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.portal.tests.test_browser import portal_with_idp  # noqa: F401  (a fixture)

pytestmark = BROWSER


@pytest.fixture(autouse=True)
def media(settings, tmp_path, live_server):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    settings.PAYMENT_GATEWAY_URL = f"{live_server.url}/thanh-toan/sandbox/paymentv2/vpcpay.html"
    settings.PAYMENT_RETURN_URL = f"{live_server.url}/thanh-toan/ket-qua/"
    load_catalogue()


def sign_in(tab, base):
    tab.goto(base + "/")
    tab.get_by_role("link", name="Đăng nhập", exact=True).first.click()
    tab.locator("#vneid-login").click()
    tab.fill("input[name=id_number]", "001090012345")
    tab.fill("input[name=password]", "vneid-demo-2026")
    with tab.expect_navigation(url=base + "/"):
        tab.get_by_role("button", name="Đăng nhập").click()


def test_a_citizen_pays_the_fee_online_and_the_dossier_moves_on(page, portal_with_idp, an,  # noqa: F811
                                                                officer_ba_dinh):
    from smartcity.identity import services as identity

    identity.set_idp_password(an.person, "vneid-demo-2026")
    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    services.apply_operation(user=officer_ba_dinh, code=code, operation="request_payment")

    sign_in(page, portal_with_idp)
    page.goto(f"{portal_with_idp}/ho-so/{code}/")
    assert page.locator("#status").inner_text() == "Yêu cầu thực hiện nghĩa vụ tài chính"
    page.get_by_role("link", name="Thanh toán trực tuyến").click()
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    assert "Cổng thanh toán thử nghiệm" in page.content() and "8.000" in page.content()
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    assert "Thanh toán thành công" in page.content()
    page.goto(f"{portal_with_idp}/ho-so/{code}/")
    assert page.locator("#status").inner_text() == "Được tiếp nhận"
    assert "Đã thanh toán" in page.content()


@pytest.fixture
def returned(an, officer_ba_dinh, leader_ba_dinh):
    """A returned birth registration with its signed result. Made before the browser starts: pyHanko signs in an
    event loop of its own, which cannot run inside Playwright's."""
    code = submit(an).code
    for user, operation in [(officer_ba_dinh, "receive"), (officer_ba_dinh, "assign"), (leader_ba_dinh, "approve"),
                            (officer_ba_dinh, "return_result")]:
        services.apply_operation(user=user, code=code, operation=operation)
    return code


def test_a_citizen_downloads_the_signed_result_and_rates_the_service(returned, page, portal_with_idp,  # noqa: F811
                                                                    an):
    from smartcity.identity import services as identity

    identity.set_idp_password(an.person, "vneid-demo-2026")
    code = returned
    sign_in(page, portal_with_idp)
    page.goto(f"{portal_with_idp}/ho-so/{code}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải kết quả có chữ ký số (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    for number in range(1, 10):
        page.locator(f"input[name=indicator_{number}][value='2']").check()
    page.get_by_label("Rất hài lòng").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert "Cảm ơn bạn đã đánh giá" in page.content() and "18/18 điểm" in page.content()
    page.locator(".account-menu summary").click()  # the citizen's own pages are under their name
    page.get_by_role("link", name="Kho dữ liệu").first.click()
    assert "Giấy khai sinh" in page.content()
