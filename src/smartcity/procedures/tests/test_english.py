"""English mode of the catalogue: the city's English text where it gave one, the Vietnamese with a notice where it
did not; the Vietnamese pages never change."""

from __future__ import annotations

import pytest
from django.utils import translation

from smartcity.procedures import services
from smartcity.procedures.models import Procedure, shown

pytestmark = pytest.mark.django_db

NO_ENGLISH_VI = "Chưa có bản tiếng Anh — hiển thị tiếng Việt"


def in_english(msgid: str) -> str:
    """A message as the English page writes it (its translation is in the project's catalogue of messages)."""
    with translation.override("en"):
        return translation.gettext(msgid)


def no_english_en() -> str:
    return in_english(NO_ENGLISH_VI)


@pytest.fixture
def catalogue(db):
    services.load_catalogue()


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_demo_catalogue_gives_every_procedure_an_english_name(catalogue):
    assert not Procedure.objects.filter(name_en="").exists()
    birth = services.get_procedure("1.001193")
    assert (birth.name_en, birth.field.name_en, birth.agency_text_en) == (
        "Birth registration", "Civil status", "Commune-level People's Committee")
    assert birth.result_en.startswith("Birth certificate (original")


def test_a_text_falls_back_to_vietnamese_only_when_english_is_asked_and_missing(catalogue):
    festival = services.get_procedure("1.003622")
    assert shown(festival, "result", "vi").text == festival.result and not shown(festival, "result", "vi").fallback
    assert (shown(festival, "name", "en").text, shown(festival, "name", "en").fallback) == (
        "Notice of a commune-level festival", False)
    assert (shown(festival, "result", "en").text, shown(festival, "result", "en").fallback) == (festival.result, True)
    assert shown(festival, "result", "en-gb").fallback is True


def test_the_catalogue_in_english_shows_the_english_names(client, catalogue):
    html = english(client).get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert ">Birth registration</a>" in html and "Civil status" in html
    assert f">{in_english('Trực tuyến toàn trình')}</td>" in html  # the online level, through gettext
    assert ">Đăng ký khai sinh</a>" not in html and no_english_en() not in html


def test_the_catalogue_in_vietnamese_is_unchanged(client, catalogue):
    html = client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert ">Đăng ký khai sinh</a>" in html and "Birth registration" not in html and NO_ENGLISH_VI not in html


def test_a_procedure_without_an_english_name_is_shown_in_vietnamese_and_says_so(client, catalogue):
    birth = services.get_procedure("1.001193")
    birth.name_en = ""
    birth.save()
    html = english(client).get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert '<a href="/thu-tuc/1.001193/" lang="vi">Đăng ký khai sinh</a>' in html
    assert f"({no_english_en()})" in html


def test_the_detail_page_in_english_shows_the_english_text(client, catalogue):
    html = english(client).get("/thu-tuc/1.010041/").content.decode()
    assert "<h1>Confirmation of residence information</h1>" in html
    assert "Confirmation of residence information (form CT07)" in html
    assert "Commune-level police (any station, wherever the applicant lives)" in html
    assert 'id="no-english"' not in html


def test_the_detail_page_says_which_text_has_no_english(client, catalogue):
    html = english(client).get("/thu-tuc/1.003622/").content.decode()
    festival = services.get_procedure("1.003622")
    assert "<h1>Notice of a commune-level festival</h1>" in html
    assert f'<dd lang="vi">{festival.result}</dd>' in html
    assert f'<p class="muted untranslated" id="no-english">({no_english_en()})</p>' in html


def test_the_detail_page_in_vietnamese_is_unchanged(client, catalogue):
    html = client.get("/thu-tuc/1.003622/").content.decode()
    assert "<h1>Thông báo tổ chức lễ hội cấp xã</h1>" in html and 'id="no-english"' not in html


def test_english_words_find_a_procedure(catalogue):
    assert [p.code for p in services.search(q="birth registration")] == ["1.001193"]


def test_reloading_an_older_catalogue_gives_it_english_without_touching_the_citys_own(catalogue):
    Procedure.objects.filter(code="1.001193").update(name_en="")
    Procedure.objects.filter(code="1.000894").update(name_en="Marriage (city's own wording)")
    assert services.load_catalogue() == 0
    assert services.get_procedure("1.001193").name_en == "Birth registration"
    assert services.get_procedure("1.000894").name_en == "Marriage (city's own wording)"
