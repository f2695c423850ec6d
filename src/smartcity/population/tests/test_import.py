"""`smartcity population import`: good rows kept, bad rows named (row, column, reason), a second run changes
nothing, a wrong file is refused before anything is written, households are linked to their heads."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from smartcity.agencies.services import commune_committee
from smartcity.audit.models import Entry
from smartcity.conftest import make_citizen, make_staff
from smartcity.lib.errors import Forbidden, Invalid
from smartcity.population.importing import COLUMNS, import_citizens
from smartcity.population.models import Citizen, Household

pytestmark = pytest.mark.django_db

BA_DINH = "2025:commune:00004"
HOAN_KIEM = "2025:commune:00070"


def person(id_number: str, full_name: str, **changes: str) -> dict[str, str]:
    """One row of an import file: a woman born in 1990 living in ward Ba Đình, unless told otherwise."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(id_number=id_number, full_name=full_name, date_of_birth="1990-04-30", sex="F", ethnicity="Kinh",
               nationality="VN", permanent_unit=BA_DINH, permanent_address="12 Phan Đình Phùng")
    row.update(changes)
    return row


def write(tmp_path: Path, rows: list[dict[str, str]], *, columns: tuple[str, ...] | list[str] = COLUMNS,
          name: str = "citizens.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def stored(id_number: str) -> tuple[object, ...]:
    c = Citizen.objects.select_related("permanent_unit").get(id_number=id_number)
    return (c.full_name, c.date_of_birth, c.sex, c.ethnicity, c.permanent_unit.name, c.permanent_address)


def test_good_rows_are_kept_and_bad_rows_are_reported_with_row_field_and_reason(tmp_path):
    path = write(tmp_path, [
        person("001190000001", "Nguyễn Thị Hoa"),                                          # row 2: good
        person("00119000000", "Trần Thị Lan"),                                              # row 3: 11 digits
        person("001190000003", "Lê Thị Mai", permanent_unit="2025:commune:99999"),          # row 4: no such unit
        person("001190000004", "Phạm Thị Thu", date_of_birth="2999-01-01"),                 # row 5: future
        person("001190000001", "Nguyễn Thị Hoa"),                                           # row 6: same ID as row 2
        person("001190000006", "Vũ Thị Hằng", sex="X"),                                     # row 7: bad sex
        person("001190000007", "Đỗ Thị Ngân", ethnicity="Klingon"),                         # row 8: not one of 54
        person("001090000008", "Bùi Văn Nam", sex="M", ethnicity="Tày"),                    # row 9: good
    ])

    result = import_citizens(path=path)

    assert (result.rows, result.inserted, result.unchanged, result.rejected) == (8, 2, 0, 6)
    assert [(e.row, e.field) for e in result.errors] == [
        (3, "id_number"), (4, "permanent_unit"), (5, "date_of_birth"), (6, "id_number"), (7, "sex"), (8, "ethnicity"),
    ]
    reasons = {e.row: e.reason for e in result.errors}
    assert reasons[3] == "Số định danh cá nhân phải gồm đúng 12 chữ số"
    assert reasons[4] == "Không có đơn vị hành chính '2025:commune:99999'"
    assert reasons[5] == "Ngày sinh không được ở tương lai"
    assert reasons[6] == "Số định danh cá nhân trùng với dòng 2"
    assert reasons[7] == "Giới tính phải là M (nam) hoặc F (nữ)"
    assert reasons[8] == "Dân tộc không có trong danh mục 54 dân tộc: Klingon"
    assert sorted(Citizen.objects.values_list("id_number", flat=True)) == ["001090000008", "001190000001"]
    assert stored("001190000001") == ("Nguyễn Thị Hoa", dt.date(1990, 4, 30), "F", "Kinh", "Phường Ba Đình",
                                      "12 Phan Đình Phùng")
    assert stored("001090000008")[2:4] == ("M", "Tày")


def test_dates_in_either_form_sex_in_vietnamese_and_bare_commune_codes_are_read(tmp_path):
    path = write(tmp_path, [
        person("001090000011", "  Hoàng   Văn  Đức ", date_of_birth="07/03/1990", sex="Nam", permanent_unit="00070"),
        person("001190000012", "Đặng Thị Yến", date_of_birth="1990-12-01", sex="Nữ", nationality="",
               ethnicity=""),
    ])

    result = import_citizens(path=path)

    assert (result.inserted, result.rejected) == (2, 0)
    assert stored("001090000011")[:3] == ("Hoàng Văn Đức", dt.date(1990, 3, 7), "M")
    assert stored("001090000011")[4] == "Phường Hoàn Kiếm"
    citizen = Citizen.objects.get(id_number="001190000012")
    assert (citizen.sex, citizen.ethnicity, citizen.nationality) == ("F", "Kinh", "VN")


def test_a_date_that_does_not_exist_or_has_another_form_is_rejected(tmp_path):
    path = write(tmp_path, [
        person("001190000021", "Ngô Thị Lan", date_of_birth="31/02/1990"),
        person("001190000022", "Ngô Thị Loan", date_of_birth="1990.02.03"),
    ])

    result = import_citizens(path=path)

    assert [(e.row, e.field, e.reason) for e in result.errors] == [
        (2, "date_of_birth", "Ngày sinh không có thật: 31/02/1990"),
        (3, "date_of_birth", "Ngày sinh phải có dạng YYYY-MM-DD hoặc DD/MM/YYYY"),
    ]
    assert Citizen.objects.count() == 0


def test_running_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, [
        person("001090000031", "Nguyễn Văn Hải", sex="M", household_code="HK-31", relation_to_head="Chủ hộ"),
        person("001190000032", "Lê Thị Thu", household_code="HK-31", relation_to_head="Vợ"),
        person("0011900000", "Sai Số"),
    ])
    first = import_citizens(path=path)
    before = list(Citizen.objects.order_by("id").values())
    households = list(Household.objects.values())

    again = import_citizens(path=path)

    assert (first.inserted, first.unchanged, first.rejected, first.households) == (2, 0, 1, 1)
    assert (again.inserted, again.unchanged, again.rejected, again.households) == (0, 2, 1, 0)
    assert list(Citizen.objects.order_by("id").values()) == before
    assert list(Household.objects.values()) == households


