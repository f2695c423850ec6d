"""A dossier from online submission to the returned result, with deadlines in Vietnamese working time, and every
out-of-order or out-of-scope operation refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.agencies.models import WorkingDayOverride
from smartcity.agencies.services import working_calendar
from smartcity.audit.models import Entry
from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier, DossierFile, Event, Status
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.workdays import VN_TZ
from smartcity.procedures.forms import IDENTITY_FACTS
from smartcity.procedures.services import load_catalogue

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


def birth_form(**changes):
    data = {"child_full_name": "Nguyễn Minh Khôi", "child_date_of_birth": "2026-11-20", "child_sex": "Nam",
            "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Hà Nội", "child_ethnicity": "Kinh",
            "child_nationality": "Việt Nam",
            "applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "001090012345",
            "relationship_to_child": "Cha"}
    data.update(changes)
    return data


def birth_files():
    from smartcity.procedures.services import get_procedure, version_in_force

    spec = version_in_force(get_procedure("1.001193")).form
    return {f["name"]: SimpleUploadedFile(f"{f['name']}.pdf", PDF, "application/pdf")
            for f in spec if f["type"] == "file" and f.get("required")}


def required_text_fields():
    from smartcity.procedures.services import get_procedure, version_in_force

    spec = version_in_force(get_procedure("1.001193")).form
    return {f["name"]: f for f in spec if f["type"] != "file"}


def fill(**changes):
    """The birth-registration form filled in, but for the fields that describe the applicant: the server takes
    those from the applicant's verified identity (``procedures.forms.bind_identity``)."""
    data = {}
    for name, field in required_text_fields().items():
        if field.get("prefill") in IDENTITY_FACTS:
            continue
        if field["type"] == "choice":
            data[name] = field["choices"][0]
        elif name.endswith("ethnicity"):
            data[name] = "Kinh"
        elif name.endswith("nationality"):
            data[name] = "Việt Nam"
        elif field["type"] == "date":
            data[name] = "2026-11-20"
        elif field["type"] == "id_number":
            data[name] = "001090012345"
        elif field["type"] == "address":
            data[name] = "Phường Ba Đình, Hà Nội"
        elif field["type"] == "number":
            data[name] = "1"
        else:
            data[name] = "Nguyễn Minh Khôi"
    data.update(changes)
    return data


def submit(an, **changes):
    return services.submit_online(user=an, procedure_key="1.001193", unit_key="2025:commune:00004",
                                  data=fill(**changes), files=birth_files())


@time_machine.travel(at("2026-11-25T09:30"), tick=False)
def test_a_citizen_submits_online_and_the_dossier_gets_its_national_code(an):
    dossier = submit(an)
    assert dossier.status == Status.NEW and dossier.channel == 1
    assert dossier.agency.name == "Ủy ban nhân dân Phường Ba Đình"
    assert dossier.code == f"{dossier.agency.code}-261125-0001"
    assert submit(an).code.endswith("-261125-0002")
    assert dossier.version.procedure.code == "1.001193"
    assert DossierFile.objects.filter(dossier=dossier).count() == len(birth_files())
    assert Event.objects.get(dossier=dossier).operation == "submit"


def test_bad_form_input_writes_nothing(an):
    field = next(n for n, f in required_text_fields().items() if f["type"] == "id_number")
    with pytest.raises(Invalid) as err:
        submit(an, **{field: "12345"})
    assert err.value.field == field
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


def test_a_dossier_needs_its_required_files(an):
    files = birth_files()
    name = next(iter(files))
    files.pop(name)
    with pytest.raises(Invalid) as err:
        services.submit_online(user=an, procedure_key="1.001193", unit_key="2025:commune:00004", data=fill(),
                               files=files)
    assert err.value.field == name
    assert not Dossier.objects.exists()


def test_staff_cannot_submit_as_citizens(officer_ba_dinh):
    with pytest.raises(Forbidden):
        services.submit_online(user=officer_ba_dinh, procedure_key="1.001193", unit_key="00004", data={}, files={})


