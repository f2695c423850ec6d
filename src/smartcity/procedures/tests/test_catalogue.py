"""The demo catalogue: real procedures with their facts, found with or without diacritics, shown whole."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.lib.errors import Invalid
from smartcity.procedures import services
from smartcity.procedures.models import Procedure, ProcedureVersion
from smartcity.procedures.schemas import ProcessingTime

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    services.load_catalogue()


def test_the_demo_catalogue_has_at_least_25_procedures_each_with_a_form_and_a_workflow(catalogue):
    assert Procedure.objects.count() >= 25
    for procedure in Procedure.objects.all():
        version = services.version_in_force(procedure, dt.date(2026, 1, 1))
        assert version is not None and version.number == 1
        assert version.form and version.workflow and version.documents
        assert abs(sum(step["share"] for step in version.workflow) - 1) < 0.001


def test_loading_twice_changes_nothing(catalogue):
    assert services.load_catalogue() == 0


def test_birth_registration_carries_its_real_facts(catalogue):
    birth = services.get_procedure("1.001193")
    version = services.version_in_force(birth)
    assert birth.name == "Đăng ký khai sinh" and birth.field.name == "Hộ tịch"
    assert birth.levels == ["commune"] and birth.online_level == "full"
    assert (version.processing_amount, version.processing_unit, version.cut_off) == (0, "same_day", dt.time(15))
    assert "Luật Hộ tịch số 60/2014/QH13" in version.legal_basis


def test_every_procedure_decided_within_the_day_is_a_same_day_procedure(catalogue):
    """"Giải quyết ngay trong ngày" is not "1 working day": the catalogue says so wherever its note does."""
    for version in ProcedureVersion.objects.select_related("procedure"):
        note = version.processing_note.lower()
        within_the_day = note.startswith(("trong ngày", "giải quyết ngay trong ngày"))
        assert (version.processing_unit == "same_day") == within_the_day, version.procedure.code
        if within_the_day:
            assert version.processing_amount == 0 and version.cut_off == dt.time(15)


def test_a_same_day_processing_time_has_no_amount():
    assert ProcessingTime.model_validate({"unit": "same_day"}).amount == 0
    with pytest.raises(ValueError):
        ProcessingTime.model_validate({"amount": 1, "unit": "same_day"})


def test_search_ignores_diacritics_and_case(catalogue):
    assert [p.name for p in services.search(q="dang ky khai sinh")] == ["Đăng ký khai sinh"]
    assert [p.name for p in services.search(q="ĐĂNG KÝ KHAI SINH")] == ["Đăng ký khai sinh"]
    assert services.search(q="1.001193").get().code == "1.001193"


def test_the_words_in_the_order_typed_come_first(catalogue):
    names = [p.name for p in services.search(q="chung thuc")]
    assert names[0].startswith("Chứng thực") and not names[-1].startswith("Chứng thực")


def test_filters_narrow_the_search(catalogue):
    civil_status = services.search(field="Hộ tịch")
    assert civil_status.count() == 6
    assert all(p.online_level == "full" for p in services.search(online_level="full"))
    assert all("province" in p.levels for p in services.search(level="province"))
    with pytest.raises(Invalid) as err:
        services.search(online_level="level-9")
    assert err.value.field == "online_level"


def test_a_new_version_ends_the_previous_one_and_old_dates_still_see_it(catalogue):
    birth = services.get_procedure("1.001193")
    first = services.version_in_force(birth)
    data = {
        "effective_from": "2027-01-01", "documents": first.documents, "fees": first.fees,
        "processing_time": {"amount": 2, "unit": "working_days"}, "form_fields": first.form,
        "workflow": first.workflow,
    }
    second = services.publish_version(procedure=birth, data=data)
    first.refresh_from_db()
    assert (second.number, first.effective_until) == (2, dt.date(2027, 1, 1))
    assert services.version_in_force(birth, dt.date(2026, 12, 31)) == first
    assert services.version_in_force(birth, dt.date(2027, 1, 1)) == second


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"workflow": [{"step": "x", "role": "leader", "level": "commune", "share": 0.5}]}, None),
        ({"effective_from": "2020-01-01"}, "effective_from"),
        ({"form_fields": [{"name": "a", "label": "A", "type": "choice"}]}, "form_fields.0"),
        ({"processing_time": {"amount": -1, "unit": "working_days"}}, "processing_time.amount"),
    ],
)
def test_an_inconsistent_version_is_refused(catalogue, change, field):
    birth = services.get_procedure("1.001193")
    first = services.version_in_force(birth)
    data = {"effective_from": "2027-01-01", "documents": first.documents, "processing_time": {"amount": 1, "unit": "working_days"},
            "form_fields": first.form, "workflow": first.workflow, **change}
    with pytest.raises(Invalid) as err:
        services.publish_version(procedure=birth, data=data)
    assert err.value.field == field
    assert birth.versions.count() == 1


def test_the_catalogue_page_finds_without_diacritics(client, catalogue):
    html = client.get("/thu-tuc/", {"q": "dang ky ket hon"}).content.decode()
    assert "Đăng ký kết hôn" in html and "Đăng ký khai sinh" not in html


def test_the_procedure_page_shows_every_component(client, catalogue):
    html = client.get("/thu-tuc/1.001193/").content.decode()
    for text in ["Đăng ký khai sinh", "Hộ tịch", "Căn cứ pháp lý", "Thành phần hồ sơ", "Phí, lệ phí",
                 "Quy trình giải quyết", "Tờ khai điện tử", "Trong ngày làm việc tiếp nhận", "15:00"]:
        assert text in html, text


def test_an_unknown_procedure_page_is_404(client, catalogue):
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_the_api_pages_by_keyset(client, catalogue):
    first = client.get("/api/v1/procedures", {"limit": 10}).json()
    assert len(first["items"]) == 10 and first["next_after"] == first["items"][-1]["id"]
    second = client.get("/api/v1/procedures", {"limit": 10, "after": first["next_after"]}).json()
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    everything = client.get("/api/v1/procedures", {"limit": 200}).json()
    assert everything["next_after"] is None and len(everything["items"]) == Procedure.objects.count()


def test_the_api_detail_has_the_version_in_force(client, catalogue):
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["version"]["number"] == 1 and body["version"]["cut_off"] == "15:00:00"
    assert body["version"]["workflow"][0]["role"] == "reception"
    assert client.get("/api/v1/procedures/9.999999").status_code == 404
    assert client.get("/api/v1/procedures", {"limit": 0}).json()["errors"][0]["field"] == "limit"


def test_a_database_loaded_before_same_day_procedures_existed_is_corrected_by_the_migration(catalogue):
    import importlib

    from django.apps import apps

    old_entry = ProcedureVersion.objects.filter(procedure__code__in=["1.001193", "2.000815"])
    old_entry.update(processing_unit="working_days", processing_amount=1)
    ProcedureVersion.objects.filter(procedure__code="1.004222").update(processing_amount=1)  # a real 1 day: kept
    importlib.import_module("smartcity.procedures.migrations.0002_processing_same_day").correct_same_day(apps, None)
    assert {(v.processing_unit, v.processing_amount) for v in old_entry} == {("same_day", 0)}
    residence = ProcedureVersion.objects.get(procedure__code="1.004222")
    assert (residence.processing_unit, residence.processing_amount) == ("working_days", 1)