def test_a_person_already_in_the_registry_is_left_as_they_are(tmp_path, an):
    path = write(tmp_path, [person("001090012345", "Nguyễn Văn Ăn", sex="M", permanent_unit=HOAN_KIEM)])

    result = import_citizens(path=path)

    assert (result.inserted, result.unchanged, result.rejected) == (0, 1, 0)
    assert stored("001090012345")[0::4] == ("Nguyễn Văn An", "Phường Ba Đình")


def test_a_file_that_is_not_utf8_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "windows-1258.csv"
    header = ",".join(COLUMNS) + "\n"
    row = f"001090000041,Nguyê\u0303n Văn An,1990-01-01,M,Kinh,VN,{BA_DINH},,,,,,,\n"
    path.write_bytes(header.encode("ascii") + row.encode("cp1258"))

    with pytest.raises(Invalid) as refused:
        import_citizens(path=path)

    assert refused.value.field == "file"
    assert refused.value.message.startswith("Tệp không được mã hóa UTF-8: byte 0xEA ở dòng 2 không đọc được")
    assert Citizen.objects.count() == 0
    assert not Entry.objects.filter(subject_type="population.import").exists()


def test_a_latin1_file_is_refused_too(tmp_path):
    path = tmp_path / "latin-1.csv"
    path.write_bytes((",".join(COLUMNS) + "\n" + f"001090000042,Lê Hà,1990-01-01,M,Kinh,VN,{BA_DINH},,,,,,,\n")
                     .encode("latin-1"))

    with pytest.raises(Invalid, match="byte 0xEA ở dòng 2"):
        import_citizens(path=path)
    assert Citizen.objects.count() == 0