def test_the_whole_way_with_a_supplement_is_on_time(an, officer_ba_dinh, leader_ba_dinh):
    from smartcity.agencies.services import add_membership, commune_committee
    from smartcity.conftest import commune

    add_membership(user=leader_ba_dinh, agency=commune_committee(commune("Phường Ba Đình")), role="specialist")
    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        code = submit(an).code
    with time_machine.travel(at("2026-11-25T10:00"), tick=False):
        d = services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    # birth registration: decided within the day, cut-off 15:00 → Wednesday 17:00
    assert (d.status, d.appointment_at) == (Status.RECEIVED, at("2026-11-25T17:00"))
    with time_machine.travel(at("2026-11-25T10:05"), tick=False):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
    with time_machine.travel(at("2026-11-25T11:00"), tick=False):
        d = services.apply_operation(user=leader_ba_dinh, code=code, operation="request_supplement",
                                     note="Thiếu bản sao giấy chứng sinh")
    assert (d.status, d.supplement_count) == (Status.SUPPLEMENT, 1)
    with time_machine.travel(at("2026-11-25T14:00"), tick=False):  # 2 working hours later (lunch excluded)
        d = services.apply_operation(user=an, code=code, operation="supplement", note="Bổ sung giấy chứng sinh",
                                     files={"extra": SimpleUploadedFile("gcs.pdf", PDF)})
    assert d.paused_hours == 2 and d.appointment_at == at("2026-11-26T10:00")
    with time_machine.travel(at("2026-11-26T09:00"), tick=False):
        d = services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    assert d.status == Status.PROCESSED and services.is_on_time(d) is True
    with time_machine.travel(at("2026-11-26T09:30"), tick=False):
        d = services.apply_operation(user=officer_ba_dinh, code=code, operation="return_result")
    assert d.status == Status.RETURNED
    assert [e.operation for e in d.events.all()] == [
        "submit", "receive", "assign", "request_supplement", "supplement", "approve", "return_result"]
    assert Entry.objects.filter(action="state", person_id=an.person_id).count() == 6


def test_a_dossier_received_after_the_cut_off_starts_the_next_working_day(an, officer_ba_dinh):
    with time_machine.travel(at("2026-11-27T15:30"), tick=False):  # Friday after 15:00
        code = submit(an).code
        d = services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    # the next working day, Monday, counts whole: the result is due by its close
    assert d.processing_start == at("2026-11-30T08:00") and d.appointment_at == at("2026-11-30T17:00")


def test_a_same_day_dossier_received_before_the_cut_off_is_due_that_evening(an, officer_ba_dinh):
    with time_machine.travel(at("2026-11-27T14:59"), tick=False):  # Friday before 15:00
        d = services.apply_operation(user=officer_ba_dinh, code=submit(an).code, operation="receive")
    assert d.processing_start == at("2026-11-27T14:59") and d.appointment_at == at("2026-11-27T17:00")


def test_a_same_day_dossier_received_on_a_non_working_day_is_due_the_next_working_evening(an, officer_ba_dinh):
    with time_machine.travel(at("2026-11-28T10:00"), tick=False):  # Saturday
        d = services.apply_operation(user=officer_ba_dinh, code=submit(an).code, operation="receive")
    assert d.appointment_at == at("2026-11-30T17:00")


def test_a_same_day_dossier_returned_at_half_past_four_counts_on_time(an, officer_ba_dinh, leader_ba_dinh):
    from smartcity.dossiers import statistics

    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        code = submit(an).code
        services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
        services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
    with time_machine.travel(at("2026-11-25T16:30"), tick=False):
        d = services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
        d = services.apply_operation(user=officer_ba_dinh, code=code, operation="return_result")
    assert d.status == Status.RETURNED and services.is_on_time(d) is True
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        [row] = statistics.compute(at("2026-11-01T00:00"), at("2026-12-01T00:00"))
    assert (row["processed"], row["processed_on_time"], row["processed_late"]) == (1, 1, 0)


