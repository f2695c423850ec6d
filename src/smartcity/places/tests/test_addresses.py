from __future__ import annotations

import pytest

from smartcity.lib.errors import Invalid
from smartcity.places.services import parse_address

pytestmark = pytest.mark.django_db


def test_it_resolves_a_legacy_address_to_its_2025_ward():
    parsed = parse_address("12 Hàng Bài, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội")
    assert parsed.street == "12 Hàng Bài"
    assert (parsed.unit.structure, parsed.unit.name, parsed.unit.parent.name) == (
        "legacy", "Phường Hàng Bài", "Quận Hoàn Kiếm")
    assert parsed.current_unit.structure == "2025"
    assert parsed.current_unit.name == "Phường Cửa Nam"


def test_it_reads_an_address_without_diacritics():
    parsed = parse_address("so 5, phuong ba dinh, ha noi")
    assert (parsed.street, parsed.unit.structure, parsed.unit.name) == ("so 5", "2025", "Phường Ba Đình")
    assert parsed.current_unit == parsed.unit


def test_it_reads_a_legacy_commune_of_a_rural_district():
    parsed = parse_address("Số 1, Xã Bát Tràng, Huyện Gia Lâm, TP Hà Nội")
    assert parsed.unit.structure == "legacy" and parsed.unit.parent.name == "Huyện Gia Lâm"
    assert parsed.current_unit.name == "Xã Bát Tràng"


def test_a_default_province_lets_the_city_be_left_out():
    parsed = parse_address("10 Tràng Tiền, phường Hoàn Kiếm", default_province="01")
    assert parsed.unit.name == "Phường Hoàn Kiếm"


@pytest.mark.parametrize("text", ["", "   ", "12 Phố Không Tồn Tại, Hành Tinh Sao Hỏa"])
def test_an_address_with_no_known_unit_is_refused_naming_the_field(text):
    with pytest.raises(Invalid) as err:
        parse_address(text)
    assert err.value.field == "address"