def test_missing_and_unknown_columns_are_refused_naming_them_and_nothing_is_written(tmp_path):
    columns = ["id_number", "fullname", "date_of_birth", "permanent_unit"]
    path = write(tmp_path, [{"id_number": "001090000051", "fullname": "Phan Văn Tài", "date_of_birth": "1990-01-01",
                             "permanent_unit": BA_DINH}], columns=columns)

    with pytest.raises(Invalid) as refused:
        import_citizens(path=path)

    assert refused.value.field == "file"
    assert "thiếu cột bắt buộc: full_name, sex" in refused.value.message
    assert "cột không được hỗ trợ: 'fullname'" in refused.value.message
    assert Citizen.objects.count() == 0


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(Invalid, match="Tệp trống"):
        import_citizens(path=path)


def test_an_excel_file_with_a_byte_order_mark_crlf_and_only_some_columns_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffID_Number,full_name,date_of_birth,sex,permanent_unit,permanent_address\r\n"
                     f'001090000061,Dương Văn Khoa,1990-01-01,M,{BA_DINH},"Số 5, ngõ 10,\r\n phố Đội Cấn"\r\n'
                     .encode())

    result = import_citizens(path=path)

    assert (result.inserted, result.rejected) == (1, 0)
    assert stored("001090000061") == ("Dương Văn Khoa", dt.date(1990, 1, 1), "M", "Kinh", "Phường Ba Đình",
                                      "Số 5, ngõ 10, phố Đội Cấn")


def test_a_row_with_a_nul_character_is_rejected_and_the_others_kept(tmp_path):
    path = write(tmp_path, [person("001190000065", "Hà Thị\x00 Lan"), person("001190000066", "Hà Thị Liên")])

    result = import_citizens(path=path)

    assert [(e.row, e.field, e.reason) for e in result.errors] == [(2, "", "Dòng chứa ký tự NUL")]
    assert list(Citizen.objects.values_list("full_name", flat=True)) == ["Hà Thị Liên"]


def test_decomposed_vietnamese_text_is_stored_composed(tmp_path):
    path = write(tmp_path, [person("001090000071", "Nguye\u0302\u0303n Văn Tày", sex="M", ethnicity="Ta\u0300y")])

    result = import_citizens(path=path)

    assert result.rejected == 0
    assert stored("001090000071")[0::3] == ("Nguyễn Văn Tày", "Tày")


@pytest.mark.parametrize("chunk_rows", [50_000, 1], ids=["one chunk", "a chunk per row"])
def test_households_are_created_with_their_head_and_members_linked(tmp_path, chunk_rows):
    path = write(tmp_path, [
        person("001305000081", "Trịnh Minh Anh", sex="F", date_of_birth="2005-06-01", household_code="HK-81",
               relation_to_head="Con"),
        person("001080000082", "Trịnh Văn Sơn", sex="M", date_of_birth="1980-02-02", household_code="HK-81",
               relation_to_head="Chủ hộ", permanent_unit=HOAN_KIEM, permanent_address="5 Tràng Tiền"),
        person("001182000083", "Mai Thị Hạnh", date_of_birth="1982-03-03", household_code="HK-81",
               relation_to_head="Vợ", permanent_unit=HOAN_KIEM, permanent_address="5 Tràng Tiền"),
        person("001090000084", "Kiều Văn Bình", sex="M"),
    ])

    result = import_citizens(path=path, chunk_rows=chunk_rows)

    assert (result.inserted, result.rejected, result.households) == (4, 0, 1)
    household = Household.objects.select_related("head", "unit").get(code="HK-81")
    assert (household.head.full_name, household.unit.name, household.address) == (
        "Trịnh Văn Sơn", "Phường Hoàn Kiếm", "5 Tràng Tiền")
    assert sorted(household.members.values_list("full_name", "relation_to_head")) == [
        ("Mai Thị Hạnh", "Vợ"), ("Trịnh Minh Anh", "Con"), ("Trịnh Văn Sơn", "Chủ hộ")]
    assert Citizen.objects.get(id_number="001090000084").household is None


