"""A procedure's electronic form: built from the version's field definitions, rendered as a web form and validated
on the server (the same validation serves the HTML page and the JSON API).

Files are checked by ``lib.uploads`` (type by extension and content, size, polyglots, active PDF content, bombs,
the malware scanner); addresses resolve to an administrative unit; ID numbers are 12 digits.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from smartcity.lib import uploads
from smartcity.lib.errors import Invalid
from smartcity.lib.idnumber import check_structure, clean_id_number
from smartcity.lib.text import clean_name, clean_text
from smartcity.lib.uploads import MAX_UPLOAD_BYTES, CheckedUpload
from smartcity.places import services as places


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


class _UploadField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            check_upload(upload)
        return upload


def build_form_class(spec: list[dict[str, Any]]) -> type[forms.Form]:
    """A Django form class for a version's ``form`` definition."""
    fields: dict[str, forms.Field] = {}
    for item in spec:
        common = {"label": item["label"], "required": bool(item.get("required")), "help_text": item.get("help", "")}
        kind = item["type"]
        if kind == "text":
            field: forms.Field = (_NameField if _is_person_name(item) else _TextField)(max_length=500, **common)
        elif kind == "number":
            field = forms.DecimalField(max_digits=18, decimal_places=4, **common)
        elif kind == "date":
            field = forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                    widget=forms.DateInput(attrs={"type": "date"}), **common)
        elif kind == "choice":
            choices = [("", "—")] + [(c, c) for c in item["choices"]]
            field = forms.ChoiceField(choices=choices, **common)
        elif kind == "address":
            field = _AddressField(max_length=300, **common)
        elif kind == "id_number":
            field = _IdNumberField(max_length=20, **common)
        elif kind == "file":
            field = _UploadField(**common)
        else:  # a version is validated on publication, so this is a programming error
            raise ValueError(f"unknown field type {kind!r}")
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
