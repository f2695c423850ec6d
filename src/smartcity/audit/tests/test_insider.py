"""What someone with write access to the database, but not the chain key nor the checkpoint storage, can do to
the log, and how `verify` names it: the chain is keyed (an HMAC, so a re-computed plain SHA-256 chain fails) and its
head is anchored in checkpoint files outside the database (so a cut tail or a re-chained log fails too)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartcity.audit import chain, services
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


def sha256_chain(entries: list[Entry]) -> None:
    """The forger's tool: re-compute the whole chain the way it was made before it was keyed (anyone can)."""
    prev = GENESIS
    for entry in sorted(entries, key=lambda e: e.seq):
        entry.prev_hash = prev
        entry.hash = hashlib.sha256(prev.encode() + chain.canonical(chain.payload(entry))).hexdigest()
        prev = entry.hash
    Entry.objects.bulk_update(entries, ["seq", "prev_hash", "hash", "key_id", "purpose"])


def keyed_chain(entries: list[Entry]) -> None:
    """An insider who also holds the chain key re-computes the keyed chain (only the checkpoints catch this)."""
    prev = GENESIS
    for entry in sorted(entries, key=lambda e: e.seq):
        entry.prev_hash = prev
        entry.hash = entry.compute_hash()
        prev = entry.hash
    Entry.objects.bulk_update(entries, ["seq", "prev_hash", "hash", "purpose"])


def reasons() -> list[str]:
    return [p.reason for p in services.verify()]


def test_a_valid_log_with_checkpoints_is_intact(capsys):
    write(3)
    first = services.write_checkpoint()
    write(2)
    second = services.write_checkpoint()
    write(1)
    assert (first.head.count, first.head.last_seq) == (3, 3)
    assert (second.head.count, second.head.last_seq, second.head.head) == (5, 5, Entry.objects.get(seq=5).hash)
    assert list(services.verify()) == []
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Nhật ký toàn vẹn: 6 bản ghi, 2 điểm kiểm tra" in out
    assert "2 điểm kiểm tra chỉ có HMAC" in out  # no signer here: verify says so


def test_entries_carry_the_key_they_were_made_with():
    entry = write(1)[0]
    assert entry.key_id == chain.keys().current and entry.key_id.startswith("sk-")  # derived: the tests set none
    assert entry.hash == chain.keyed_value(chain.keys().secrets[entry.key_id], GENESIS, entry.payload())
    assert entry.hash != chain.legacy_value(GENESIS, entry.payload())


def test_an_edit_with_the_whole_chain_recomputed_without_the_key_is_detected():
    entries = write(4)
    entries[1].purpose = "sửa lén"
    sha256_chain(entries)
    found = list(services.verify())
    assert [(p.seq, p.reason) for p in found] == [(n, f"bản ghi #{n} đã bị sửa (edited)") for n in (1, 2, 3, 4)]


def test_an_edit_recomputed_as_an_old_unkeyed_chain_is_detected():
    entries = write(3)
    entries[0].purpose = "sửa lén"
    for entry in entries:
        entry.key_id = ""  # pretend the entries predate the key
    sha256_chain(entries)
    assert reasons() == ["3 bản ghi (#1–#3) còn theo chuỗi cũ không khóa: chạy `smartcity audit rekey` "
                         "(legacy unkeyed entries)"]