def test_household_problems_are_rejected_naming_the_household(tmp_path):
    path = write(tmp_path, [
        person("001080000091", "Lý Văn Long", sex="M", date_of_birth="1980-01-01", household_code="HK-91",
               relation_to_head="Chủ hộ"),
        person("001080000092", "Lý Văn Lâm", sex="M", date_of_birth="1980-01-02", household_code="HK-91",
               relation_to_head="chủ hộ"),
        person("001190000093", "Tạ Thị Vân", household_code="HK-404", relation_to_head="Con"),
        person("001190000094", "Tạ Thị Vy", relation_to_head="Con"),
    ])

    result = import_citizens(path=path)

    assert [(e.row, e.field, e.reason) for e in result.errors] == [
        (3, "relation_to_head", "Hộ HK-91 đã có chủ hộ ở dòng 2"),
        (4, "household_code", "Hộ HK-404 chưa có trong sổ và tệp không có chủ hộ hợp lệ của hộ này"),
        (5, "household_code", "Có quan hệ với chủ hộ nhưng thiếu số hộ"),
    ]
    assert (result.inserted, result.households) == (1, 1)
    assert Household.objects.get(code="HK-91").head.full_name == "Lý Văn Long"


def test_a_new_member_joins_a_household_already_in_the_registry(tmp_path):
    first = write(tmp_path, [person("001080000101", "Hồ Văn Việt", sex="M", date_of_birth="1980-01-01",
                                    household_code="HK-101", relation_to_head="Chủ hộ")], name="first.csv")
    later = write(tmp_path, [
        person("001324000102", "Hồ Thị Mai", date_of_birth="2024-01-05", household_code="HK-101",
               relation_to_head="Con"),
        person("001081000103", "Chu Văn Tùng", sex="M", date_of_birth="1981-01-01", household_code="HK-101",
               relation_to_head="Chủ hộ"),
    ], name="later.csv")
    import_citizens(path=first)

    result = import_citizens(path=later)

    assert (result.inserted, result.rejected, result.households) == (1, 1, 0)
    assert result.errors[0].reason == "Hộ HK-101 đã có chủ hộ khác trong sổ"
    household = Household.objects.get(code="HK-101")
    assert sorted(household.members.values_list("full_name", flat=True)) == ["Hồ Thị Mai", "Hồ Văn Việt"]
    assert household.head.full_name == "Hồ Văn Việt"


def test_id_numbers_that_disagree_with_the_record_are_reported_not_imported(tmp_path):
    path = write(tmp_path, [
        person("001099001234", "Đinh Thị Mai", date_of_birth="2000-03-08"),  # says a man born in 1999
        person("001300001235", "Đinh Thị Hoa", date_of_birth="2000-03-08"),
        person("100300001236", "Đinh Thị Hà", date_of_birth="2000-03-08"),  # province 100 does not exist
    ])

    result = import_citizens(path=path)

    assert (result.inserted, result.rejected, result.warnings) == (1, 2, 0)
    assert [(e.row, e.field, e.reason) for e in result.errors] == [
        (2, "id_number", "Số định danh cá nhân không khớp với thông tin của người này: Chữ số thứ 4 (0) không khớp "
                         "giới tính và thế kỷ sinh (mong đợi 3); Chữ số 5–6 (99) không khớp năm sinh 2000"),
        (4, "id_number", "Số định danh cá nhân không khớp với thông tin của người này: Mã tỉnh 100 trong số định "
                         "danh không phải mã tỉnh đã biết"),
    ]
    assert list(Citizen.objects.filter(full_name__startswith="Đinh").values_list("id_number", flat=True)) == [
        "001300001235"]


