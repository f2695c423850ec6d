"""A procedure's electronic form: built from the version's field definitions, rendered as a web form and validated
on the server (the same validation serves the HTML page and the JSON API).

Files are checked by ``lib.uploads`` (type by extension and content, size, polyglots, active PDF content, bombs,
the malware scanner); addresses resolve to an administrative unit; ID numbers are 12 digits.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smartcity.lib import collation, formats, uploads
from smartcity.lib.errors import Invalid
from smartcity.lib.idnumber import check_structure, clean_id_number
from smartcity.lib.text import clean_name, clean_text, fold
from smartcity.lib.uploads import MAX_UPLOAD_BYTES, CheckedUpload
from smartcity.places import services as places
from smartcity.places.models import Level, Structure, Unit
from smartcity.population import countries
from smartcity.population.ethnicities import ETHNICITIES


def check_upload(upload: Any) -> CheckedUpload:
    """``lib.uploads.check_upload`` on a Django upload, as a ``ValidationError``; the result is also kept on the
    upload (``upload.checked``) for whoever stores it. The size is checked before the file is read."""
    checked = getattr(upload, "checked", None)
    if checked is not None:
        return checked
    try:
        if upload.size > MAX_UPLOAD_BYTES:
            raise Invalid(f"Tệp vượt quá {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        checked = uploads.check_upload(upload.name or "", getattr(upload, "content_type", None), data)
    except Invalid as exc:
        raise ValidationError(exc.message) from None
    upload.checked = checked
    return checked


class _CheckedField(forms.CharField):
    """Text that one of the platform's checks cleans (``check(value)`` returns the value to keep or raises
    ``Invalid``); its message becomes the field's error. Empty values are left to ``required``."""

    def check(self, value: str) -> str:
        return value

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return self.check(value)
        except Invalid as exc:
            raise ValidationError(exc.message) from None


class _IdNumberField(_CheckedField):
    def check(self, value: str) -> str:
        return clean_id_number(value)


def _is_person_name(item: dict[str, Any]) -> bool:
    """Fields where people type a person's name (the catalogue's naming: ``applicant_full_name``, ``owner_name`` …)."""
    name = item["name"]
    return item.get("prefill") == "full_name" or name.endswith(("full_name", "head_name", "owner_name")) \
        or name == "intended_spouse"


class _TextField(_CheckedField):
    """Free text as NFC, bidirectional controls refused (``lib.text.clean_text``)."""

    def check(self, value: str) -> str:
        return clean_text(value, field="")


class _NameField(_CheckedField):
    """A person's name: NFC, single spaces, invisible and bidirectional characters refused (``lib.text``)."""

    def check(self, value: str) -> str:
        return clean_name(value, field="")


class _AddressField(_TextField):
    def check(self, value: str) -> str:
        value = super().check(value)
        places.parse_address(value)  # no province named: the city's own
        return value


class _ResidenceField(_AddressField):
    """A place of residence: the house and street with a ward of the city (``ResidenceWidget``)."""

    def check(self, value: str) -> str:
        try:
            return super().check(value)
        except Invalid:
            raise Invalid("Chọn phường/xã nơi cư trú trong danh sách và ghi số nhà, đường phố") from None


class _UploadField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            check_upload(upload)
        return upload


# ------------------------------------------------------------------------------------------------ guidance

