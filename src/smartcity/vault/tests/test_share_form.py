"""The share form: expiry shown in Hà Nội time on both sides of midnight UTC, the agency named by its name or code
(typed with suggestions, no script needed), and the agency search endpoint with its authorization rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from smartcity.agencies.services import commune_committee
from smartcity.lib.text import fold
from smartcity.vault import services
from smartcity.vault.models import ShareLink

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def document(an):
    return services.store(owner_id=an.person_id, pdf=PDF, title="Giấy khai sinh (bản điện tử)",
                          reference="000.00.04.H26-261123-0001", procedure_code="1.001193", signed=True)


def test_the_expiry_after_creating_a_link_and_in_the_list_is_the_same_hanoi_time_near_midnight(client, an, document):
    client.force_login(an)
    # 23:30 UTC on 7 December is 06:30 on 8 December in Hà Nội: the UTC day would say 14/12, Hà Nội's says 15/12
    with time_machine.travel(dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC), tick=False):
        html = client.post(f"/kho-du-lieu/{document.pk}/chia-se/", {"days": "7"}, follow=True).content.decode()
    assert "Đã tạo liên kết chia sẻ, hết hạn 06:30 15/12/2026" in html
    assert "Hết hạn 06:30 15/12/2026" in html
    assert ShareLink.objects.get().expires_at == dt.datetime(2026, 12, 14, 23, 30, tzinfo=dt.UTC)


def test_the_agency_is_named_by_its_name_as_the_suggestions_show_it(client, an, ba_dinh, document):
    agency = commune_committee(ba_dinh)
    client.force_login(an)
    html = client.get("/kho-du-lieu/").content.decode()
    assert 'list="agency-list"' in html and f'<option value="{agency.name} ({agency.code})"></option>' in html
    client.post(f"/kho-du-lieu/{document.pk}/chia-se/", {"days": "3", "recipient": f"{agency.name} ({agency.code})"})
    assert ShareLink.objects.get().recipient == agency


def test_the_agency_is_found_by_its_name_without_diacritics_or_by_its_code(an, ba_dinh, document):
    agency = commune_committee(ba_dinh)
    assert services.find_recipient(agency.code) == agency
    assert services.find_recipient(agency.name.upper()) == agency
    assert services.find_recipient(fold(agency.name)) == agency


def test_an_unknown_agency_keeps_what_was_typed_and_writes_nothing(client, an, document):
    client.force_login(an)
    html = client.post(f"/kho-du-lieu/{document.pk}/chia-se/", {"days": "5", "recipient": "Sở Không Có"},
                       follow=True).content.decode()
    assert (f'<p class="error" id="error-recipient-{document.pk}">Không tìm thấy cơ quan này; chọn một cơ quan '
            "trong danh sách gợi ý</p>") in html
    assert 'value="Sở Không Có"' in html and 'value="5"' in html
    assert not ShareLink.objects.exists()


def test_the_agency_search_answers_code_and_name_for_the_words_typed(client, an, ba_dinh):
    agency = commune_committee(ba_dinh)
    client.force_login(an)
    response = client.get("/api/v1/vault/agencies", {"q": "ba dinh"})
    assert response.status_code == 200
    assert {"code": agency.code, "name": agency.name} in response.json()
    assert all({"ba", "dinh"} <= set(fold(f"{a['name']} {a['code']}").replace(".", " ").split()) or
               ("ba" in fold(a["name"]) and "dinh" in fold(a["name"])) for a in response.json())
    assert len(client.get("/api/v1/vault/agencies", {"q": ""}).json()) == services.MAX_AGENCY_MATCHES


@pytest.mark.parametrize("who", ["an", "binh", "officer_ba_dinh", "outsider"])
def test_any_signed_in_user_may_search_agencies(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/api/v1/vault/agencies", {"q": "phường"}).status_code == 200


def test_an_anonymous_caller_may_not_search_agencies(client):
    response = client.get("/api/v1/vault/agencies", {"q": "phường"})
    assert response.status_code == 401


def test_the_agency_search_is_bounded_and_rate_limited(client, an, settings):
    client.force_login(an)
    too_long = client.get("/api/v1/vault/agencies", {"q": "x" * (services.MAX_AGENCY_QUERY + 1)})
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "q"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "agency_search": "2/m"}
    codes = [client.get("/api/v1/vault/agencies", {"q": "a"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
