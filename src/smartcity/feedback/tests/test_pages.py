"""The public pages, the submit form, the work screen and who may do what on them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.conftest import commune
from smartcity.feedback import services
from smartcity.feedback.models import Report, Status
from smartcity.feedback.tests.conftest import jpeg_with_gps, photo

pytestmark = pytest.mark.django_db


def make(user=None, **extra):
    ward = commune("Phường Ba Đình")
    values = {"category_code": "den-duong", "description": "Đèn hỏng <script>alert(1)</script>",
              "latitude": ward.latitude, "longitude": ward.longitude, "contact_phone": "0988777666",
              "contact_email": "bi.mat@example.vn"}
    values.update(extra)
    return services.submit_report(user=user, **values)


def test_the_public_list_and_page_show_the_report_without_personal_data_and_escape_markup(client, catalogue, an):
    report = make(an, photos=[photo()])
    for url in ("/phan-anh/", f"/phan-anh/{report.pk}/"):
        html = client.get(url).content.decode()
        assert f"PA-{report.pk}" in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
        for secret in ("0988777666", "bi.mat@example.vn", "Nguyễn Văn An", report.token):
            assert secret not in html


def test_the_list_filters_by_category_and_status(client, catalogue):
    lamp = make()
    waste = make(category_code="rac-thai", description="Rác")
    html = client.get("/phan-anh/", {"loai": "rac-thai"}).content.decode()
    assert f"PA-{waste.pk}</strong>" in html and f"PA-{lamp.pk}</strong>" not in html
    assert f"PA-{lamp.pk}</strong>" not in client.get("/phan-anh/", {"trang-thai": "da-tra-loi"}).content.decode()


def test_an_anonymous_phone_submits_a_report_with_a_photo_and_gets_its_tracking_link(client, catalogue):
    ward = commune("Phường Ba Đình")
    response = client.post("/phan-anh/gui/", {
        "category": "o-ga", "attr-size": "small", "description": "Ổ gà trước cổng trường", "lat": ward.latitude,
        "lon": ward.longitude, "contact_phone": "0912000111",
        "photos": SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")})
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/phan-anh/{report.pk}/?t={report.token}"
    assert report.photos.count() == 1 and report.attributes == {"size": "small"}


def test_a_non_image_upload_on_the_form_is_a_clear_error_and_nothing_is_stored(client, catalogue):
    ward = commune("Phường Ba Đình")
    response = client.post("/phan-anh/gui/", {
        "category": "den-duong", "description": "Đèn", "lat": ward.latitude, "lon": ward.longitude,
        "contact_phone": "0912000111", "photos": SimpleUploadedFile("a.jpg", b"<html>hi</html>")})
    assert response.status_code == 400
    assert "Nội dung tệp không đúng định dạng khai báo" in response.content.decode()
    assert Report.objects.count() == 0


def test_the_form_holds_back_one_address_sending_too_much(client, catalogue, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feedback_submit": "1/h"}
    ward = commune("Phường Ba Đình")
    data = {"category": "den-duong", "description": "Đèn", "lat": ward.latitude, "lon": ward.longitude,
            "contact_phone": "0912000111"}
    assert [client.post("/phan-anh/gui/", data).status_code for _ in range(2)] == [302, 429]
    assert Report.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("officer_ba_dinh", 302), ("officer_hoan_kiem", 403),
                                             ("outsider", 403), ("binh", 403), (None, 302)])
def test_only_the_competent_body_answers_a_report(client, catalogue, request, who, status):
    report = make()
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.post(f"/phan-anh/{report.pk}/thao-tac/tra-loi/", {"text": "Đã thay bóng"})
    assert response.status_code == status
    report.refresh_from_db()
    answered = who == "officer_ba_dinh"
    assert report.status == (Status.ANSWERED if answered else Status.RECEIVED)
    if who is None:
        assert response["Location"].startswith("/account/")


@pytest.mark.parametrize(("who", "sees"), [("officer_ba_dinh", True), ("officer_hoan_kiem", False),
                                           ("city_admin", True)])
def test_the_work_queue_lists_what_the_body_handles(client, catalogue, request, who, sees):
    report = make()
    client.force_login(request.getfixturevalue(who))
    html = client.get("/phan-anh/xu-ly/").content.decode()
    assert (f"PA-{report.pk}</a>" in html) is sees


def test_a_citizen_and_an_anonymous_visitor_get_no_work_queue(client, catalogue, an):
    assert client.get("/phan-anh/xu-ly/").status_code == 302
    client.force_login(an)
    assert client.get("/phan-anh/xu-ly/").status_code == 403


def test_the_reporter_rates_with_the_tracking_token_and_others_cannot(client, catalogue, officer_ba_dinh):
    report = make()
    services.answer(user=officer_ba_dinh, report_id=report.pk, text="Xong")
    assert client.post(f"/phan-anh/{report.pk}/nguoi-gui/danh-gia/", {"t": "sai", "score": "1"}).status_code == 403
    response = client.post(f"/phan-anh/{report.pk}/nguoi-gui/danh-gia/", {"t": report.token, "score": "4"})
    assert response.status_code == 302
    assert report.__class__.objects.get(pk=report.pk).rating.score == 4


def test_a_hidden_report_and_its_photos_are_gone_from_public_view(client, catalogue, city_admin):
    report = make(photos=[photo()])
    photo_id = report.photos.get().pk
    assert client.get(f"/phan-anh/anh/{photo_id}.jpg").status_code == 200
    services.set_hidden(user=city_admin, report_id=report.pk, hidden=True)
    assert client.get(f"/phan-anh/anh/{photo_id}.jpg").status_code == 404
    assert client.get(f"/phan-anh/{report.pk}/").status_code == 404
