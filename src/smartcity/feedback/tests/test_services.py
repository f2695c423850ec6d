"""The life of a report through the services: routing, deadlines, every step of the body, the reporter's rating and
reopening, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from PIL import Image

from smartcity.agencies.services import commune_committee, department
from smartcity.audit.models import Entry
from smartcity.conftest import commune
from smartcity.feedback import services
from smartcity.feedback.models import Event, Photo, Report, Status
from smartcity.feedback.tests.conftest import jpeg_with_gps, photo
from smartcity.lib.errors import Forbidden, Invalid
from smartcity.notifications.models import Message

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội


def near(unit):
    return unit.latitude + 0.0004, unit.longitude + 0.0003


def submit(user=None, code="o-ga", unit=None, **extra):
    unit = unit or commune("Phường Ba Đình")
    lat, lon = near(unit)
    values = {"description": "Ổ gà lớn giữa đường", "latitude": lat, "longitude": lon,
              "contact_phone": "0912345678", "attributes": {"size": "large"}}
    values.update(extra)
    return services.submit_report(user=user, category_code=code, **values)


def test_a_street_report_goes_to_the_ward_it_lies_in_with_its_deadline(catalogue, an, ba_dinh):
    with time_machine.travel(MONDAY, tick=False):
        report = submit(an)
    assert report.agency == commune_committee(ba_dinh)
    assert report.unit == ba_dinh
    assert report.status == Status.RECEIVED
    assert report.due_on == dt.date(2026, 3, 9)  # 5 working days from Monday 2 March
    assert report.accept_by == dt.date(2026, 3, 4)
    assert list(report.events.values_list("kind", flat=True)) == ["submitted", "routed"]
    entry = Entry.objects.get(subject_type="feedback.report", subject_id=str(report.pk))
    assert (entry.action, entry.detail["step"], entry.person_id) == ("create", "submit", an.person_id)


def test_a_city_level_category_goes_to_its_department_in_calendar_days(catalogue, an):
    with time_machine.travel(MONDAY, tick=False):
        report = submit(an, code="ngap-ung", attributes={})
    assert report.agency == department("Sở Xây dựng")
    assert report.due_on == dt.date(2026, 3, 4)


def test_an_administrative_report_gets_the_decree_deadlines(catalogue, an):
    with time_machine.travel(MONDAY, tick=False):
        report = submit(an, code="quy-dinh-hanh-chinh", attributes={})
    assert report.accept_by == dt.date(2026, 3, 4)  # 2 working days
    assert report.due_on == dt.date(2026, 3, 23)  # 15 working days


def test_photos_are_resized_and_stripped_of_their_exif_position(catalogue, an):
    report = submit(an, photos=[photo()])
    stored = Photo.objects.get(report=report)
    with Image.open(stored.image.path) as image:
        assert max(image.size) == 1600
        assert image.getexif() == {}
        assert "exif" not in image.info
    assert (stored.width, stored.height) == (1600, 1067)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("anh.gif", b"GIF89a....", "Chỉ nhận tệp PDF, JPG hoặc PNG"),
    ("anh.jpg", b"not an image at all", "Nội dung tệp không đúng định dạng khai báo"),
    ("tai-lieu.pdf", b"%PDF-1.4\n%%EOF\n", "Chỉ nhận ảnh JPG hoặc PNG"),
])
def test_a_non_image_upload_is_refused_and_nothing_is_stored(catalogue, an, name, data, message):
    with pytest.raises(Invalid) as error:
        submit(an, photos=[photo(data, name)])
    assert (error.value.field, error.value.message) == ("photos", message)
    assert Report.objects.count() == 0 and Photo.objects.count() == 0 and Event.objects.count() == 0


def test_an_oversized_upload_is_refused(catalogue, an):
    big = jpeg_with_gps((100, 100)) + b"\0" * (11 * 1024 * 1024)
    with pytest.raises(Invalid) as error:
        submit(an, photos=[photo(big)])
    assert error.value.message == "Tệp vượt quá 10 MB"
    assert Report.objects.count() == 0


def test_a_bad_second_photo_leaves_no_report_and_no_file(catalogue, an, settings):
    with pytest.raises(Invalid):
        submit(an, photos=[photo(), photo(b"junk", "b.png")])
    assert Report.objects.count() == 0
    media = __import__("pathlib").Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_coordinates_outside_the_city_are_refused(catalogue, an):
    with pytest.raises(Invalid) as error:
        services.submit_report(user=an, category_code="o-ga", description="x", latitude=10.77, longitude=106.70,
                               attributes={"size": "small"})
    assert (error.value.field, error.value.message) == ("location", "Vị trí nằm ngoài địa bàn thành phố")


def test_an_address_alone_places_the_report_in_its_ward(catalogue, an, ba_dinh):
    report = services.submit_report(user=an, category_code="den-duong", description="Đèn tắt cả tuần",
                                    address="12 Phan Đình Phùng, Phường Ba Đình, Hà Nội")
    assert report.unit == ba_dinh
    assert (report.latitude, report.longitude) == (ba_dinh.latitude, ba_dinh.longitude)


def test_an_anonymous_reporter_must_leave_a_contact(catalogue):
    with pytest.raises(Invalid) as error:
        submit(None, contact_phone="")
    assert error.value.field == "contact_phone"


def test_a_missing_required_attribute_is_refused(catalogue, an):
    with pytest.raises(Invalid) as error:
        submit(an, attributes={})
    assert error.value.field == "attribute[size]"


def test_script_in_a_description_is_stored_as_text(catalogue, an):
    report = submit(an, description="<script>alert(1)</script>")
    assert report.description == "<script>alert(1)</script>"


def test_the_ward_walks_a_report_to_its_answer_and_the_reporter_rates_it(catalogue, an, officer_ba_dinh,
                                                                        django_capture_on_commit_callbacks):
    report = submit(an)
    services.accept(user=officer_ba_dinh, report_id=report.pk)
    services.request_info(user=officer_ba_dinh, report_id=report.pk, question="Ổ gà trước số nhà nào?")
    services.provide_info(user=an, report_id=report.pk, text="Trước số 12")
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(user=officer_ba_dinh, report_id=report.pk, text="Đã vá xong", photos=[photo()])
    rating = services.rate(user=an, report_id=report.pk, score=5, comment="Nhanh")
    services.close(user=officer_ba_dinh, report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.answer == "Đã vá xong" and rating.score == 5
    assert list(report.events.values_list("kind", flat=True)) == [
        "submitted", "routed", "accepted", "info_requested", "info_given", "answered", "rated", "closed"]
    assert report.photos.filter(answer=True).count() == 1
    subjects = list(Message.objects.filter(person_id=an.person_id).values_list("subject", flat=True).distinct())
    assert f"Phản ánh PA-{report.pk}: đã có trả lời" in subjects


def test_a_body_cannot_act_on_a_report_outside_its_area(catalogue, an, officer_hoan_kiem):
    report = submit(an)
    with pytest.raises(Forbidden):
        services.answer(user=officer_hoan_kiem, report_id=report.pk, text="Không phải của chúng tôi")
    report.refresh_from_db()
    assert report.status == Status.RECEIVED and report.answer == ""


def test_a_wrongly_routed_report_goes_to_the_coordinator_who_transfers_it(catalogue, an, officer_ba_dinh,
                                                                          city_admin, hoan_kiem):
    report = submit(an)
    services.return_to_coordinator(user=officer_ba_dinh, report_id=report.pk, reason="Thuộc phường Hoàn Kiếm")
    report.refresh_from_db()
    assert report.status == Status.COORDINATING and report.agency.code == "000.00.00.H26"
    services.transfer(user=city_admin, report_id=report.pk, agency_code=commune_committee(hoan_kiem).code)
    report.refresh_from_db()
    assert report.status == Status.RECEIVED and report.agency == commune_committee(hoan_kiem)


def test_duplicates_are_proposed_and_merged(catalogue, an, binh, officer_ba_dinh):
    first = submit(an)
    second = submit(binh)
    assert services.propose_duplicates(category=second.category, latitude=second.latitude,
                                       longitude=second.longitude, exclude_id=second.pk) == [first]
    services.merge(user=officer_ba_dinh, report_id=second.pk, into_id=first.pk)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into_id == first.pk


def test_an_unsatisfied_reporter_reopens_within_seven_days_but_not_after(catalogue, an, officer_ba_dinh):
    report = submit(an)
    with time_machine.travel(MONDAY, tick=False):
        services.answer(user=officer_ba_dinh, report_id=report.pk, text="Đã xử lý")
    with time_machine.travel(MONDAY + dt.timedelta(days=6), tick=False):
        services.reopen(user=None, report_id=report.pk, token=report.token, reason="Vẫn còn nguyên")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS and report.reopen_count == 1
    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=False):
        services.answer(user=officer_ba_dinh, report_id=report.pk, text="Đã xử lý lại")
    with time_machine.travel(MONDAY + dt.timedelta(days=15), tick=False), pytest.raises(Invalid) as error:
        services.reopen(user=an, report_id=report.pk, reason="Lại hỏng")
    assert error.value.message == "Đã quá 7 ngày kể từ khi trả lời"


def test_someone_else_cannot_rate_a_report(catalogue, an, binh, officer_ba_dinh):
    report = submit(an)
    services.answer(user=officer_ba_dinh, report_id=report.pk, text="Xong")
    with pytest.raises(Forbidden):
        services.rate(user=binh, report_id=report.pk, score=1)
    with pytest.raises(Forbidden):
        services.rate(user=None, report_id=report.pk, token="wrong", score=1)


def test_an_administrative_report_may_not_be_asked_for_more_after_five_working_days(catalogue, an, specialist_justice):
    with time_machine.travel(MONDAY, tick=False):
        report = submit(an, code="quy-dinh-hanh-chinh", attributes={})
    with time_machine.travel(MONDAY + dt.timedelta(days=8), tick=False), pytest.raises(Invalid) as error:
        services.request_info(user=specialist_justice, report_id=report.pk, question="Bổ sung?")
    assert error.value.field == "question"


def test_the_operations_centre_reads_points_counts_and_events(catalogue, an, officer_ba_dinh):
    with time_machine.travel(MONDAY, tick=False):
        report = submit(an, emergency=True)
    with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
        points = services.open_reports_for_map()
        counts = services.report_counts()
    assert points == [{"id": report.pk, "lat": report.latitude, "lon": report.longitude, "category": "o-ga",
                       "status": "received", "age": 10, "emergency": True, "overdue": True}]
    assert counts["open"] == 1 and counts["overdue"] == 1 and counts["by_status"]["received"] == 1
    events = services.recent_events(limit=2)
    assert [e["kind"] for e in events] == ["routed", "submitted"]
    assert set(events[0]) == {"id", "at", "kind", "label", "report_id", "category", "agency", "emergency", "unit_id"}


def test_answered_reports_close_by_themselves_once_the_reopen_window_has_passed(catalogue, an, officer_ba_dinh):
    report = submit(an)
    with time_machine.travel(MONDAY, tick=False):
        services.answer(user=officer_ba_dinh, report_id=report.pk, text="Xong")
    with time_machine.travel(MONDAY + dt.timedelta(days=6), tick=False):
        assert services.close_settled() == 0
    with time_machine.travel(MONDAY + dt.timedelta(days=8), tick=False):
        assert services.close_settled() == 1
        assert services.close_settled() == 0
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.events.order_by("id").last().kind == "closed"
