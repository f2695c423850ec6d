"""A procedure's electronic form: built from its definition, validated on the server, prefilled from the registry."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.procedures.forms import MAX_UPLOAD_BYTES, build_form_class, prefill

SPEC = [
    {"name": "full_name", "label": "Họ tên", "type": "text", "required": True, "prefill": "full_name"},
    {"name": "id_number", "label": "Số định danh", "type": "id_number", "required": True, "prefill": "id_number"},
    {"name": "born", "label": "Ngày sinh", "type": "date", "required": True},
    {"name": "sex", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"], "required": True},
    {"name": "area", "label": "Diện tích", "type": "number"},
    {"name": "address", "label": "Địa chỉ", "type": "address"},
    {"name": "paper", "label": "Giấy chứng sinh", "type": "file", "required": True},
]
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
GOOD = {"full_name": "Nguyễn Văn An", "id_number": "001090012345", "born": "2026-01-02", "sex": "Nam",
        "area": "45.5", "address": "12 Phan Đình Phùng, phường Ba Đình, Hà Nội"}


def form(data=None, file=None):
    files = {"paper": file} if file is not None else {}
    return build_form_class(SPEC)(data={**GOOD, **(data or {})}, files=files)


@pytest.mark.django_db
def test_good_input_is_accepted():
    f = form(file=SimpleUploadedFile("giay-chung-sinh.pdf", PDF, "application/pdf"))
    assert f.is_valid(), f.errors
    assert f.cleaned_data["id_number"] == "001090012345"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"id_number": "123"}, "id_number"),
        ({"born": "31/02/2026"}, "born"),
        ({"sex": "Khác"}, "sex"),
        ({"area": "bốn mươi"}, "area"),
        ({"address": "Sao Hỏa"}, "address"),
    ],
)
def test_bad_values_are_errors_on_their_field(data, field):
    f = form(data, SimpleUploadedFile("a.pdf", PDF))
    assert not f.is_valid()
    assert list(f.errors) == [field]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "Chỉ nhận tệp PDF, JPG hoặc PNG"),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>"), "Nội dung tệp không đúng định dạng khai báo"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_UPLOAD_BYTES), "Tệp vượt quá 10 MB"),
    ],
)
def test_wrong_type_and_oversized_files_are_refused(upload, message):
    f = form(file=upload)
    assert not f.is_valid()
    assert f.errors["paper"] == [message]


@pytest.mark.django_db
def test_a_required_file_must_be_attached():
    f = form()
    assert not f.is_valid() and list(f.errors) == ["paper"]


@pytest.mark.django_db
def test_an_empty_file_is_refused():
    f = form(file=SimpleUploadedFile("empty.pdf", b""))
    assert not f.is_valid() and "paper" in f.errors


@pytest.mark.django_db
def test_fields_asking_for_it_are_prefilled_from_the_registry(an):
    assert prefill(SPEC, an.person) == {"full_name": "Nguyễn Văn An", "id_number": "001090012345"}
    assert prefill(SPEC, None) == {}


def test_the_sex_field_bound_to_the_identity_accepts_the_word_the_form_shows():
    """The form shows and sends "Nam"/"Nữ"; the registry keeps "M"/"F": the applicant's own value must pass."""
    import datetime as dt
    from types import SimpleNamespace

    from smartcity.lib.errors import Invalid
    from smartcity.procedures.forms import bind_identity

    citizen = SimpleNamespace(full_name="Nguyễn Văn An", id_number="001090012345", date_of_birth=dt.date(1990, 5, 17),
                              sex="M", get_sex_display=lambda: "Nam", permanent_address="", phone="", email="",
                              permanent_unit=SimpleNamespace(full_name="Phường Ba Đình"))
    spec = [{"name": "sex", "prefill": "sex"}, {"name": "full_name", "prefill": "full_name"}]
    assert bind_identity(spec, {"sex": "Nam", "full_name": ""}, citizen) == {"sex": "Nam", "full_name": "Nguyễn Văn An"}
    try:
        bind_identity(spec, {"sex": "Nữ"}, citizen)
    except Invalid as exc:
        assert exc.field == "sex"
    else:
        raise AssertionError("another sex was accepted")
