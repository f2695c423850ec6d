"""Open311 GeoReport v2 at /open311/v2: the spec's example requests, its error format, JSON and XML, and an
unchanged third-party client (``georeport`` from PyPI) reading it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from smartcity.conftest import commune
from smartcity.feedback import services
from smartcity.feedback.models import Report
from smartcity.feedback.tests.conftest import photo

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def key(catalogue):
    return services.issue_api_key(name="Ứng dụng thử")[1]


def spec_post(client, key, **extra):
    """The spec's POST Service Request example, with Hà Nội's coordinates and our service code."""
    ward = commune("Phường Ba Đình")
    data = {"api_key": key, "jurisdiction_id": "hanoi.gov.vn", "service_code": "o-ga", "lat": ward.latitude,
            "long": ward.longitude, "address_string": "1234 5th street", "email": "smit333@sfgov.edu",
            "device_id": "tt222111", "account_id": "123456", "first_name": "john", "last_name": "smith",
            "phone": "111111111", "description": "A large sinkhole is destroying the street",
            "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg", "attribute[size]": "large"}
    data.update(extra)
    return client.post(f"{BASE}/requests.json", data)


def test_the_service_list_names_every_leaf_category(client, catalogue):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services_ = response.json()
    assert len(services_) == 9
    assert services_[0] == {"service_code": "o-ga", "service_name": "Ổ gà, hư hỏng mặt đường", "description": "",
                            "metadata": True, "type": "realtime", "keywords": "o,ga", "group": "Hạ tầng đô thị"}


def test_a_service_definition_lists_its_attributes_in_json_and_xml(client, catalogue):
    data = client.get(f"{BASE}/services/o-ga.json").json()
    assert data["service_code"] == "o-ga"
    assert data["attributes"][0]["code"] == "size" and data["attributes"][0]["required"] is True
    assert data["attributes"][0]["values"] == [{"key": "small", "name": "Nhỏ (dưới 30 cm)"},
                                               {"key": "large", "name": "Lớn (từ 30 cm)"}]
    root = ET.fromstring(client.get(f"{BASE}/services/o-ga.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/code").text == "size"
    assert [v.text for v in root.findall("attributes/attribute/values/value/key")] == ["small", "large"]


def test_the_spec_example_post_creates_a_report_with_no_account(client, key):
    response = spec_post(client, key)
    assert response.status_code == 200, response.content
    body = response.json()
    report = Report.objects.get()
    assert body[0]["service_request_id"] == str(report.pk) and body[0]["account_id"] is None
    assert report.source == "open311" and report.reporter is None
    assert (report.contact_name, report.contact_email, report.contact_phone) == ("john smith", "smit333@sfgov.edu",
                                                                                 "111111111")
    assert report.attributes == {"size": "large"}


def test_a_post_in_xml_answers_in_xml(client, key):
    ward = commune("Phường Ba Đình")
    response = client.post(f"{BASE}/requests.xml", {"api_key": key, "service_code": "den-duong", "lat": ward.latitude,
                                                    "long": ward.longitude, "description": "Đèn hỏng",
                                                    "phone": "0912345678"})
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == str(Report.objects.get().pk)


@pytest.mark.parametrize(("change", "status", "description"), [
    ({"service_code": "khong-co"}, 404, "Unknown service_code: khong-co"),
    ({"attribute[size]": ""}, 400, "attribute[size]: Thiếu thuộc tính bắt buộc size"),
    ({"attribute[size]": "huge"}, 400, "attribute[size]: Giá trị không hợp lệ cho thuộc tính size"),
    ({"api_key": "wrong"}, 403, "Invalid or missing api_key"),
    ({"lat": "10.77", "long": "106.70"}, 400, "location: Vị trí nằm ngoài địa bàn thành phố"),
    ({"lat": "abc"}, 400, "lat must be a number"),
    ({"jurisdiction_id": "sf.gov"}, 404, "Unknown jurisdiction_id; this endpoint serves hanoi.gov.vn"),
])
def test_bad_posts_get_the_open311_error_format_and_store_nothing(client, key, change, status, description):
    response = spec_post(client, key, **change)
    assert response.status_code == status
    assert response.json() == [{"code": status, "description": description}]
    assert Report.objects.count() == 0


def test_errors_come_in_xml_too(client, key):
    response = client.get(f"{BASE}/services/khong-co.xml")
    root = ET.fromstring(response.content)
    assert response.status_code == 404
    assert (root.tag, root.find("error/code").text, root.find("error/description").text) == (
        "errors", "404", "Unknown service_code: khong-co")


def test_one_client_sending_too_many_reports_is_held_back(client, key, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feedback_submit": "2/h"}
    assert [spec_post(client, key).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(f"{BASE}/services.json").status_code == 200
    assert Report.objects.count() == 2


def test_get_requests_filters_and_hides_personal_data(client, key, an):
    spec_post(client, key)
    services.submit_report(user=an, category_code="den-duong", description="Đèn <b>hỏng</b>",
                           address="Phường Hoàn Kiếm, Hà Nội", photos=[photo()])
    every = client.get(f"{BASE}/requests.json").json()
    assert [r["service_code"] for r in every] == ["den-duong", "o-ga"]
    lamp = every[0]
    assert lamp["status"] == "open" and lamp["status_notes"] == "Đã tiếp nhận"
    assert lamp["agency_responsible"] == "Ủy ban nhân dân Phường Hoàn Kiếm"
    assert lamp["media_url"].startswith("http://testserver/phan-anh/anh/")
    text = client.get(f"{BASE}/requests.json").content.decode()
    for secret in ("smit333", "111111111", "john", "Nguyễn Văn An", "0912345678"):
        assert secret not in text
    only = client.get(f"{BASE}/requests.json", {"service_code": "o-ga", "status": "open"}).json()
    assert [r["service_code"] for r in only] == ["o-ga"]
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    one = client.get(f"{BASE}/requests/{lamp['service_request_id']}.json").json()
    assert one[0]["description"] == "Đèn <b>hỏng</b>"


def test_get_requests_refuses_a_window_over_90_days(client, catalogue):
    response = client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00Z",
                                                     "end_date": "2026-06-01T00:00:00Z"})
    assert response.json() == [{"code": 400, "description": "start_date and end_date may not span more than 90 days"}]


def test_an_unknown_request_is_a_404_in_the_error_format(client, catalogue):
    assert client.get(f"{BASE}/requests/999999.json").json() == [{"code": 404,
                                                                  "description": "Unknown service_request_id"}]


def test_discovery_names_the_endpoint(client, catalogue):
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert ET.fromstring(client.get(f"{BASE}/discovery.xml").content).find("endpoints/endpoint/type").text == \
        "production"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_from_pypi_reads_us_unchanged(live_server, settings, tmp_path, output_format):
    georeport = pytest.importorskip("georeport")
    from smartcity.feedback.catalogue import seed_categories

    settings.MEDIA_ROOT = str(tmp_path)
    seed_categories()
    ward = commune("Phường Ba Đình")
    report = services.submit_report(user=None, category_code="o-ga", description="Ổ gà", latitude=ward.latitude,
                                    longitude=ward.longitude, contact_phone="0912345678",
                                    attributes={"size": "small"})
    client = georeport.GeoReport(f"{live_server.url}/open311/v2", jurisdiction="hanoi.gov.vn",
                                 output_format=output_format)
    listed = client.get_service_list()
    assert [s["service_code"] for s in listed][:2] == ["o-ga", "den-duong"]
    definition = client.get_service_definition("o-ga")
    assert definition["service_code"] == "o-ga"
    requests_ = client.get_service_requests(service_code="o-ga", status="open")
    first = requests_[0] if isinstance(requests_, list) else requests_
    assert first["service_request_id"] == str(report.pk)
    one = client.get_service_request(str(report.pk))
    assert one["service_code"] == "o-ga" and one["status"] == "open"


def test_a_photo_sent_as_a_multipart_media_part_is_stored_clean(client, key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartcity.feedback.tests.conftest import jpeg_with_gps

    response = spec_post(client, key, media=SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg"))
    assert response.status_code == 200
    assert Report.objects.get().photos.get().width == 1600


def test_a_non_image_media_part_is_refused_in_the_error_format(client, key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = spec_post(client, key, media=SimpleUploadedFile("p.jpg", b"<svg onload=alert(1)>"))
    assert response.json() == [{"code": 400, "description": "photos: Nội dung tệp không đúng định dạng khai báo"}]
    assert Report.objects.count() == 0