def test_the_citys_override_table_moves_the_appointment(an, officer_ba_dinh):
    WorkingDayOverride.objects.create(day=dt.date(2026, 11, 26), is_working_day=False, reason="Quyết định thử")
    with time_machine.travel(at("2026-11-25T15:30"), tick=False):  # after the cut-off: Thursday is off → Friday
        d = services.apply_operation(user=officer_ba_dinh, code=submit(an).code, operation="receive")
    assert d.appointment_at == at("2026-11-27T17:00")


def test_an_extension_or_two_supplement_requests_make_it_late(an, officer_ba_dinh, leader_ba_dinh):
    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        code = submit(an).code
        services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
        services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
        d = services.apply_operation(user=leader_ba_dinh, code=code, operation="extend", note="Cần xác minh thêm",
                                     new_appointment=at("2026-11-30T10:00"))
        d = services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    assert d.extended and d.finished_at <= d.appointment_at and services.is_on_time(d) is False


def test_operations_out_of_order_are_conflicts_naming_what_is_allowed(an, officer_ba_dinh, leader_ba_dinh):
    code = submit(an).code
    with pytest.raises(Conflict) as err:
        services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    assert "thao tác được phép" in err.value.message and err.value.field == "operation"
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    with pytest.raises(Conflict):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    assert Dossier.objects.get(code=code).status == Status.RECEIVED


def test_a_reception_officer_cannot_approve(an, officer_ba_dinh):
    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
    with pytest.raises(Forbidden):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="approve")


def test_staff_of_another_ward_and_other_citizens_do_not_see_the_dossier(an, binh, officer_hoan_kiem):
    code = submit(an).code
    for outsider in (officer_hoan_kiem, binh):
        with pytest.raises(NotFound):
            services.get_dossier_for(outsider, code)
        with pytest.raises(NotFound):
            services.apply_operation(user=outsider, code=code, operation="receive")
    assert Dossier.objects.get(code=code).status == Status.NEW


def test_refusing_needs_a_reason(an, officer_ba_dinh):
    code = submit(an).code
    with pytest.raises(Invalid) as err:
        services.apply_operation(user=officer_ba_dinh, code=code, operation="refuse", note="")
    assert err.value.field == "note"
    d = services.apply_operation(user=officer_ba_dinh, code=code, operation="refuse", note="Không thuộc thẩm quyền")
    assert d.status == Status.REFUSED


def test_a_transfer_moves_the_dossier_to_another_agency(an, officer_ba_dinh, officer_hoan_kiem):
    from smartcity.agencies.services import commune_committee
    from smartcity.conftest import commune

    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    target = commune_committee(commune("Phường Hoàn Kiếm")).code
    d = services.apply_operation(user=officer_ba_dinh, code=code, operation="transfer", note="Chuyển đúng thẩm quyền",
                                 to_agency=target)
    assert d.agency.code == target
    assert services.get_dossier_for(officer_hoan_kiem, code) == d
    assert services.get_dossier_for(officer_ba_dinh, code) == d  # the receiving ward still follows it


def test_the_applicant_withdraws(an):
    code = submit(an).code
    d = services.apply_operation(user=an, code=code, operation="withdraw", note="Tôi nộp nhầm thủ tục")
    assert d.status == Status.WITHDRAWN


def test_tracking_shows_progress_without_personal_data(an):
    dossier = submit(an)
    tracked = services.track(dossier.code, secret=dossier.tracking_secret)
    text = str(tracked)
    assert tracked.status_label == "Mới đăng ký"
    assert "Nguyễn Văn An" not in text and "001090012345" not in text
    with pytest.raises(NotFound):
        services.track("000.00.00.H26-000000-0000")
    with pytest.raises(NotFound):
        services.track(dossier.code)  # the code alone is a guessable sequence
    with pytest.raises(NotFound):
        services.track(dossier.code, secret="")
    assert services.track(dossier.code, user=an).code == dossier.code  # the applicant needs no secret


def test_every_dossier_gets_its_own_tracking_secret(an, binh):
    first, second = submit(an), submit(binh)
    assert len(first.tracking_secret) == 8 and first.tracking_secret != second.tracking_secret
    assert services.tracking_url(first).endswith(f"/tra-cuu/?code={first.code}&secret={first.tracking_secret}")