def test_a_deletion_with_the_rest_renumbered_and_rechained_is_detected():
    entries = write(5)
    Entry.objects.filter(seq=3).delete()
    kept = [e for e in entries if e.seq != 3]
    for entry in kept[2:]:  # #4 becomes #3, then #5 becomes #4: no gap left
        entry.seq -= 1
        Entry.objects.filter(pk=entry.pk).update(seq=entry.seq)
    sha256_chain(kept)
    assert Entry.objects.count() == 4 and sorted(Entry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert {p.seq for p in services.verify()} == {1, 2, 3, 4}


def test_the_tail_cut_after_a_checkpoint_is_detected(capsys):
    write(5)
    written = services.write_checkpoint()
    Entry.objects.filter(seq__gte=4).delete()  # no gap, no broken link: only the checkpoint knows
    assert list(services.verify_chain()) == []
    found = list(services.verify())
    assert [p.checkpoint for p in found] == [written.path.name, written.path.name]
    assert found[0].reason == (f"điểm kiểm tra {written.path.name}: bản ghi #5 không còn (entry missing: log cut or "
                               "renumbered)")
    assert found[1].reason == (f"nhật ký bị cắt: điểm kiểm tra {written.path.name} ghi 5 bản ghi đến #5, nay còn 3 "
                               "bản ghi đến #3 (log cut below a checkpoint)")
    with pytest.raises(CommandError, match="2 vấn đề"):
        call_command("audit", "verify")
    assert "nhật ký bị cắt" in capsys.readouterr().err


def test_a_tail_cut_and_regrown_to_the_same_length_is_detected():
    entries = write(4)
    services.write_checkpoint()
    Entry.objects.filter(seq=4).delete()
    write(1)  # a new #4 under the key, but not the one the checkpoint saw
    assert entries[3].hash != Entry.objects.get(seq=4).hash
    assert [p.reason.split(": ", 1)[1] for p in services.verify()] == [
        "bản ghi #4 không còn giá trị chuỗi đã ghi (chain re-computed since the checkpoint)"]


def test_a_chain_recomputed_with_the_key_is_caught_by_the_checkpoint():
    entries = write(4)
    written = services.write_checkpoint()
    entries[1].purpose = "sửa lén"
    keyed_chain(entries)
    assert list(services.verify_chain()) == []  # whoever holds the key can re-compute the chain…
    assert [p.checkpoint for p in services.verify()] == [written.path.name]  # …but not the checkpoint


def test_a_tampered_checkpoint_file_is_detected(checkpoint_dir):
    write(3)
    written = services.write_checkpoint()
    Entry.objects.filter(seq=3).delete()
    path = written.path
    document = json.loads(path.read_text())
    document.update(count=2, last_seq=2, head=Entry.objects.get(seq=2).hash)  # make it agree with the cut log
    os.chmod(path, 0o644)
    path.write_text(json.dumps(document))
    assert reasons() == [f"điểm kiểm tra {path.name}: nội dung đã bị sửa, mã HMAC không khớp (tampered checkpoint)"]


def test_a_checkpoint_removed_from_the_middle_is_detected():
    write(1)
    first = services.write_checkpoint()
    write(1)
    services.write_checkpoint()
    write(1)
    third = services.write_checkpoint()
    assert list(services.verify()) == []
    os.chmod(first.path.parent, 0o755)
    (first.path.parent / sorted(os.listdir(first.path.parent))[1]).unlink()
    assert reasons() == [f"điểm kiểm tra {third.path.name}: điểm kiểm tra trước nó đã bị xóa hoặc sửa "
                         "(previous checkpoint missing or changed)"]


def test_checkpoint_files_are_read_only_and_never_overwritten():
    write(2)
    moment = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    written = services.write_checkpoint(now=moment)
    assert written.path.name == "ckpt-20261207T120000000000Z-000000000002.json"
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o444
    before = written.path.read_bytes()
    with pytest.raises(RuntimeError, match="would not sort after"):
        services.write_checkpoint(now=moment)
    assert written.path.read_bytes() == before
    document = json.loads(before)
    assert {k: document[k] for k in ("count", "last_seq", "previous", "at")} == {
        "count": 2, "last_seq": 2, "previous": "", "at": "2026-12-07T12:00:00.000000+00:00"}
    assert document["unsigned"] == "no signer configured (AUDIT_CHECKPOINT_SIGNER)"


def test_the_checkpoint_command_writes_one(capsys, checkpoint_dir):
    write(2)
    call_command("audit", "checkpoint")
    assert "2 bản ghi đến #2, chỉ HMAC" in capsys.readouterr().out
    assert len(os.listdir(checkpoint_dir)) == 1


def test_without_a_checkpoint_directory_the_command_says_so_and_verify_notes_it(settings, capsys):
    settings.AUDIT_CHECKPOINT_DIR = ""
    write(1)
    with pytest.raises(CommandError, match="AUDIT_CHECKPOINT_DIR"):
        call_command("audit", "checkpoint")
    call_command("audit", "verify")
    assert "không kiểm tra điểm kiểm tra" in capsys.readouterr().out
