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


def test_an_address_without_a_province_is_read_in_the_citys_own(settings):
    parsed = parse_address("10 Tràng Tiền, phường Hoàn Kiếm")
    assert (parsed.unit.name, parsed.unit.province_code) == ("Phường Hoàn Kiếm", "01")
    settings.CITY_PROVINCE_CODE = "79"  # a city whose units are not loaded: the ward is not found there
    with pytest.raises(Invalid):
        parse_address("10 Tràng Tiền, phường Hoàn Kiếm")


def test_a_split_legacy_ward_is_flagged_with_all_its_successors():
    """Kim Mã (Ba Đình) went to three 2025 wards; the data cannot tell which one takes a street (no street split,
    and we do not geocode), so all three come back, the package's default first."""
    parsed = parse_address("Số 2 Kim Mã, Phường Kim Mã, Quận Ba Đình, Hà Nội")
    assert (parsed.unit.structure, parsed.unit.name) == ("legacy", "Phường Kim Mã")
    assert parsed.ambiguous is True
    assert [u.name for u in parsed.successors] == ["Phường Ngọc Hà", "Phường Ba Đình", "Phường Giảng Võ"]
    assert parsed.current_unit == parsed.successors[0] and {u.structure for u in parsed.successors} == {"2025"}


def test_a_ward_that_went_whole_into_one_is_not_ambiguous():
    parsed = parse_address("12 Hàng Bài, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội")
    assert parsed.ambiguous is False and [u.name for u in parsed.successors] == ["Phường Cửa Nam"]
    current = parse_address("so 5, phuong ba dinh, ha noi")
    assert current.ambiguous is False and current.successors == (current.unit,)


def test_units_loaded_by_another_process_are_seen_without_a_restart():
    from smartcity.places.models import Level, Structure, Unit

    parse_address("so 5, phuong ba dinh, ha noi")  # the index is built
    hanoi = Unit.objects.get(structure=Structure.Y2025, level=Level.PROVINCE, code="01")
    # what `smartcity places load` in another process does: rows appear, this process's index is not told
    Unit.objects.create(structure=Structure.Y2025, level=Level.COMMUNE, code="99991", name="Phường Thử Nghiệm",
                        short_name="Thử Nghiệm", unit_type="Phường", parent=hanoi, province_code="01",
                        keywords=["phuongthunghiem", "thunghiem"])
    assert parse_address("1 Phố Mới, Phường Thử Nghiệm, Hà Nội").unit.code == "99991"