def test_a_dossier_state_change_queues_the_applicants_notice(settings, an, officer_ba_dinh):
    from smartcity.notifications.models import Message

    settings.NOTIFY_CHANNELS = ["email"]
    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    subjects = list(Message.objects.order_by("id").values_list("recipient", "subject"))
    assert subjects == [("an@example.vn", f"Hồ sơ {code}: Mới đăng ký"), ("an@example.vn", f"Hồ sơ {code}: Được tiếp nhận")]
    assert "Ngày hẹn trả kết quả" in Message.objects.order_by("id").last().body


def test_each_workflow_step_gets_its_own_deadline_from_its_share(an, officer_ba_dinh, leader_ba_dinh):
    from smartcity.agencies.services import add_membership, commune_committee
    from smartcity.conftest import commune

    add_membership(user=leader_ba_dinh, agency=commune_committee(commune("Phường Ba Đình")), role="specialist")
    with time_machine.travel(at("2026-11-25T08:00"), tick=False):
        code = submit(an).code
        d = services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    workflow = d.version.workflow
    total = 8.0  # birth registration: one working day
    assert d.step == 0
    assert d.step_due_at == working_calendar().add_working_hours(at("2026-11-25T08:00"), total * workflow[0]["share"])
    with time_machine.travel(at("2026-11-25T09:00"), tick=False):
        d = services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
    assert d.step == 1
    assert d.step_due_at == working_calendar().add_working_hours(at("2026-11-25T09:00"), total * workflow[1]["share"])
    assert d.events.get(operation="assign").step_due_at == d.step_due_at


def test_a_document_from_the_applicants_store_stands_in_for_an_upload(an, binh, monkeypatch):
    from smartcity.procedures import forms
    from smartcity.vault import services as vault

    stored = vault.store(owner_id=an.person_id, pdf=PDF, title="Giấy chứng sinh", reference="X-1",
                         procedure_code="9.999999")
    files = birth_files()
    name = next(iter(files))
    del files[name]
    wrong = vault.store(owner_id=an.person_id, pdf=PDF.replace(b"1.7", b"1.6"), title="Trích lục khai tử", reference="X-2",
                        procedure_code="1.000656")
    monkeypatch.setitem(forms.ACCEPTS, name, ("9.999999",))  # this field takes results of procedure 9.999999
    with pytest.raises(Invalid) as other_kind:  # a document of another kind, sent by hand, is refused
        services.submit_online(user=an, procedure_key="1.001193", unit_key="2025:commune:00004",
                               data={**fill(), f"{name}__kho": str(wrong.pk)}, files=files)
    assert other_kind.value.field == name and "không phải loại giấy tờ" in other_kind.value.message
    with pytest.raises(Invalid) as missing:
        services.submit_online(user=an, procedure_key="1.001193", unit_key="2025:commune:00004", data=fill(),
                               files=files)
    assert missing.value.field == name
    d = services.submit_online(user=an, procedure_key="1.001193", unit_key="2025:commune:00004",
                               data={**fill(), f"{name}__kho": str(stored.pk)}, files=files)
    assert d.reused_documents == 1
    assert d.files.get(field=name).sha256 == stored.sha256
    with pytest.raises(Invalid) as foreign:  # someone else's document does not exist for Bình
        services.submit_online(user=binh, procedure_key="1.001193", unit_key="2025:commune:00004",
                               data={**fill(), f"{name}__kho": str(stored.pk)}, files=birth_files() | {name: None})
    assert foreign.value.field == name and Dossier.objects.count() == 1


def test_the_migration_gives_each_existing_dossier_its_own_tracking_secret(an, binh):
    import importlib

    from django.apps import apps

    submit(an), submit(binh)
    Dossier.objects.update(tracking_secret="")  # as the column's database default leaves existing rows
    importlib.import_module("smartcity.dossiers.migrations.0013_tracking_secret").backfill(apps, None)
    secrets = set(Dossier.objects.values_list("tracking_secret", flat=True))
    assert len(secrets) == 2 and all(len(s) == 8 for s in secrets)