#: What a field asks for, by the end of its name (the catalogue's naming), as (hint, example); first match wins.
_BY_NAME: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("place_of_birth",), _("Tên cơ sở y tế nơi sinh (bệnh viện, trạm y tế) và phường/xã; sinh ngoài cơ sở y tế thì "
     "ghi nơi sinh"), "Bệnh viện Phụ sản Hà Nội, Phường Giảng Võ"),
    (("place_of_death",), _("Tên cơ sở y tế hoặc địa chỉ nơi chết, có phường/xã"), "Bệnh viện Bạch Mai, Phường Kim Liên"),
    (("ethnicity",), _("Chọn trong danh mục 54 dân tộc Việt Nam"), "Kinh"),
    (("nationality",), _("Chọn tên nước"), "Việt Nam"),
    (("phone",), _("Số di động 10 chữ số, để cơ quan liên hệ khi cần"), "0912345678"),
    (("email",), _("Địa chỉ nhận thông báo về hồ sơ"), "ten@example.vn"),
    (("full_name", "head_name", "owner_name", "intended_spouse"), _("Viết đầy đủ họ, chữ đệm và tên, có dấu"),
     "Nguyễn Văn An"),
    (("school",), _("Tên trường đầy đủ"), "Trường Tiểu học Thực nghiệm"),
    (("parcel_number", "map_sheet_number"), _("Ghi như trên Giấy chứng nhận quyền sử dụng đất"), "125"),
    (("registration_number", "serial", "license_number", "certificate_number"),
     _("Ghi đúng như trên giấy tờ đã được cấp"), "01A8012345"),
    (("reason", "purpose", "program", "description", "history", "origin", "lines"),
     _("Ghi ngắn gọn, rõ ràng"), ""),
)
_BY_TYPE: dict[str, tuple[str, str]] = {
    "text": ("", ""),
    "number": (_("Chỉ ghi số"), "2"),
    "date": (_("Ngày/tháng/năm, dạng dd/mm/yyyy"), "05/12/2026"),
    "choice": (_("Chọn một mục trong danh sách"), ""),
    "address": (_("Số nhà, đường phố (thôn, tổ dân phố), phường/xã"), "12 Phan Đình Phùng, Phường Ba Đình"),
    "id_number": (_("12 chữ số trên thẻ căn cước hoặc trong VNeID"), "001090012345"),
    "file": (_("PDF, JPG hoặc PNG, tối đa 10 MB"), ""),
}
#: Where the law asks for a place of residence (nơi cư trú, thường trú, tạm trú): the ward is picked from the city's
#: current communes and wards, the house and street typed (the parties to a marriage may live elsewhere: free text).
RESIDENCE_FIELDS = frozenset({"residence", "permanent_address", "new_address", "temporary_address"})
_RESIDENCE_GUIDANCE = (_("Ghi số nhà, đường phố (thôn, tổ dân phố), rồi chọn phường/xã"), "12 Phan Đình Phùng")

#: A file field's stand-ins from the document store: the national codes of the procedures whose result fits it.
ACCEPTS: dict[str, tuple[str, ...]] = {
    "death_record_file": ("1.000656",),  # Trích lục khai tử
    "death_notice_file": ("1.000656",),
    "previous_certificate_file": ("1.004873",),  # Giấy xác nhận tình trạng hôn nhân
    "land_certificate_file": ("1.013978", "1.013831"),  # Giấy chứng nhận quyền sử dụng đất
    "land_papers_file": ("1.013978", "1.013831"),
    "certificate_file": ("1.013978", "1.013831"),
    "ownership_file": ("1.013978", "1.013831"),
    "original_scan_file": ("*",),  # a copy is certified from any original
    "document_file": ("*",),
}


def is_residence(item: dict[str, Any]) -> bool:
    return item["type"] == "address" and item["name"] in RESIDENCE_FIELDS


def kind_of(item: dict[str, Any]) -> str:
    """What the form makes of a field: its type, or ``ethnicity`` / ``nationality`` / ``residence`` where the law
    lists the values (the 54 ethnic groups, the countries) or asks for a place of residence."""
    if item["type"] == "text" and item["name"].endswith(("ethnicity", "nationality")):
        return "ethnicity" if item["name"].endswith("ethnicity") else "nationality"
    return "residence" if is_residence(item) else item["type"]


def guidance(item: dict[str, Any]) -> tuple[str, str]:
    """(hint, example) shown under a field: the version's own, else by the field's name, else by its type."""
    if item.get("hint") or item.get("example"):
        return item.get("hint", ""), item.get("example", "")
    if is_residence(item):
        return _RESIDENCE_GUIDANCE
    if item["type"] in ("text", "address"):
        for endings, hint, example in _BY_NAME:
            if item["name"].endswith(endings):
                return hint, example
    if item["type"] == "choice":
        return _BY_TYPE["choice"][0], item["choices"][0] if item.get("choices") else ""
    return _BY_TYPE.get(item["type"], ("", ""))


def accepts(item: dict[str, Any]) -> tuple[str, ...]:
    """The procedure codes whose results may stand in for the file field ``item`` (``("*",)``: any document)."""
    return tuple(item.get("accepts") or ()) or ACCEPTS.get(item["name"], ())


def accepted(item: dict[str, Any], documents: Any) -> list[Any]:
    """The documents (of the applicant's store) that may stand in for the file field ``item``."""
    codes = accepts(item)
    return [d for d in documents if "*" in codes or (d.procedure_code and d.procedure_code in codes)]


