"""The audit log is a hash chain: `smartcity audit verify` names every edited or deleted entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartcity.audit import services
from smartcity.audit.models import GENESIS, Entry
from smartcity.audit.services import Actor

pytestmark = pytest.mark.django_db


def write(n: int) -> list[Entry]:
    actor = Actor(user=None, label="Hệ thống", role="", agency="UBND Phường Ba Đình")
    return [
        services.record(actor=actor, action="read", subject_type="population.citizen", subject_id=i, person_id=i,
                        purpose=f"mục đích {i}")
        for i in range(1, n + 1)
    ]


def test_entries_link_to_the_one_before():
    first, second, third = write(3)
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert list(services.verify()) == []


def test_an_intact_log_verifies(capsys):
    write(3)
    call_command("audit", "verify")
    assert "Nhật ký toàn vẹn: 3 bản ghi" in capsys.readouterr().out


def test_an_edited_entry_is_named():
    write(4)
    Entry.objects.filter(seq=2).update(purpose="sửa lén")  # an UPDATE behind the application's back
    problems = list(services.verify())
    assert [(p.seq, p.reason) for p in problems] == [(2, "bản ghi #2 đã bị sửa (edited)")]


def test_a_deleted_entry_is_named():
    write(5)
    Entry.objects.filter(seq=3).delete()
    assert [p.reason for p in services.verify()] == ["bản ghi #3 đã bị xóa (deleted)"]


def test_a_rewritten_chain_tail_is_caught_where_it_breaks():
    entries = write(3)
    forged = entries[1]
    forged.purpose = "giả mạo"
    forged.hash = forged.compute_hash()  # the forger re-hashes the entry but cannot fix the next link
    forged.save()
    assert [(p.seq, p.reason) for p in services.verify()] == [
        (3, "bản ghi #3: liên kết với bản ghi trước bị sai (chain broken)")
    ]


def test_the_command_fails_and_lists_the_problems(capsys):
    write(3)
    Entry.objects.filter(seq=1).update(subject_id="999")
    with pytest.raises(CommandError, match="1 vấn đề"):
        call_command("audit", "verify")
    assert "bản ghi #1 đã bị sửa" in capsys.readouterr().err


def test_the_back_office_cannot_add_change_or_delete_entries(rf, admin_user):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[Entry]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
