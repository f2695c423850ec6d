"""A phone-sized walk: an anonymous resident reports a broken lamp with a photo from a 390-px screen, the ward answers
it on its work screen, and the resident rates the answer from the tracking link."""

from __future__ import annotations

import pytest

from smartcity.conftest import BROWSER
from smartcity.feedback.catalogue import seed_categories
from smartcity.feedback.models import Report
from smartcity.feedback.tests.conftest import jpeg_with_gps

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]


def test_a_report_from_a_phone_to_its_answer_and_rating(page, live_server, client, settings, tmp_path,
                                                       officer_ba_dinh, ba_dinh):
    settings.MEDIA_ROOT = str(tmp_path)
    seed_categories()
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": ba_dinh.latitude, "longitude": ba_dinh.longitude})

    page.goto(f"{live_server.url}/phan-anh/")
    page.get_by_role("link", name="Gửi phản ánh").click()
    page.select_option("#category", "den-duong")
    page.fill("#description", "Đèn đường tắt cả tuần trước cổng trường")
    page.set_input_files("#photos", str(photo))
    page.click("#use-position")
    page.wait_for_selector("#position-status:has-text('✓')")
    page.fill("#contact_phone", "0912000111")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#send")
    page.wait_for_selector("#timeline")
    report = Report.objects.get()
    assert report.unit == ba_dinh and report.photos.count() == 1
    tracking = page.url
    assert tracking.endswith(f"/phan-anh/{report.pk}/?t={report.token}")

    client.force_login(officer_ba_dinh)
    officer = page.context.browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    officer.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    desk = officer.new_page()
    desk.goto(f"{live_server.url}/phan-anh/xu-ly/")
    desk.get_by_role("link", name=f"PA-{report.pk}").click()
    desk.click("#accept")
    desk.fill("#answer-text", "Đã thay bóng đèn ngày hôm nay")
    desk.get_by_role("button", name="Gửi trả lời").click()
    desk.wait_for_selector("#answer")
    officer.close()

    page.goto(tracking)
    assert page.inner_text("#answer .feedback-text") == "Đã thay bóng đèn ngày hôm nay"
    page.check("input[name=score][value='5']")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("#rating")
    assert page.inner_text("#rating") == "Người phản ánh đánh giá: 5/5"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    report.refresh_from_db()
    assert report.status == "answered" and report.rating.score == 5
    assert list(report.events.values_list("kind", flat=True)) == ["submitted", "routed", "accepted", "answered",
                                                                   "rated"]