def test_rows_with_too_long_values_or_the_wrong_number_of_fields_are_rejected(tmp_path):
    path = write(tmp_path, [person("001090000111", "Cao Văn Dũng", sex="M", phone="0912 345 678",
                                   household_code="H" * 21, relation_to_head="Chủ hộ")])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("001090000112,Cao Văn Duy,1990-01-01\n")

    result = import_citizens(path=path)

    assert [(e.row, e.field, e.reason) for e in result.errors] == [
        (2, "household_code", "Quá dài (tối đa 20 ký tự)"),
        (3, "", "Dòng có 3 cột, tiêu đề có 14 cột"),
    ]
    assert Citizen.objects.count() == 0


def test_one_audit_entry_records_the_counts_and_no_id_number(tmp_path):
    path = write(tmp_path, [person("001190000121", "Lương Thị Nga"), person("bad", "Lương Thị Ngân")])

    import_citizens(path=path)

    entry = Entry.objects.get(subject_type="population.import")
    assert entry.action == "create"
    assert {k: entry.detail[k] for k in ("file", "rows", "inserted", "unchanged", "rejected", "households")} == {
        "file": "citizens.csv", "rows": 2, "inserted": 1, "unchanged": 0, "rejected": 1, "households": 0}
    assert not re.search(r"\d{12}", json.dumps(entry.detail).replace(entry.detail["sha256"], ""))


def test_staff_import_only_people_living_in_their_jurisdiction(tmp_path, ba_dinh, officer_ba_dinh):
    admin = make_staff("admin.badinh", "Trịnh Văn Quản", commune_committee(ba_dinh), "agency_admin")
    path = write(tmp_path, [person("001190000131", "Phùng Thị Lan"),
                            person("001190000132", "Phùng Thị Liên", permanent_unit=HOAN_KIEM)])

    result = import_citizens(path=path, actor=admin)

    assert [(e.row, e.field, e.reason) for e in result.errors] == [
        (3, "permanent_unit", "Nơi thường trú ngoài địa bàn của cơ quan bạn")]
    assert list(Citizen.objects.values_list("id_number", flat=True)) == ["001190000131"]
    assert Entry.objects.get(subject_type="population.import").actor == admin
    with pytest.raises(Forbidden):
        import_citizens(path=path, actor=officer_ba_dinh)  # reception staff may look up, not import


def test_the_command_prints_a_summary_and_writes_the_error_report(tmp_path, capsys, ba_dinh):
    make_citizen(ba_dinh, id_number="001190000141", full_name="Quách Thị Thảo", dob=dt.date(1990, 4, 30), sex="F")
    path = write(tmp_path, [person("001190000141", "Quách Thị Thảo"), person("001190000142", "Quách Thị Trang"),
                            person("001190000143", "Quách Thị Trâm", sex="?")])
    report = tmp_path / "errors.csv"

    call_command("population", "-v", "0", "import", str(path), "--report", str(report))

    out = capsys.readouterr().out
    assert "3 dòng: thêm mới 1, không đổi 1, bị từ chối 1" in out
    assert "dòng 4  sex: Giới tính phải là M (nam) hoặc F (nữ)" in out
    with report.open(encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["row", "field", "reason"],
                                        ["4", "sex", "Giới tính phải là M (nam) hoặc F (nữ)"]]


def test_the_command_refuses_a_file_with_wrong_columns_with_a_clear_error(tmp_path):
    path = write(tmp_path, [{"name": "x"}], columns=["name"])

    with pytest.raises(CommandError, match="thiếu cột bắt buộc: id_number, full_name, date_of_birth, sex"):
        call_command("population", "-v", "0", "import", str(path))


def test_a_name_with_invisible_characters_is_reported_and_the_others_kept(tmp_path):
    path = write(tmp_path, [person("001190000151", "Hà Thị\u200b Lan"), person("001190000152", "Hà \u202eThị Liên"),
                            person("001190000153", "Hà Thị Loan")])

    result = import_citizens(path=path)

    assert [(e.row, e.field) for e in result.errors] == [(2, "full_name"), (3, "full_name")]
    assert "U+200B" in result.errors[0].reason and "U+202E" in result.errors[1].reason
    assert list(Citizen.objects.filter(full_name__startswith="Hà").values_list("full_name", flat=True)) == [
        "Hà Thị Loan"]
