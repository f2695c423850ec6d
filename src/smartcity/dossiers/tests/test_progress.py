"""The dossier's progress as the applicant and the public see it: the procedure's steps with the current one marked,
one timeline (history and fees, each said once, times in Hà Nội), the officer named to the applicant only, and
"Đúng hạn"/"Quá hạn" said once."""

from __future__ import annotations

import re

import pytest
import time_machine

from smartcity.dossiers import progress, services
from smartcity.dossiers.tests.test_lifecycle import at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture
def awaiting(an, officer_ba_dinh):
    """A birth registration submitted Wednesday 09:00, received 10:00 by Lê Thị Hoa, asked its fee at 10:30."""
    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        code = submit(an).code
    with time_machine.travel(at("2026-11-25T10:00"), tick=False):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    with time_machine.travel(at("2026-11-25T10:30"), tick=False):
        return services.apply_operation(user=officer_ba_dinh, code=code, operation="request_payment")


def steps(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="(done|current|todo)"[^>]*>([^<]+)', html.split('<ol class="steps">')[1]
                      .split("</ol>")[0])


def timeline(html: str) -> list[str]:
    block = html.split('<ol class="events" id="timeline">')[1].split("</ol>")[0]
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def test_the_applicant_sees_the_steps_the_current_one_marked_and_who_acted(client, an, awaiting):
    client.force_login(an)
    html = client.get(f"/ho-so/{awaiting.code}/").content.decode()
    assert steps(html) == [("done", "Nộp hồ sơ"), ("current", "Tiếp nhận hồ sơ"),
                           ("todo", "Công chức tư pháp - hộ tịch thẩm tra, ghi Sổ, lấy Số định danh cá nhân"),
                           ("todo", "Lãnh đạo UBND cấp xã ký Giấy khai sinh"), ("todo", "Trả kết quả")]
    assert '<li class="current" aria-current="step">Tiếp nhận hồ sơ</li>' in html
    assert timeline(html) == [
        "09:00 25/11/2026 Mới đăng ký: Nộp trực tuyến",
        "10:00 25/11/2026 Được tiếp nhận · Ủy ban nhân dân Phường Ba Đình · Lê Thị Hoa",
        "10:30 25/11/2026 Yêu cầu thực hiện nghĩa vụ tài chính · Ủy ban nhân dân Phường Ba Đình · Lê Thị Hoa",
        "10:30 25/11/2026 Phí, lệ phí cần nộp: 8.000 đ · "
        "Ủy ban nhân dân Phường Ba Đình: Chờ thanh toán",
    ]


def test_the_public_tracking_page_shows_the_office_and_never_the_officers_name(client, awaiting):
    html = client.get("/tra-cuu/", {"code": awaiting.code, "secret": awaiting.tracking_secret}).content.decode()
    assert '<li class="current" aria-current="step">Tiếp nhận hồ sơ</li>' in html
    rows = timeline(html)
    assert rows[1] == "10:00 25/11/2026 Được tiếp nhận · Ủy ban nhân dân Phường Ba Đình"
    assert "Lê Thị Hoa" not in html and "Nguyễn Văn An" not in html


def test_another_citizen_sees_neither_the_page_nor_the_timeline(client, binh, awaiting):
    client.force_login(binh)
    assert client.get(f"/ho-so/{awaiting.code}/").status_code == 404
    assert client.get("/tra-cuu/", {"code": awaiting.code}).status_code == 404


def test_the_officer_sees_the_timeline_and_an_outsider_does_not(client, officer_ba_dinh, outsider, awaiting):
    client.force_login(officer_ba_dinh)
    assert "Lê Thị Hoa" in timeline(client.get(f"/ho-so/{awaiting.code}/").content.decode())[1]
    client.force_login(outsider)
    assert client.get(f"/ho-so/{awaiting.code}/").status_code == 404


def test_a_paid_fee_is_one_row_with_its_amount(an, officer_ba_dinh, awaiting):
    from smartcity.payments.models import Payment

    with time_machine.travel(at("2026-11-25T11:00"), tick=False):
        payment = Payment.objects.get(reference=awaiting.code)
        Payment.objects.filter(pk=payment.pk).update(state="succeeded", paid_at=at("2026-11-25T11:00"))
        services.payment_received(reference=awaiting.code)
    rows = progress.timeline(awaiting, officers=True)
    labels = [(r.label, r.note) for r in rows[3:]]
    assert labels == [("Phí, lệ phí cần nộp: 8.000 đ", ""),
                      ("Đã thanh toán 8.000 đ", "")]


def test_on_time_or_late_is_said_once(client, an, awaiting):
    client.force_login(an)
    with time_machine.travel(at("2026-12-20T10:00"), tick=False):  # long past the appointment, unfinished
        html = client.get(f"/ho-so/{awaiting.code}/").content.decode()
    assert '<dd id="deadline"><span class="badge late">Quá hạn</span></dd>' in html
    assert html.count("Quá hạn") == 1 and "Đúng hạn" not in html
