"""A backup of a loaded demo restores into an empty instance with every dossier, signed result, audit entry (the
chain verifying) and observation intact — on SQLite, and on PostgreSQL when SMARTCITY_TEST_POSTGRES_URL is set.

Each side is a real instance (its own var/ folder and database) driven through the `smartcity` command, as an
operator would; so these tests run once, in the SQLite pass of the suite."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

SMARTCITY = str(Path(sys.executable).with_name("smartcity"))
POSTGRES_URL = os.environ.get("SMARTCITY_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                                reason="runs once, in the SQLite pass (each side makes its own databases)")

#: What an operator would look at after a restore: counts, and every signed result verified from its file.
FACTS = """
import json
from smartcity.dossiers.models import Dossier
from smartcity.vault.models import Document
from smartcity.sensing.models import Observation
from smartcity.audit.models import Entry
from smartcity.signing import services as signing
entries = Entry.objects.count()  # before verifying, which is audited
signed = [d for d in Document.objects.order_by("pk") if d.signed]
print(json.dumps({
    "dossiers": sorted(Dossier.objects.values_list("code", flat=True)),
    "documents": [(d.sha256, signing.verify(d.file.read()).verdict) for d in signed],
    "audit_entries": entries,
    "observations": Observation.objects.count(),
}))
"""


def _smartcity(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([SMARTCITY, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"smartcity {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


def _instance(tmp_path: Path, name: str, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "SMARTCITY_VAR_DIR": str(tmp_path / name), "PYTHONWARNINGS": "ignore"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _postgres_database(name: str) -> str:
    import psycopg

    base = POSTGRES_URL.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_URL.rsplit('/', 1)[0]}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_backup_restores_into_an_empty_instance_with_everything_intact(tmp_path, vendor):
    names = []
    if vendor == "postgresql":
        if not POSTGRES_URL or shutil.which("pg_dump") is None:
            pytest.skip("set SMARTCITY_TEST_POSTGRES_URL (and have pg_dump) to test PostgreSQL backups")
        names = [f"smartcity_backup_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
        source = _instance(tmp_path, "a", _postgres_database(names[0]))
        target = _instance(tmp_path, "b", _postgres_database(names[1]))
    else:
        source, target = _instance(tmp_path, "a", None), _instance(tmp_path, "b", None)
    try:
        _smartcity(source, "migrate", "--no-input", "-v", "0")
        _smartcity(source, "demo", "load", "--synthetic", "20", "--network-days", "2")
        _smartcity(source, "backup", "--out", str(tmp_path / "backups"))
        before = json.loads(_smartcity(source, "shell", "-c", FACTS).splitlines()[-1])
        [archive] = (tmp_path / "backups").glob("smartcity-backup-*.tar.gz")
        assert archive.stat().st_mode & 0o777 == 0o600  # it holds private keys

        restored = _smartcity(target, "restore", str(archive))
        assert "Khôi phục và kiểm tra xong" in restored and "chuỗi nhật ký nguyên vẹn" in restored
        after = json.loads(_smartcity(target, "shell", "-c", FACTS).splitlines()[-1])
        assert after == before
        assert before["dossiers"] and before["observations"] > 1000 and before["audit_entries"] > 10
        assert before["documents"] and all(verdict == "valid" for _, verdict in before["documents"])
        assert "toàn vẹn" in _smartcity(target, "audit", "verify")
        keys = [p for p in (tmp_path / "b" / "signing").rglob("*") if p.is_file()]
        assert keys and all(p.stat().st_mode & 0o077 == 0 for p in keys)  # restored keys readable by no one else
        # A second restore into the now full instance is refused, and changes nothing.
        again = subprocess.run([SMARTCITY, "restore", str(archive)], env=target, capture_output=True, text=True)
        assert again.returncode != 0 and "không trống" in again.stderr
    finally:
        for name in names:
            _drop_postgres_database(name)


def test_restore_refuses_an_archive_made_under_another_secret_key(tmp_path):
    source = _instance(tmp_path, "a", None)
    _smartcity(source, "migrate", "--no-input", "-v", "0")
    _smartcity(source, "backup", "--out", str(tmp_path / "backups"))
    [archive] = (tmp_path / "backups").glob("*.tar.gz")
    target = {**_instance(tmp_path, "b", None), "SECRET_KEY": "another-secret-key-" + "x" * 40}
    done = subprocess.run([SMARTCITY, "restore", str(archive)], env=target, capture_output=True, text=True)
    assert done.returncode != 0
    assert "SECRET_KEY khác với khi sao lưu" in done.stderr
