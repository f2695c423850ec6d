"""Where a form takes people's names and ID numbers: names are kept NFC with no invisible characters, and an
applicant's ID number must agree with the date of birth and sex declared beside it."""

from __future__ import annotations

import pytest

from smartcity.procedures.forms import build_form_class

SPEC = [
    {"name": "applicant_full_name", "label": "Họ tên", "type": "text", "required": True, "prefill": "full_name"},
    {"name": "applicant_id_number", "label": "Số định danh", "type": "id_number", "required": True,
     "prefill": "id_number"},
    {"name": "date_of_birth", "label": "Ngày sinh", "type": "date", "required": True, "prefill": "date_of_birth"},
    {"name": "sex", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"], "required": True,
     "prefill": "sex"},
    {"name": "owner_name", "label": "Chủ sở hữu", "type": "text"},
    {"name": "reason", "label": "Lý do", "type": "text"},
]
GOOD = {"applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "001090012345", "date_of_birth": "1990-05-17",
        "sex": "Nam", "owner_name": "Trần Thị Bình", "reason": "Làm hồ sơ"}

pytestmark = pytest.mark.django_db


def form(**changes):
    return build_form_class(SPEC)(data={**GOOD, **changes})


def test_names_and_text_are_stored_composed():
    f = form(applicant_full_name="Nguye\u0302\u0303n  Va\u0306n An", reason="Ly\u0301 do")
    assert f.is_valid(), f.errors
    assert (f.cleaned_data["applicant_full_name"], f.cleaned_data["reason"]) == ("Nguyễn Văn An", "Lý do")


@pytest.mark.parametrize(("changes", "field"), [
    ({"applicant_full_name": "Nguyễn\u200b Văn An"}, "applicant_full_name"),
    ({"applicant_full_name": "Nguyễn Văn \u202enA"}, "applicant_full_name"),
    ({"owner_name": "\ufeffTrần Thị Bình"}, "owner_name"),
    ({"reason": "abc \u2067def"}, "reason"),
])
def test_invisible_or_bidirectional_characters_are_a_field_error(changes, field):
    f = form(**changes)
    assert not f.is_valid()
    assert list(f.errors) == [field]
    assert "U+" in f.errors[field][0]


@pytest.mark.parametrize(("changes", "reason"), [
    ({"sex": "Nữ"}, "Chữ số thứ 4"),
    ({"date_of_birth": "1991-05-17"}, "Chữ số 5–6"),
    ({"date_of_birth": "2090-05-17"}, "thế kỷ"),
    ({"applicant_id_number": "100090012345"}, "Mã tỉnh 100"),
])
def test_an_id_number_that_disagrees_with_the_declared_birth_or_sex_is_an_error_on_the_id_number(changes, reason):
    f = form(**changes)
    assert not f.is_valid()
    assert list(f.errors) == ["applicant_id_number"]
    assert reason in f.errors["applicant_id_number"][0]


def test_a_consistent_applicant_passes():
    assert form().is_valid()
