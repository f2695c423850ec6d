"""The officer's workbench: the work queue (tabs with counts, search, filters, sort, paging, bulk actions), choosing
who works the next step, the leader's approvals with the draft result, and the confirmation destructive operations
ask for. Through the pages, with the stored state checked after each change.

Time is frozen on Monday 2 March 2026, 09:00 in Hà Nội (a working day)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from smartcity.audit.models import Action, Entry
from smartcity.conftest import make_citizen, make_staff
from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier, Event, Status
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.lib.workdays import VN_TZ

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def copies(original: Dossier, count: int, *, start: int = 1, **fields) -> list[Dossier]:
    """``count`` more dossiers like ``original`` (each its own applicant, so a page of them has as many applicants
    as rows), with ``fields`` changed."""
    applicants = [make_citizen(original.unit, id_number=f"0010900{start + i:05d}", full_name=f"Người Nộp Số {start + i}",
                               dob=dt.date(1990, 1, 1), sex="M") for i in range(count)]
    rows = []
    for i, applicant in enumerate(applicants):
        clone = Dossier(**{f.attname: getattr(original, f.attname) for f in Dossier._meta.concrete_fields
                           if f.attname != "id"})
        clone.code = f"{original.code}-{start + i:03d}"
        clone.applicant = applicant
        for name, value in fields.items():
            setattr(clone, name, value(i) if callable(value) else value)
        rows.append(clone)
    return Dossier.objects.bulk_create(rows)


def tab(html: str, key: str) -> str:
    """The text of one tab link, its count included."""
    match = re.search(rf'id="tab-{key}">(.*?)</a>', html)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def codes_in(html: str) -> list[str]:
    return re.findall(r'name="codes" value="([^"]+)"', html)


# ------------------------------------------------------------------------------------------------ the queue


def test_the_queue_row_shows_applicant_procedure_received_due_days_left_and_status(client, an, officer_ba_dinh):
    dossier = submit(an)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.PROCESSING, received_at=local("2026-02-27T14:05"),
                                                 appointment_at=local("2026-03-05T17:00"))
    client.force_login(officer_ba_dinh)
    html = client.get("/mot-cua/", {"queue": "to_process"}).content.decode()
    row = html[html.rindex("<tr>", 0, html.index(f'value="{dossier.code}"')):]
    row = row[:row.index("</tr>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1:] == [dossier.code, "Nguyễn Văn An", "Đăng ký khai sinh", "14:05 27/02/2026", "17:00 05/03/2026",
                         "Còn 3 ngày", "Đang xử lý"]
    assert 'data-label="Người nộp"' in row and 'data-label="Còn lại"' in row  # the cards a phone shows


def test_an_overdue_dossier_shows_the_working_days_it_is_late(client, an, officer_ba_dinh):
    dossier = submit(an)
    # Due on Wednesday 25 February; Thursday, Friday and Monday 2 March are the three working days since.
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.PROCESSING, received_at=local("2026-02-20T08:00"),
                                                 appointment_at=local("2026-02-25T17:00"))
    client.force_login(officer_ba_dinh)
    html = client.get("/mot-cua/", {"queue": "overdue"}).content.decode()
    assert codes_in(html) == [dossier.code]
    assert '<span class="badge late">Quá hạn 3 ngày</span>' in html


def test_the_tabs_count_the_visible_dossiers_of_each_state(client, an, binh, hoan_kiem, officer_ba_dinh,
                                                           officer_hoan_kiem):
    original = submit(an)  # new, Ba Đình
    copies(original, 2, status=Status.PROCESSING, appointment_at=local("2026-03-10T17:00"))
    copies(original, 1, start=10, status=Status.PROCESSING, appointment_at=local("2026-02-27T17:00"))  # overdue
    copies(original, 1, start=20, status=Status.SUPPLEMENT)
    copies(original, 1, start=30, status=Status.PROCESSED)
    copies(original, 3, start=40, status=Status.RETURNED)
    services.submit_online(user=binh, procedure_key="1.001193", unit_key=f"2025:commune:{hoan_kiem.code}",
                           data=_fill_for_binh(), files=_files())  # Hoàn Kiếm's: not Ba Đình's business
    client.force_login(officer_ba_dinh)
    html = client.get("/mot-cua/").content.decode()
    assert [tab(html, key) for key in services.TABS] == [
        "Chờ tiếp nhận 1", "Đang xử lý 3", "Chờ bổ sung 1", "Chờ phê duyệt 0", "Chờ trả kết quả 1", "Quá hạn 1",
        "Đã trả kết quả 3"]
    assert tab(html, services.MY_APPROVALS) == ""  # a reception officer approves nothing
    client.force_login(officer_hoan_kiem)
    assert tab(client.get("/mot-cua/").content.decode(), "to_receive") == "Chờ tiếp nhận 1"


def _fill_for_binh():
    from smartcity.dossiers.tests.test_lifecycle import fill

    return fill()


def _files():
    from smartcity.dossiers.tests.test_lifecycle import birth_files

    return birth_files()


def test_a_page_holds_25_dossiers_with_the_range_and_a_link_to_the_next(client, an, officer_ba_dinh):
    original = submit(an)
    copies(original, 29, received_at=lambda i: local("2026-02-02T08:00") + dt.timedelta(hours=i))
    client.force_login(officer_ba_dinh)
    first = client.get("/mot-cua/", {"queue": "to_receive", "sort": "received"}).content.decode()
    assert len(codes_in(first)) == 25 and '<p class="pager-count" id="range">1–25 / 30</p>' in first
    assert 'rel="next" href="?queue=to_receive&amp;sort=received&amp;page=2"' in first
    second = client.get("/mot-cua/", {"queue": "to_receive", "sort": "received", "page": "2"}).content.decode()
    assert '<p class="pager-count" id="range">26–30 / 30</p>' in second
    assert set(codes_in(first)) | set(codes_in(second)) == set(Dossier.objects.values_list("code", flat=True))
    beyond = client.get("/mot-cua/", {"queue": "to_receive", "page": "9"}).content.decode()
    assert '<p class="pager-count" id="range">26–30 / 30</p>' in beyond


def test_a_page_of_25_takes_the_same_few_queries_whatever_its_rows(client, an, officer_ba_dinh,
                                                                    django_assert_max_num_queries):
    original = submit(an)
    copies(original, 40, status=Status.PROCESSING, appointment_at=local("2026-03-10T17:00"))
    client.force_login(officer_ba_dinh)
    client.get("/mot-cua/", {"queue": "to_process"})  # the session and the user warmed up
    # the queue's own 11, and the shell's 3 on every signed-in page: the account's permissions (the back-office link,
    # two queries) and whether it subscribes to environment warnings (the strip)
    with django_assert_max_num_queries(14):
        html = client.get("/mot-cua/", {"queue": "to_process", "q": "Người Nộp"}).content.decode()
    assert len(codes_in(html)) == 25


def test_the_queue_sorts_by_received_and_by_due(client, an, officer_ba_dinh):
    original = submit(an)
    made = copies(original, 3, status=Status.PROCESSING,
                  received_at=lambda i: local("2026-02-23T08:00") + dt.timedelta(days=i),
                  appointment_at=lambda i: local("2026-03-20T17:00") - dt.timedelta(days=i))
    oldest_first = [d.code for d in made]
    client.force_login(officer_ba_dinh)
    for sort, expected in [("received", oldest_first), ("-received", oldest_first[::-1]),
                           ("due", oldest_first[::-1]), ("-due", oldest_first)]:
        html = client.get("/mot-cua/", {"queue": "to_process", "sort": sort}).content.decode()
        assert codes_in(html) == expected, sort


def test_search_by_code_name_and_procedure(client, an, officer_ba_dinh):
    original = submit(an)
    [other] = copies(original, 1)
    client.force_login(officer_ba_dinh)
    assert codes_in(client.get("/mot-cua/", {"q": other.code}).content.decode()) == [other.code]
    assert codes_in(client.get("/mot-cua/", {"q": "Người Nộp"}).content.decode()) == [other.code]
    assert set(codes_in(client.get("/mot-cua/", {"q": "khai sinh"}).content.decode())) == {original.code, other.code}
    html = client.get("/mot-cua/", {"q": "không có ai tên này"}).content.decode()
    assert codes_in(html) == [] and "Không có hồ sơ." in html and tab(html, "to_receive") == "Chờ tiếp nhận 0"


def test_a_search_by_id_number_is_audited_and_stays_within_what_the_officer_sees(
        client, an, officer_ba_dinh, officer_hoan_kiem):
    dossier = submit(an)
    client.force_login(officer_ba_dinh)
    before = Entry.objects.count()
    assert codes_in(client.get("/mot-cua/", {"q": "001090012345"}).content.decode()) == [dossier.code]
    entry = Entry.objects.order_by("-seq").first()
    assert Entry.objects.count() == before + 1
    assert (entry.action, entry.actor_id, entry.person_id, entry.subject_type, entry.purpose) == (
        Action.READ, officer_ba_dinh.pk, an.person_id, "dossiers.dossier",
        "Tìm hồ sơ theo số định danh cá nhân tại hàng đợi một cửa")
    client.force_login(officer_hoan_kiem)  # not his ward's dossier: nothing found, nobody named
    assert codes_in(client.get("/mot-cua/", {"q": "001090012345"}).content.decode()) == []
    entry = Entry.objects.order_by("-seq").first()
    assert (entry.actor_id, entry.person_id, entry.detail) == (officer_hoan_kiem.pk, None, {"outcome": "none_visible"})


def test_filters_by_procedure_received_dates_and_overdue(client, an, officer_ba_dinh):
    from smartcity.procedures.models import Procedure

    original = submit(an)
    early, late = copies(original, 2, status=Status.PROCESSING,
                         received_at=lambda i: local("2026-02-10T10:00") + dt.timedelta(days=10 * i),
                         appointment_at=lambda i: local("2026-02-27T17:00") + dt.timedelta(days=10 * i))
    client.force_login(officer_ba_dinh)
    in_range = client.get("/mot-cua/", {"queue": "to_process", "from": "01/02/2026", "to": "10/02/2026"})
    assert codes_in(in_range.content.decode()) == [early.code]
    assert codes_in(client.get("/mot-cua/", {"queue": "to_process", "overdue": "1"}).content.decode()) == [early.code]
    marriage = Procedure.objects.get(code="1.000894")
    html = client.get("/mot-cua/", {"queue": "to_process", "procedure": marriage.pk}).content.decode()
    assert codes_in(html) == []
    birth = Procedure.objects.get(code="1.001193")
    html = client.get("/mot-cua/", {"queue": "to_process", "procedure": birth.pk}).content.decode()
    assert set(codes_in(html)) == {early.code, late.code}
    assert f'<option value="{birth.pk}" selected>Đăng ký khai sinh</option>' in html


def test_a_date_not_in_dd_mm_yyyy_is_named_and_the_rest_still_works(client, an, officer_ba_dinh):
    dossier = submit(an)
    client.force_login(officer_ba_dinh)
    html = client.get("/mot-cua/", {"from": "2026/13/45"}).content.decode()
    assert "Từ ngày: Ngày phải có dạng dd/mm/yyyy, không phải &#x27;2026/13/45&#x27;" in html
    assert codes_in(html) == [dossier.code]
    html = client.get("/mot-cua/", {"to": "31/02/2026"}).content.decode()
    assert "Đến ngày: Không có ngày 31/02/2026" in html


def test_the_queue_is_for_staff_only(client, an, outsider, officer_ba_dinh):
    dossier = submit(an)
    client.force_login(an)
    assert client.get("/mot-cua/").status_code == 404
    assert client.post("/mot-cua/thao-tac/", {"codes": [dossier.code], "operation": "receive"}).status_code == 404
    client.force_login(outsider)  # staff with no agency see an empty queue
    html = client.get("/mot-cua/").content.decode()
    assert codes_in(html) == [] and tab(html, "to_receive") == "Chờ tiếp nhận 0"
    client.logout()
    assert client.get("/mot-cua/")["Location"].startswith("/account/")
    assert Dossier.objects.get().status == Status.NEW


# ------------------------------------------------------------------------------------------------ bulk


def test_the_bulk_note_is_a_labelled_textarea_saved_in_each_history(client, an, officer_ba_dinh):
    original = submit(an)
    [other] = copies(original, 1)
    client.force_login(officer_ba_dinh)
    html = client.get("/mot-cua/").content.decode()
    assert '<label for="bulk-note">Ghi chú gửi kèm (không bắt buộc)</label>' in html
    assert '<textarea id="bulk-note" name="note" rows="3" maxlength="500"></textarea>' in html
    response = client.post("/mot-cua/thao-tac/", {"codes": [original.code, other.code], "operation": "receive",
                                                  "note": "Đủ giấy tờ", "back": "queue=to_receive"})
    assert response["Location"] == "/mot-cua/?queue=to_receive"
    assert list(Event.objects.filter(operation="receive").values_list("note", flat=True)) == ["Đủ giấy tờ"] * 2


def test_a_bulk_error_keeps_the_note_and_the_ticked_dossiers(client, an, officer_ba_dinh):
    original = submit(an)
    client.force_login(officer_ba_dinh)
    nothing = client.post("/mot-cua/thao-tac/", {"operation": "sideways", "codes": [original.code],
                                                 "note": "Ghi chú dài đã gõ", "back": "queue=to_receive&q=Nguy"})
    html = nothing.content.decode()
    assert nothing.status_code == 400
    assert '<p class="error" role="alert" id="bulk-error">Thao tác hàng loạt là một trong' in html
    assert '<textarea id="bulk-note" name="note" rows="3" maxlength="500">Ghi chú dài đã gõ</textarea>' in html
    assert f'value="{original.code}" id="pick-{original.code}" checked' in html
    assert 'name="q" value="Nguy"' in html  # the search it came from, too
    assert Dossier.objects.get().status == Status.NEW


def test_dossiers_that_fail_in_bulk_stay_ticked_with_their_reason(client, an, officer_ba_dinh):
    original = submit(an)
    ready, busy = copies(original, 2, status=lambda i: (Status.RECEIVED, Status.PROCESSING)[i],
                         appointment_at=local("2026-03-10T17:00"))
    client.force_login(officer_ba_dinh)
    response = client.post("/mot-cua/thao-tac/", {"codes": [ready.code, busy.code], "operation": "assign",
                                                  "note": "Chuyển chuyên viên", "back": "queue=to_process"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "1 hồ sơ chưa thực hiện được; xem lý do ở trên." in html
    assert f"{busy.code}: Không thể «Chuyển xử lý» khi hồ sơ đang ở trạng thái «Đang xử lý»" in html
    assert f'id="pick-{busy.code}" checked' in html and f'id="pick-{ready.code}"><span' in html
    assert '<option value="assign" selected>Chuyển xử lý</option>' in html
    assert ">Chuyển chuyên viên</textarea>" in html
    assert Dossier.objects.get(pk=ready.pk).status == Status.PROCESSING


# ------------------------------------------------------------------------------------------------ assignment


@pytest.fixture
def specialists(ba_dinh, hoan_kiem):
    from smartcity.agencies.services import commune_committee

    return (make_staff("chuyenvien.badinh", "Trịnh Văn Bảo", commune_committee(ba_dinh), "specialist"),
            make_staff("chuyenvien2.badinh", "Ánh Thị Mai", commune_committee(ba_dinh), "specialist"),
            make_staff("chuyenvien.hoankiem", "Đặng Văn Cường", commune_committee(hoan_kiem), "specialist"))


def received(an, officer) -> Dossier:
    dossier = submit(an)
    return services.apply_operation(user=officer, code=dossier.code, operation="receive")


def test_assigning_offers_the_agencys_specialists_and_records_the_choice(client, an, officer_ba_dinh, specialists):
    bao, mai, cuong = specialists
    dossier = received(an, officer_ba_dinh)
    client.force_login(officer_ba_dinh)
    html = client.get(f"/ho-so/{dossier.code}/").content.decode()
    form = html[html.index('id="assignee-assign"'):]
    form = form[:form.index("</select>")]
    assert re.findall(r'<option value="(\d*)">([^<]+)</option>', form) == [
        ("", "— Bất kỳ ai có vai trò của bước này —"), (str(mai.pk), "Ánh Thị Mai"), (str(bao.pk), "Trịnh Văn Bảo")]
    assert "Bước tiếp theo: Công chức tư pháp - hộ tịch thẩm tra, ghi Sổ, lấy Số định danh cá nhân" in html
    client.post(f"/ho-so/{dossier.code}/thao-tac/assign/", {"assignee": str(bao.pk), "note": ""})
    stored = Dossier.objects.get()
    assert (stored.status, stored.step, stored.assignee_id) == (Status.PROCESSING, 1, bao.pk)
    assert Event.objects.filter(operation="assign").get().note == "Giao: Trịnh Văn Bảo"


def test_a_specialist_of_another_agency_cannot_be_chosen_and_nothing_changes(client, an, officer_ba_dinh,
                                                                             specialists):
    dossier = received(an, officer_ba_dinh)
    client.force_login(officer_ba_dinh)
    response = client.post(f"/ho-so/{dossier.code}/thao-tac/assign/", {"assignee": str(specialists[2].pk)},
                           follow=True)
    assert "Người được chọn không thuộc cơ quan xử lý hoặc không có vai trò của bước này" in response.content.decode()
    stored = Dossier.objects.get()
    assert (stored.status, stored.step, stored.assignee_id) == (Status.RECEIVED, 0, None)
    assert not Event.objects.filter(operation="assign").exists()


def test_forwarding_is_offered_while_a_step_follows_and_approving_only_at_the_leaders_step(
        client, an, officer_ba_dinh, leader_ba_dinh, specialists):
    bao = specialists[0]
    dossier = received(an, officer_ba_dinh)
    services.assign_to(user=officer_ba_dinh, code=dossier.code, operation="assign", assignee_id=bao.pk)
    client.force_login(leader_ba_dinh)
    at_specialist = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "/thao-tac/forward/" in at_specialist and "/phe-duyet/" not in at_specialist
    assert client.get(f"/ho-so/{dossier.code}/phe-duyet/").status_code == 404
    client.post(f"/ho-so/{dossier.code}/thao-tac/forward/", {"assignee": str(leader_ba_dinh.pk)})
    stored = Dossier.objects.get()
    assert (stored.step, stored.assignee_id) == (2, leader_ba_dinh.pk)
    at_leader = client.get(f"/ho-so/{dossier.code}/").content.decode()
    assert "/thao-tac/forward/" not in at_leader
    assert f'<a class="button" href="/ho-so/{dossier.code}/phe-duyet/">Xem dự thảo và phê duyệt</a>' in at_leader


def test_a_leader_has_a_tab_of_what_awaits_his_approval(client, an, officer_ba_dinh, leader_ba_dinh, ba_dinh):
    from smartcity.agencies.services import commune_committee

    other_leader = make_staff("pho.badinh", "Lý Thị Ngọc", commune_committee(ba_dinh), "leader")
    mine = received(an, officer_ba_dinh)
    services.apply_operation(user=officer_ba_dinh, code=mine.code, operation="assign")
    services.assign_to(user=leader_ba_dinh, code=mine.code, operation="forward", assignee_id=leader_ba_dinh.pk)
    theirs = received(an, officer_ba_dinh)
    services.apply_operation(user=officer_ba_dinh, code=theirs.code, operation="assign")
    services.assign_to(user=leader_ba_dinh, code=theirs.code, operation="forward", assignee_id=other_leader.pk)
    anyone = received(an, officer_ba_dinh)
    services.apply_operation(user=officer_ba_dinh, code=anyone.code, operation="assign")
    services.apply_operation(user=leader_ba_dinh, code=anyone.code, operation="forward")
    client.force_login(leader_ba_dinh)
    html = client.get("/mot-cua/", {"queue": services.MY_APPROVALS}).content.decode()
    assert tab(html, services.MY_APPROVALS) == "Chờ tôi phê duyệt 2" and tab(html, "to_approve") == "Chờ phê duyệt 3"
    assert set(codes_in(html)) == {mine.code, anyone.code}
    assert html.index('id="tab-mine_to_approve"') < html.index('id="tab-to_receive"')  # his first tab
    landing = client.get("/mot-cua/").content.decode()
    assert '<a href="?queue=mine_to_approve" aria-current="page"' in landing  # he lands on it


def test_the_approval_screen_links_the_draft_result_before_signing(client, an, officer_ba_dinh, leader_ba_dinh):
    dossier = received(an, officer_ba_dinh)
    services.apply_operation(user=officer_ba_dinh, code=dossier.code, operation="assign")
    services.apply_operation(user=leader_ba_dinh, code=dossier.code, operation="forward")
    client.force_login(leader_ba_dinh)
    html = client.get(f"/ho-so/{dossier.code}/phe-duyet/").content.decode()
    assert f'href="/ho-so/{dossier.code}/du-thao-ket-qua.pdf"' in html
    assert f'<form method="post" action="/ho-so/{dossier.code}/thao-tac/approve/">' in html
    draft = client.get(f"/ho-so/{dossier.code}/du-thao-ket-qua.pdf")
    assert draft["Content-Type"] == "application/pdf" and draft.content.startswith(b"%PDF")
    assert draft["Content-Disposition"] == f'inline; filename="du-thao-ket-qua-{dossier.code}.pdf"'
    stored = Dossier.objects.get()
    assert (stored.status, bool(stored.result)) == (Status.PROCESSING, False)  # a preview signs nothing


@pytest.mark.parametrize("who, status", [("leader_ba_dinh", 200), ("officer_ba_dinh", 404),
                                         ("officer_hoan_kiem", 404), ("an", 404), ("outsider", 404)])
@pytest.mark.parametrize("path", ["phe-duyet/", "du-thao-ket-qua.pdf"])
def test_only_the_leader_of_the_handling_agency_opens_the_approval_and_the_draft(
        request, client, an, officer_ba_dinh, leader_ba_dinh, who, status, path):
    dossier = received(an, officer_ba_dinh)
    services.apply_operation(user=officer_ba_dinh, code=dossier.code, operation="assign")
    services.apply_operation(user=leader_ba_dinh, code=dossier.code, operation="forward")
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/ho-so/{dossier.code}/{path}").status_code == status


# ------------------------------------------------------------------------------------------------ actions


def test_the_steps_primary_action_stands_out_and_refusing_is_marked_dangerous(client, an, officer_ba_dinh):
    dossier = submit(an)
    client.force_login(officer_ba_dinh)
    html = client.get(f"/ho-so/{dossier.code}/").content.decode()
    actions = html[html.index('<section class="officer-actions"'):]
    buttons = re.findall(r'<button type="submit" class="([^"]+)">([^<]+)</button>', actions)
    assert buttons[:2] == [("button", "Tiếp nhận"), ("button danger", "Từ chối tiếp nhận")]
    refuse = html[html.index("/thao-tac/refuse/"):]
    refuse = refuse[:refuse.index("</form>")]
    assert '<textarea id="note-refuse" name="note" rows="3" maxlength="1000" required minlength="5"' in refuse
    assert '<input type="checkbox" id="confirm-refuse" name="confirm" value="1" required>' in refuse
    assert "<script" not in html.split("</head>")[1] and " onclick=" not in html  # CSP: no inline script


def test_refusing_needs_the_confirmation_and_a_reason(client, an, officer_ba_dinh):
    dossier = submit(an)
    client.force_login(officer_ba_dinh)
    unconfirmed = client.post(f"/ho-so/{dossier.code}/thao-tac/refuse/", {"note": "Thiếu giấy chứng sinh"},
                              follow=True)
    assert "Hãy đánh dấu «Tôi xác nhận» để thực hiện thao tác «Từ chối tiếp nhận»." in unconfirmed.content.decode()
    assert Dossier.objects.get().status == Status.NEW
    kept = '<textarea id="note-refuse" name="note" rows="3" maxlength="1000" required minlength="5"'
    assert kept + ' aria-describedby="note-hint-refuse">Thiếu giấy chứng sinh</textarea>' in unconfirmed.content.decode()
    again = client.get(f"/ho-so/{dossier.code}/").content.decode()  # shown once, then the form is clean again
    assert kept + ' aria-describedby="note-hint-refuse"></textarea>' in again
    reasonless = client.post(f"/ho-so/{dossier.code}/thao-tac/refuse/", {"note": " ", "confirm": "1"}, follow=True)
    assert "Cần nêu lý do (ít nhất 5 ký tự)" in reasonless.content.decode()
    assert Dossier.objects.get().status == Status.NEW
    client.post(f"/ho-so/{dossier.code}/thao-tac/refuse/", {"note": "Thiếu giấy chứng sinh", "confirm": "1"})
    assert Dossier.objects.get().status == Status.REFUSED
    assert Event.objects.filter(operation="refuse").get().note == "Thiếu giấy chứng sinh"


@pytest.mark.parametrize("who, status", [("officer_hoan_kiem", 404), ("binh", 404), ("outsider", 404)])
def test_a_destructive_operation_on_a_dossier_one_cannot_see_is_404_confirmed_or_not(
        request, client, an, binh, officer_ba_dinh, who, status):
    dossier = submit(an)
    client.force_login(request.getfixturevalue(who))
    for data in ({"note": "Không rõ lý do gì"}, {"note": "Không rõ lý do gì", "confirm": "1"}):
        assert client.post(f"/ho-so/{dossier.code}/thao-tac/refuse/", data).status_code == status
    assert Dossier.objects.get().status == Status.NEW


def test_assigning_on_a_dossier_of_another_ward_is_404(client, an, officer_ba_dinh, officer_hoan_kiem, specialists):
    dossier = received(an, officer_ba_dinh)
    client.force_login(officer_hoan_kiem)
    assert client.post(f"/ho-so/{dossier.code}/thao-tac/assign/",
                       {"assignee": str(specialists[2].pk)}).status_code == 404
    assert Dossier.objects.get().assignee_id is None


# ------------------------------------------------------------------------------------------------ sign-in


def test_the_admin_link_is_for_staff_with_back_office_rights(an, officer_ba_dinh, outsider):
    from django.contrib.auth.models import Permission

    from smartcity.identity.models import User

    assert (an.can_use_admin, officer_ba_dinh.can_use_admin) == (False, False)  # is_staff, but no permission
    officer_ba_dinh.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    assert User.objects.get(pk=officer_ba_dinh.pk).can_use_admin is True
    root = User.objects.create_superuser("root", "root@example.vn", "x")
    assert root.can_use_admin is True
    root.is_active = False
    assert root.can_use_admin is False
