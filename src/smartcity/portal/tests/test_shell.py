"""The portal's shell: the city's header and footer from settings, the menu each visitor gets, the home page's life
events and most used procedures, the warning strip and where it shows, the error pages, the statistics period typed
the Vietnamese way, and the API docs served from our own files."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from smartcity.dossiers.models import Dossier
from smartcity.lib.workdays import VN_TZ

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def html_of(response) -> str:
    return response.content.decode()


def menu(html: str) -> list[str]:
    nav = html[html.index('<nav class="site-nav"'):html.index("</nav>")]
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


def account_links(html: str) -> list[str]:
    if 'class="account-menu"' not in html:
        return []
    part = html[html.index('class="account-menu"'):html.index("</details>")]
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", part)]


# --- header, menu, footer -----------------------------------------------------------------------------------------

def test_the_header_names_the_city_with_its_emblem_and_the_footer_its_government_from_settings(client, settings):
    settings.SMARTCITY_CITY_NAME = "Đà Nẵng"
    settings.SMARTCITY_GOVERNMENT_NAME = "Ủy ban nhân dân Thành phố Đà Nẵng"
    settings.SMARTCITY_CITY_EMBLEM = "portal/emblem.svg"
    settings.SMARTCITY_HOTLINE = "0236 1022"
    settings.SMARTCITY_ONE_STOP_ADDRESSES = ["Trung tâm Hành chính, 24 Trần Phú", "Bộ phận một cửa các phường"]
    settings.SMARTCITY_SOURCE_URL = "https://example.org/smartcity"
    html = html_of(client.get("/"))
    assert '<span class="brand-name">Đà Nẵng</span>' in html
    assert '<img class="emblem" src="/static/portal/emblem.svg" alt="" width="40" height="40">' in html
    assert "<title>Cổng dịch vụ công Đà Nẵng</title>" in html
    assert '<p class="footer-title">Ủy ban nhân dân Thành phố Đà Nẵng</p>' in html
    assert '<a href="tel:02361022">0236 1022</a>' in html
    assert "<li>Trung tâm Hành chính, 24 Trần Phú</li><li>Bộ phận một cửa các phường</li>" in html
    assert '<a href="https://example.org/smartcity">Mã nguồn mở (AGPL-3.0)</a>' in html
    assert '<a href="/api/v1/docs">Tài liệu API</a>' in html


def test_the_hanoi_demo_defaults_need_no_setting(client):
    html = html_of(client.get("/"))
    assert '<span class="brand-name">Hà Nội</span>' in html
    assert '<p class="footer-title">Ủy ban nhân dân Thành phố Hà Nội</p>' in html
    assert "Trung tâm Phục vụ hành chính công Thành phố Hà Nội" in html


def test_an_emblem_may_be_an_address_on_our_host(client, settings):
    settings.SMARTCITY_CITY_EMBLEM = "/media-public/emblem.png"
    assert '<img class="emblem" src="/media-public/emblem.png"' in html_of(client.get("/"))


def test_the_menu_button_controls_the_menu_and_is_shown_only_by_the_script(client):
    html = html_of(client.get("/"))
    assert ('<button type="button" class="menu-toggle" aria-expanded="true" aria-controls="site-menu" hidden>'
            in html)
    assert '<div id="site-menu" class="site-menu">' in html  # without the script the menu stays open


def test_a_visitor_gets_the_public_sections_and_a_sign_in_button(client):
    html = html_of(client.get("/"))
    assert menu(html) == ["Trang chủ", "Thủ tục hành chính", "Nộp hồ sơ", "Tra cứu hồ sơ", "Thống kê"]
    assert '<a class="button small" href="/account/login/">Đăng nhập</a>' in html
    assert '<a href="/" aria-current="page">Trang chủ</a>' in html


def test_a_citizen_finds_their_own_pages_under_their_name(client, an):
    client.force_login(an)
    html = html_of(client.get("/"))
    assert menu(html) == ["Trang chủ", "Thủ tục hành chính", "Nộp hồ sơ", "Tra cứu hồ sơ", "Thống kê"]
    assert '<span class="account-name">Nguyễn Văn An</span>' in html
    assert account_links(html) == ["Hồ sơ đã nộp", "Thông tin cá nhân", "Kho dữ liệu", "Ai đã xem dữ liệu của tôi"]
    assert "Hồ sơ của tôi" not in html
    assert '<button type="submit" class="link">Đăng xuất</button>' in html


def test_an_officer_gets_the_one_stop_desk_but_no_back_office_without_admin_rights(client, officer_ba_dinh):
    client.force_login(officer_ba_dinh)
    html = html_of(client.get("/"))
    assert menu(html)[-1] == "Một cửa" and "Quản trị" not in menu(html)
    assert account_links(html) == []  # no citizen pages for staff


def test_the_back_office_is_in_the_menu_of_staff_who_may_use_it(client, officer_ba_dinh, city_admin):
    from django.contrib.auth.models import Permission

    officer_ba_dinh.user_permissions.add(Permission.objects.get(codename="view_procedure"))
    client.force_login(officer_ba_dinh)
    assert menu(html_of(client.get("/")))[-2:] == ["Một cửa", "Quản trị"]
    city_admin.is_superuser = True
    city_admin.save(update_fields=["is_superuser"])
    client.force_login(city_admin)
    assert menu(html_of(client.get("/")))[-2:] == ["Một cửa", "Quản trị"]


def test_pages_can_add_to_the_head_and_replace_the_strip():
    template = Template('{% extends "portal/base.html" %}{% block head %}<link rel="stylesheet" href="/x.css">'
                        '{% endblock %}{% block strip %}<p class="mine">strip</p>{% endblock %}')
    html = template.render(Context({}))
    assert html.index('<link rel="stylesheet" href="/x.css">') < html.index("</head>")
    assert '<p class="mine">strip</p>' in html


# --- home ----------------------------------------------------------------------------------------------------------

@pytest.fixture
def catalogue(db):
    from smartcity.procedures.services import load_catalogue

    load_catalogue()


def test_the_home_page_leads_from_life_events_to_the_catalogue_filtered_to_them(client, catalogue):
    html = html_of(client.get("/"))
    assert '<a class="tile" href="/thu-tuc/?q=khai+sinh"><strong>Sinh con</strong>' in html
    assert '<a class="tile" href="/thu-tuc/?field=%C4%90%E1%BA%A5t+%C4%91ai"><strong>Đất đai, nhà ở</strong>' in html
    catalogue_page = html_of(client.get("/thu-tuc/", {"field": "Đăng ký, quản lý cư trú"}))
    assert "Đăng ký thường trú" in catalogue_page and "Đăng ký khai sinh" not in catalogue_page


def test_a_life_event_without_procedures_in_the_catalogue_is_not_offered(client, db):
    assert 'class="tile"' not in html_of(client.get("/"))  # an empty catalogue


def test_the_most_used_procedures_are_counted_from_the_dossiers_submitted(client, catalogue, an, ba_dinh):
    from smartcity.agencies.services import commune_committee
    from smartcity.dossiers import services as dossiers
    from smartcity.procedures.services import get_procedure, version_in_force

    agency = commune_committee(ba_dinh)

    def submit(code: str, times: int, when: dt.datetime) -> None:
        procedure = get_procedure(code)
        for _ in range(times):
            Dossier.objects.create(
                code=f"P-{next(_numbers)}", procedure=procedure, version=version_in_force(procedure),
                applicant=an.person, agency=agency, receiving_agency=agency, unit=ba_dinh, channel=1,
                submitted_at=when, received_at=when, appointment_at=when + dt.timedelta(days=3))

    now = dt.datetime(2026, 11, 20, 9, tzinfo=VN_TZ)
    with time_machine.travel(now, tick=False):
        submit("1.004222", 3, now - dt.timedelta(days=2))  # thường trú
        submit("1.001193", 2, now - dt.timedelta(days=30))  # khai sinh
        submit("1.000894", 9, now - dt.timedelta(days=400))  # kết hôn, but more than a year ago
        popular = dossiers.most_submitted_procedures(limit=5)
        assert [(p.code, n) for p, n in popular] == [("1.004222", 3), ("1.001193", 2)]
        html = html_of(client.get("/"))
    section = html[html.index('id="popular-title"'):html.index("Xem tất cả thủ tục")]
    assert re.findall(r'<a href="/thu-tuc/([^/]+)/">([^<]+)</a>', section) == [
        ("1.004222", "Đăng ký thường trú"), ("1.001193", "Đăng ký khai sinh")]
    assert "3 hồ sơ trong năm qua" in section


def test_the_home_search_box_asks_the_catalogue(client):
    html = html_of(client.get("/"))
    assert '<form method="get" action="/thu-tuc/" role="search">' in html
    assert '<input type="search" id="home-q" name="q"' in html


# --- the warning strip ---------------------------------------------------------------------------------------------

AIR = {"id": 7, "message": "…", "code": "kk-ba-dinh", "station": "Trạm Ba Đình", "place": "Phường Ba Đình",
       "rule": "Không khí xấu (AQI > 150)", "parameter": "aqi", "value": 162.0, "opened_at": None}


def test_a_warning_reads_as_one_plain_sentence_with_the_value_measured():
    from smartcity.environment.services import strip_sentence

    assert strip_sentence(AIR) == ("Không khí ở phường Ba Đình đang ở mức Xấu (AQI 162) — hạn chế ra ngoài, "
                                   "đeo khẩu trang khi cần.")
    assert strip_sentence({**AIR, "value": 120.4}).startswith("Không khí ở phường Ba Đình đang ở mức Kém (AQI 120)")
    assert strip_sentence({**AIR, "parameter": "pm25", "value": 55.44}) == (
        "Không khí ở phường Ba Đình đang ô nhiễm (PM2.5 55,4 µg/m³) — hạn chế ra ngoài, đeo khẩu trang khi cần.")
    assert strip_sentence({**AIR, "parameter": "rain_3h", "value": 62.25, "place": "Xã Sóc Sơn"}) == (
        "Mưa lớn ở xã Sóc Sơn: 62,2 mm trong 3 giờ — đề phòng ngập úng, hạn chế đi lại.")
    assert strip_sentence({**AIR, "parameter": "water_level", "value": 11.5, "station": "Trạm Long Biên"}) == (
        "Mực nước tại Trạm Long Biên lên 11,50 m — theo dõi tin báo lũ.")
    # a noise rule watches the excess over the limit: the sentence gives the level measured instead
    assert strip_sentence({**AIR, "parameter": "noise_excess", "value": 11.5, "laeq": 81.46}) == (
        "Tiếng ồn ở phường Ba Đình vượt giới hạn cho phép (LAeq 81,5 dBA) — hạn chế ở lâu ngoài đường.")


@pytest.fixture
def a_warning(monkeypatch):
    from smartcity.environment import services

    monkeypatch.setattr(services, "banner_warnings", lambda: [AIR])


STRIP = '<section class="strip"'


def test_the_strip_shows_on_the_home_page_and_the_environment_pages_with_a_close_button(client, a_warning):
    html = html_of(client.get("/"))
    assert STRIP in html and '<li data-dismiss-key="smartcity.warning.7">' in html
    assert '<a href="/moi-truong/tram/kk-ba-dinh/">Chi tiết</a>' in html
    assert '<button type="button" class="strip-close" aria-label="Ẩn cảnh báo này"' in html
    assert STRIP in html_of(client.get("/moi-truong/canh-bao/"))


def test_the_strip_stays_off_forms_sign_in_payments_and_other_pages(client, a_warning, an):
    for url in ["/account/login/", "/thu-tuc/", "/tra-cuu/", "/thong-ke/", "/moi-truong/dang-ky/"]:
        assert STRIP not in html_of(client.get(url)), url
    client.force_login(an)
    assert STRIP not in html_of(client.get("/thanh-toan/"))


def test_a_subscriber_sees_the_strip_on_every_page_but_forms_and_payments(client, a_warning, an):
    from smartcity.environment.models import Subscription

    Subscription.objects.create(user=an, token="sub-an")
    client.force_login(an)
    assert STRIP in html_of(client.get("/thu-tuc/"))
    assert STRIP in html_of(client.get("/ho-so/"))
    assert STRIP not in html_of(client.get("/thanh-toan/"))
    assert STRIP not in html_of(client.get("/moi-truong/dang-ky/"))


def test_no_strip_without_open_warnings(client):
    assert STRIP not in html_of(client.get("/"))


# --- error pages ---------------------------------------------------------------------------------------------------

def test_an_unknown_address_gets_the_portal_404_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = html_of(response)
    assert '<h1 id="error-title">Không tìm thấy trang</h1>' in html and '<header class="site-header">' in html
    assert '<input type="search" id="error-q" name="q">' in html


def test_the_demo_with_debug_on_shows_the_portal_404_not_djangos_technical_page(client, settings):
    settings.DEBUG = True
    for url in ["/khong-co-trang-nay/", "/thu-tuc/9.999999/"]:  # no pattern; a view raising Http404
        response = client.get(url)
        assert response.status_code == 404, url
        html = html_of(response)
        assert '<h1 id="error-title">Không tìm thấy trang</h1>' in html and "URLconf" not in html, url


def test_a_developer_may_ask_for_djangos_technical_pages(client, settings):
    settings.DEBUG = True
    settings.SMARTCITY_TECHNICAL_ERRORS = True
    assert "URLconf" in html_of(client.get("/khong-co-trang-nay/"))


def test_a_request_for_another_host_gets_the_portal_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert '<h1 id="error-title">Yêu cầu không hợp lệ</h1>' in html_of(response)


def test_the_403_page_offers_to_sign_in(client, settings, rf):
    from smartcity.portal import errors

    request = rf.get("/mot-cua/")
    request.user = __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
    response = errors.permission_denied(request)
    assert response.status_code == 403
    html = html_of(response)
    assert '<h1 id="error-title">Bạn không có quyền xem trang này</h1>' in html
    assert 'href="/account/login/?next=/mot-cua/"' in html


def test_with_debug_on_a_permission_refusal_gets_the_portal_403_page(settings):
    from django.core.exceptions import PermissionDenied

    from smartcity.portal.errors import PortalErrorPagesMiddleware

    settings.DEBUG = True
    request = RequestFactory().get("/")
    request.user = __import__("django.contrib.auth.models", fromlist=["AnonymousUser"]).AnonymousUser()
    response = PortalErrorPagesMiddleware(lambda r: None).process_exception(request, PermissionDenied())
    assert response.status_code == 403 and "Bạn không có quyền xem trang này" in html_of(response)


class _NoUser:
    def __getattr__(self, name):
        raise AssertionError("the 500 page asked for the user")


def test_the_500_page_needs_no_database_and_no_user(django_assert_num_queries):
    from smartcity.portal import errors

    request = RequestFactory().get("/")
    request.user = _NoUser()
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500
    html = html_of(response)
    assert '<h1 id="error-title">Hệ thống đang gặp sự cố</h1>' in html and '<span class="brand-name">Hà Nội</span>' in html
    assert "Cần hỗ trợ ngay, hãy gọi đường dây nóng 1900 0000." in html


def test_an_unexpected_error_in_the_demo_gets_the_portal_500_page_and_is_logged(settings, caplog):
    from smartcity.portal.errors import PortalErrorPagesMiddleware

    settings.DEBUG = True
    request = RequestFactory().get("/ho-so/")
    logger = logging.getLogger("django.request")  # it does not propagate to the root logger caplog listens on
    logger.addHandler(caplog.handler)
    try:
        response = PortalErrorPagesMiddleware(lambda r: None).process_exception(request, RuntimeError("boom"))
    finally:
        logger.removeHandler(caplog.handler)
    assert response.status_code == 500 and "Hệ thống đang gặp sự cố" in html_of(response)
    assert "Traceback" not in html_of(response) and "boom" not in html_of(response)
    assert [r.exc_info[1].args for r in caplog.records if r.exc_info] == [("boom",)]


def test_the_error_handlers_are_the_portals():
    from smartcity import urls

    assert (urls.handler400, urls.handler403, urls.handler404, urls.handler500) == (
        "smartcity.portal.errors.bad_request", "smartcity.portal.errors.permission_denied",
        "smartcity.portal.errors.page_not_found", "smartcity.portal.errors.server_error")


# --- the statistics period, typed dd/mm/yyyy -----------------------------------------------------------------------

def test_the_statistics_period_is_typed_day_first_and_the_exports_ask_for_the_same_days(client):
    html = html_of(client.get("/thong-ke/", {"start": "05/11/2026", "end": "20/11/2026"}))
    assert 'type="date"' not in html and 'type="month"' not in html
    assert 'name="start" value="05/11/2026"' in html and 'name="end" value="20/11/2026"' in html
    assert "Từ ngày 05/11/2026 đến ngày 20/11/2026" in html
    assert "/api/v1/statistics?start=2026-11-05&amp;end=2026-11-20&amp;format=csv" in html
    assert "Không có hồ sơ trong khoảng thời gian này." in html
    scorecard = html_of(client.get("/thong-ke/bo-chi-so/", {"start": "5/11/2026", "end": "20.11.2026"}))
    assert "Từ ngày 05/11/2026 đến ngày 20/11/2026" in scorecard


@time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=VN_TZ), tick=False)
def test_a_date_that_cannot_be_read_is_said_clearly_and_the_page_shows_this_month(client):
    html = html_of(client.get("/thong-ke/", {"start": "31/02/2026", "end": "12/31/2026"}))
    assert 'aria-invalid="true"' in html
    assert '<p class="errorlist" id="period-start-error" role="alert">Không có ngày 31/02/2026</p>' in html
    assert '<p class="errorlist" id="period-end-error" role="alert">Không có ngày 31/12/2026</p>' not in html
    assert 'id="period-end-error" role="alert">Không có ngày 12/31/2026</p>' in html
    assert 'name="start" value="31/02/2026"' in html  # what was typed stays, to be corrected
    assert "Từ ngày 01/12/2026 đến ngày 31/12/2026" in html and "Đang hiển thị tháng này." in html
    backwards = html_of(client.get("/thong-ke/", {"start": "20/11/2026", "end": "01/11/2026"}))
    assert "Ngày cuối không được trước ngày đầu" in backwards
    too_long = html_of(client.get("/thong-ke/", {"start": "01/01/2024", "end": "01/01/2025"}))
    assert "Khoảng thời gian tối đa 366 ngày" in too_long


def test_older_month_links_still_work(client):
    html = html_of(client.get("/thong-ke/", {"month": "2026-11"}))
    assert 'name="start" value="01/11/2026"' in html and 'name="end" value="30/11/2026"' in html


# --- API docs ------------------------------------------------------------------------------------------------------

def test_the_api_docs_are_a_portal_page_drawn_from_the_openapi_document_with_no_outside_file(client):
    from django.contrib.staticfiles import finders

    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = html_of(response)
    assert '<code>/api/v1/track/{code}</code>' in html and "Liveness: the process answers" in html
    assert 'href="/api/v1/openapi.json"' in html
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") and finders.find(a.removeprefix("/static/")) for a in assets)
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", html) == []  # no inline script to run
    assert "script-src 'self';" in response["Content-Security-Policy"]
