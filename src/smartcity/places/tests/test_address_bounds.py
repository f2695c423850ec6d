"""Address parsing is bounded: a text longer than any address is a 400 naming the field, before it is split."""

from __future__ import annotations

import pytest

from smartcity.lib.errors import Invalid
from smartcity.places.services import MAX_ADDRESS_CHARS, parse_address

pytestmark = pytest.mark.django_db


def test_an_overlong_address_is_refused_before_it_is_parsed():
    with pytest.raises(Invalid) as caught:
        parse_address("Ba Đình, " * 10_000 + "Hà Nội")
    assert (caught.value.field, caught.value.message) == ("address", f"Địa chỉ dài quá {MAX_ADDRESS_CHARS} ký tự")


def test_the_api_answers_an_overlong_address_with_a_400(client):
    response = client.post("/api/v1/places/parse-address", {"address": "phường Ba Đình, " * 1000},
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "address"


def test_an_address_of_ordinary_length_still_resolves():
    assert parse_address("12 Phan Đình Phùng, phường Ba Đình, Hà Nội").unit.name == "Phường Ba Đình"


def test_an_overlong_unit_search_or_key_is_a_400(client):
    assert client.get("/api/v1/places/units", {"q": "ba dinh " * 100}).json()["errors"][0]["field"] == "q"
    response = client.get("/api/v1/places/units/" + "2025:commune:" + "0" * 5000)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"