# ------------------------------------------------------------------------------------------------ widgets and fields


def city_communes() -> list[Unit]:
    """The city's current communes and wards (2025 structure) in Vietnamese alphabetical order."""
    return collation.sort(Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE,
                                              province_code=settings.CITY_PROVINCE_CODE).select_related("parent"),
                          by=lambda unit: unit.name)


class DateText(forms.TextInput):
    """A date typed as ``dd/mm/yyyy`` (a browser's date input shows the month first in many locales)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                          "maxlength": "10", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if hasattr(value, "year"):
            return formats.date(value)
        return super().format_value(value)


class _DateField(forms.CharField):
    """``dd/mm/yyyy`` (or ISO from an API client) through ``lib.formats.parse_date``; a ``date`` when clean."""

    widget = DateText

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            return formats.parse_date(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ResidenceWidget(forms.MultiWidget):
    """House and street typed, the ward picked: ``<name>_0`` and ``<name>_1``, joined on the server into one address
    ("12 Phan Đình Phùng, Phường Ba Đình, Thành phố Hà Nội"). A client sending ``<name>`` itself (the JSON API) is
    taken as it is."""

    template_name = "procedures/widgets/residence.html"

    def __init__(self, communes: list[Unit], attrs: dict[str, Any] | None = None) -> None:
        self.communes = communes
        choices = [("", _("— Chọn phường/xã —"))] + [(u.code, u.name) for u in communes]
        super().__init__([forms.TextInput(attrs={"maxlength": "200", "autocomplete": "street-address"}),
                          forms.Select(choices=choices)], attrs)

    def decompress(self, value: Any) -> list[str]:
        """The street and the ward's code of an address; the whole text as the street when no ward of the city is
        named in it."""
        if not value:
            return ["", ""]
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
        by_name = {fold(u.name): u.code for u in self.communes}
        for index, part in enumerate(parts):
            if fold(part) in by_name:
                return [", ".join(parts[:index]), by_name[fold(part)]]
        return [str(value), ""]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:
            return data.get(name)
        street, code = (str(v or "").strip() for v in super().value_from_datadict(data, files, name))
        unit = next((u for u in self.communes if u.code == code), None)
        if unit is None:
            return street if street else ""
        return ", ".join(filter(None, [street, unit.full_name]))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)


def build_form_class(spec: list[dict[str, Any]]) -> type[forms.Form]:
    """A Django form class for a version's ``form`` definition."""
    fields: dict[str, forms.Field] = {}
    communes = None
    for item in spec:
        common = {"label": item["label"], "required": bool(item.get("required")), "help_text": item.get("help", "")}
        kind = kind_of(item)
        if kind == "text":
            field: forms.Field = (_NameField if _is_person_name(item) else _TextField)(max_length=500, **common)
        elif kind == "number":
            field = forms.DecimalField(max_digits=18, decimal_places=4, **common)
        elif kind == "date":
            field = _DateField(max_length=20, **common)
        elif kind == "choice":
            choices = [("", "—")] + [(c, c) for c in item["choices"]]
            field = forms.ChoiceField(choices=choices, **common)
        elif kind == "ethnicity":  # Decision 121-TCTK/PPCĐ, in its order (population.ethnicities)
            field = forms.ChoiceField(choices=[("", "—")] + [(e, e) for e in ETHNICITIES], **common)
        elif kind == "nationality":
            field = forms.ChoiceField(choices=[("", "—"), *countries.choices()], **common)
        elif kind == "residence":
            communes = communes if communes is not None else city_communes()
            field = _ResidenceField(max_length=300, widget=ResidenceWidget(communes), **common)
        elif kind == "address":
            field = _AddressField(max_length=300, **common)
        elif kind == "id_number":
            field = _IdNumberField(max_length=20, **common)
        elif kind == "file":
            field = _UploadField(**common)
        else:  # a version is validated on publication, so this is a programming error
            raise ValueError(f"unknown field type {kind!r}")
        field.hint, field.example = guidance(item)
        if field.hint or field.example:
            field.widget.attrs["aria-describedby"] = f"hint-{item['name']}"
        fields[item["name"]] = field
    by_prefill = {item["prefill"]: item["name"] for item in spec if item.get("prefill")}
    if {"id_number", "date_of_birth", "sex"} <= by_prefill.keys():
        fields["clean"] = _id_number_matches(by_prefill["id_number"], by_prefill["date_of_birth"], by_prefill["sex"])
    return type("ProcedureForm", (forms.Form,), fields)


