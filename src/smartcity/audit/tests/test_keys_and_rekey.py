"""The chain key: from settings, rotated by putting a new key first, refused when missing in production; and the
conversion of a chain written before the key existed (migration 0004 and `smartcity audit rekey`)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from smartcity.audit import chain, services
from smartcity.audit.models import GENESIS, Entry
from smartcity.audit.services import Actor

pytestmark = pytest.mark.django_db

OLD = chain.new_key("2026-01")
NEW = chain.new_key("2026-12")


def write(n: int) -> list[Entry]:
    actor = Actor(user=None, label="Hệ thống")
    return [services.record(actor=actor, action="read", subject_type="population.citizen", subject_id=i)
            for i in range(1, n + 1)]


def make_legacy() -> None:
    """Turn the log into what the platform wrote before the chain was keyed: plain SHA-256, no key id."""
    prev = GENESIS
    for entry in Entry.objects.order_by("seq"):
        entry.key_id, entry.prev_hash = "", prev
        entry.hash = chain.legacy_value(prev, entry.payload())
        prev = entry.hash
        entry.save(update_fields=["key_id", "prev_hash", "hash"])


def test_a_rotated_key_keeps_old_entries_verifying(settings):
    settings.AUDIT_CHAIN_KEYS = [OLD]
    write(2)
    settings.AUDIT_CHAIN_KEYS = [NEW, OLD]
    write(2)
    assert list(Entry.objects.values_list("key_id", flat=True)) == ["2026-01", "2026-01", "2026-12", "2026-12"]
    assert list(services.verify()) == []


def test_an_entry_whose_key_is_gone_is_named(settings):
    settings.AUDIT_CHAIN_KEYS = [OLD]
    write(1)
    settings.AUDIT_CHAIN_KEYS = [NEW]
    write(1)
    assert [p.reason for p in services.verify()] == [
        "bản ghi #1: khóa 2026-01 không có trong SMARTCITY_AUDIT_KEYS (unknown chain key)"]


def test_a_retired_key_cannot_extend_the_chain_after_the_rotation(settings):
    settings.AUDIT_CHAIN_KEYS = [NEW, OLD]
    write(1)
    settings.AUDIT_CHAIN_KEYS = [OLD]  # whoever has the old key appends with it
    write(1)
    settings.AUDIT_CHAIN_KEYS = [NEW, OLD]
    assert [p.reason for p in services.verify()] == [
        "bản ghi #2: dùng khóa cũ 2026-01 sau khóa mới hơn 2026-12 (retired key used after rotation)"]


@pytest.mark.parametrize("value, message", [
    ("no-colon", "must be id:key"),
    ("bad id:" + "A" * 43, "must be id:key"),
    ("k1:c2hvcnQ", "at least 32 bytes"),
])
def test_malformed_keys_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        chain.check_keys([value])


def test_a_key_id_listed_twice_is_refused():
    with pytest.raises(ValueError, match="appears twice"):
        chain.check_keys([NEW, NEW])


def _settings_load(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTCITY_AUDIT", "DEBUG"))}
    environment.update(env, SECRET_KEY="test-secret-key-for-the-production-settings-check-0123456789")
    return subprocess.run([sys.executable, "-c", "import smartcity.settings"], env=environment, capture_output=True,
                          text=True, timeout=60)


def test_production_refuses_to_serve_without_a_chain_key_and_settings_refuse_a_malformed_one():
    """Without a key the chain's would derive from SECRET_KEY: ``check --deploy`` names it (smartcity.E014, listed
    with every other production problem) and the WSGI application does not load; a malformed key stops the
    settings themselves."""
    from types import SimpleNamespace

    from smartcity import checks
    from smartcity.tests.test_production_checks import PRODUCTION

    without = checks.production_problems(SimpleNamespace(**PRODUCTION | {"AUDIT_CHAIN_KEYS": []}))
    assert [m.id for m in without] == ["smartcity.E014"]
    assert _settings_load(DEBUG="false", SMARTCITY_AUDIT_KEYS=NEW).returncode == 0
    malformed = _settings_load(DEBUG="false", SMARTCITY_AUDIT_KEYS="k1:short")
    assert malformed.returncode != 0 and "at least 32 bytes" in malformed.stderr


def test_rekey_converts_an_old_chain_and_records_it(capsys):
    write(3)
    make_legacy()
    old_head = Entry.objects.get(seq=3).hash
    assert "legacy unkeyed entries" in services.verify_chain().__next__().reason
    call_command("audit", "rekey")
    assert "Đã chuyển 3 bản ghi" in capsys.readouterr().out
    assert list(services.verify()) == []
    assert set(Entry.objects.values_list("key_id", flat=True)) == {chain.keys().current}
    record = Entry.objects.get(seq=4)
    assert (record.subject_type, record.detail["operation"], record.detail["old_head"]) == (
        "audit.chain", "rekey", old_head)
    call_command("audit", "rekey")
    assert "không cần chuyển đổi" in capsys.readouterr().out


def test_rekey_refuses_an_old_chain_that_is_not_intact():
    write(3)
    make_legacy()
    Entry.objects.filter(seq=2).update(purpose="sửa lén")
    with pytest.raises(CommandError, match="chuỗi cũ không toàn vẹn.*bản ghi #2 đã bị sửa"):
        call_command("audit", "rekey")
    assert set(Entry.objects.values_list("key_id", flat=True)) == {""}  # the evidence is left as it was


def test_rekey_refuses_when_checkpoints_hold_the_old_values():
    write(2)
    make_legacy()
    services.write_checkpoint()
    with pytest.raises(CommandError, match="1 điểm kiểm tra"):
        call_command("audit", "rekey")


def test_the_migration_converts_an_intact_old_chain_and_leaves_a_broken_one(capsys):
    migration = importlib.import_module("smartcity.audit.migrations.0004_keyed_chain")
    editor = SimpleNamespace(connection=connection)
    write(3)
    make_legacy()
    Entry.objects.filter(seq=1).update(purpose="sửa lén")
    migration.convert(apps, editor)
    assert "left unconverted" in capsys.readouterr().out
    assert set(Entry.objects.values_list("key_id", flat=True)) == {""}
    make_legacy()  # now intact under the old rule
    migration.convert(apps, editor)
    assert "3 entries converted" in capsys.readouterr().out
    assert list(services.verify()) == []