_SEX_CHOICES = {"Nam": "M", "Nữ": "F"}


def _id_number_matches(id_field: str, birth_field: str, sex_field: str) -> Any:
    """A form-wide check: the applicant's ID number agrees with the date of birth and sex they declared
    (``lib.idnumber.check_structure``), an error on the ID number field otherwise."""

    def clean(form: forms.Form) -> dict[str, Any]:
        cleaned = forms.Form.clean(form)
        number, born, sex = cleaned.get(id_field), cleaned.get(birth_field), _SEX_CHOICES.get(cleaned.get(sex_field))
        if number and born and sex:
            try:
                check_structure(number, sex=sex, date_of_birth=born, province_codes=places.province_codes())
            except Invalid as exc:
                form.add_error(id_field, exc.message)
        return cleaned

    return clean


def prefill(spec: list[dict[str, Any]], citizen: Any) -> dict[str, Any]:
    """Initial values from the signed-in citizen's registry record, for the fields that ask for them."""
    if citizen is None:
        return {}
    values = {
        "full_name": citizen.full_name,
        "id_number": citizen.id_number,
        "date_of_birth": citizen.date_of_birth,
        "sex": citizen.get_sex_display(),
        "permanent_address": ", ".join(filter(None, [citizen.permanent_address, citizen.permanent_unit.full_name])),
        "phone": citizen.phone,
        "email": citizen.email,
    }
    return {item["name"]: values[item["prefill"]] for item in spec if item.get("prefill") in values}


#: Registry facts that say who the applicant is. A field prefilled from one of them is bound to the signed-in
#: identity: the server fills it from the record and refuses another value (contacts — phone, e-mail, address — may
#: differ from the record and stay editable).
IDENTITY_FACTS = ("full_name", "id_number", "date_of_birth", "sex")


def bound_fields(spec: list[dict[str, Any]]) -> list[str]:
    """The names of the fields of ``spec`` that describe the signed-in applicant (see ``IDENTITY_FACTS``)."""
    return [item["name"] for item in spec if item.get("prefill") in IDENTITY_FACTS]


def _same(fact: str, submitted: str, recorded: Any, citizen: Any = None) -> bool:
    from smartcity.lib.formats import parse_date
    from smartcity.lib.text import fold

    if fact == "full_name":
        return fold(submitted) == fold(str(recorded))
    if fact == "id_number":
        return "".join(ch for ch in submitted if ch.isdigit()) == recorded
    if fact == "date_of_birth":
        try:
            return parse_date(submitted) == recorded
        except ValueError:
            return False
    if fact == "sex":  # the form shows and sends the word ("Nam", "Nữ"); the registry keeps the code
        return submitted.strip() in {str(recorded), str(getattr(citizen, "get_sex_display", lambda: recorded)())}
    return submitted.strip() == str(recorded)


def bind_identity(spec: list[dict[str, Any]], data: Any, citizen: Any) -> Any:
    """A copy of ``data`` (a QueryDict or a dict) with the fields that describe the applicant taken from their
    registry record: a field left empty is filled in; a field that names someone else is refused (``Invalid``
    naming it), since a signed-in citizen submits in their own name — declaring for a child or on another's behalf
    is said apart, in the dossier's ``acting_for``."""
    recorded = prefill(spec, citizen)
    bound = data.copy()
    for item in spec:
        fact, name = item.get("prefill"), item["name"]
        if fact not in IDENTITY_FACTS:
            continue
        submitted = str(data.get(name) or "")
        if submitted and not _same(fact, submitted, getattr(citizen, fact), citizen):
            raise Invalid("Trường này lấy từ định danh điện tử của bạn và không sửa được; nộp cho người khác thì "
                          "chọn “Nộp cho” (this field comes from your verified identity)", field=name)
        value = recorded[name]
        bound[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return bound


def serialise(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Form data as JSON for storage (files are stored separately, by the dossier)."""
    out: dict[str, Any] = {}
    for name, value in cleaned.items():
        if hasattr(value, "read"):
            continue
        out[name] = value.isoformat() if hasattr(value, "isoformat") else (str(value) if value is not None else None)
    return out
