"""Backups that restore: the database, then the files the database points at, in one archive with a manifest.

What a backup holds (``smartcity backup``):

* the database — PostgreSQL through ``pg_dump --format=custom`` (one consistent snapshot), SQLite through SQLite's
  online backup API (a consistent copy while the server runs);
* then the file stores — uploaded and signed documents (``MEDIA_ROOT``), the signing keys (``SMARTCITY_SIGNING_DIR``,
  PKCS#12 files), the identity provider's key, the audit checkpoints — copied *after* the database, so every file a
  row of the dump names is in the archive (files are written before the row that names them is committed, and never
  changed in place);
* ``manifest.json``: the row count of every table, the SHA-256 of every file, the latest migration of every app, and
  fingerprints (not values) of the secrets that live outside the backup (``SECRET_KEY``, which the signing keys'
  passphrases derive from; ``SMARTCITY_FIELD_KEYS``; the audit chain keys).

``smartcity restore`` refuses a database that is not empty and a restore under other secrets, restores the database
and the files, then checks every table's count and every file's hash against the manifest and verifies the audit
chain. The secrets themselves are the operator's to keep (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
#: Largest archive member restore will read into memory (the manifest); files are streamed.
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)
    moved_aside: list[str] = field(default_factory=list)


def file_stores() -> dict[str, Path]:
    """The folders and files outside the database that a restore needs, by the name they have in the archive."""
    stores = {"media": Path(settings.MEDIA_ROOT), "signing": Path(settings.SMARTCITY_SIGNING_DIR),
              "identity": Path(settings.OIDC_RSA_PRIVATE_KEY_FILE)}
    checkpoints = getattr(settings, "AUDIT_CHECKPOINT_DIR", None)
    if checkpoints:
        stores["audit-checkpoints"] = Path(checkpoints)
    return stores


def _secret_fingerprints() -> dict[str, str]:
    values = {"SECRET_KEY": settings.SECRET_KEY,
              "SMARTCITY_FIELD_KEYS": ",".join(settings.SMARTCITY_FIELD_KEYS)}
    audit_keys = getattr(settings, "AUDIT_CHAIN_KEYS", None)
    if audit_keys:
        values["AUDIT_CHAIN_KEYS"] = json.dumps(audit_keys, sort_keys=True, default=str)
    return {name: hashlib.sha256(f"smartcity-backup:{name}:{value}".encode()).hexdigest()[:16]
            for name, value in values.items()}


def _table_counts(copy: sqlite3.Connection | None = None) -> dict[str, int]:
    """The row count of each of the platform's tables: in Django's database, or in ``copy`` (an SQLite copy)."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)
                     if model._meta.managed and not model._meta.proxy})
    if copy is not None:
        existing = {name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in tables if table in existing}
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _store_files(name: str, root: Path) -> Iterator[tuple[str, Path]]:
    if root.is_file():
        yield f"files/{name}/{root.name}", root
    elif root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield f"files/{name}/{path.relative_to(root).as_posix()}", path


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the Django database, so no password is on a command line."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} không có trên máy này (PostgreSQL's client tools are needed)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


@contextmanager
def _postgres_snapshot() -> Iterator[str]:
    """A repeatable-read transaction whose snapshot ``pg_dump --snapshot`` shares: the manifest's counts, taken in
    it, and the dump see the same rows while the site goes on writing."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


def _dump_and_count(target: Path) -> tuple[str, dict[str, int]]:
    """The database copied to ``target`` and the row count of each table in that copy."""
    if connection.vendor == "postgresql":
        with _postgres_snapshot() as snapshot:
            counts = _table_counts()
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--snapshot", snapshot,
                  "--file", str(target)], _pg_environment(connection.settings_dict))
        return "database.pgdump", counts
    if connection.vendor == "sqlite":  # the online backup is one consistent copy: count in the copy itself
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy = sqlite3.connect(target)
        try:
            return "database.sqlite3", _table_counts(copy)
        finally:
            copy.close()
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def create(out_dir: Path, *, out: Callable[[str], Any] = print) -> Path:
    """Write ``smartcity-backup-<time>.tar.gz`` into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    archive = out_dir / f"smartcity-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        dump = Path(scratch) / "database"
        database_member, counts = _dump_and_count(dump)
        out(f"cơ sở dữ liệu: {sum(counts.values())} dòng trong {len(counts)} bảng")
        files = [(member, path) for name, root in file_stores().items() for member, path in _store_files(name, root)]
        manifest = {
            "format": FORMAT, "created_at": timezone.now().isoformat(), "vendor": connection.vendor,
            "database": database_member, "tables": counts,
            "files": {member: _sha256(path) for member, path in files},
            "stores": {name: str(path) for name, path in file_stores().items()},
            "migrations": dict(MigrationRecorder.Migration.objects.order_by("app", "name")
                               .values_list("app", "name")),
            "secrets": _secret_fingerprints(),
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=database_member)
            for member, path in files:
                tar.add(path, arcname=member)
        partial.chmod(0o600)  # it holds private keys
        partial.rename(archive)  # never a half-written archive under the final name
    out(f"tệp: {len(files)}; bản sao lưu: {archive}")
    return archive


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        info = tar.getmember("manifest.json")
    except KeyError:
        raise BackupError("không phải bản sao lưu của nền tảng (no manifest.json)") from None
    if info.size > MAX_MANIFEST_BYTES:
        raise BackupError("manifest.json quá lớn")
    handle = tar.extractfile(info)
    if handle is None:
        raise BackupError("manifest.json không phải tệp")
    manifest = json.load(handle)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"định dạng bản sao lưu {manifest.get('format')} không được hỗ trợ (expected {FORMAT})")
    return manifest


def _database_is_empty() -> bool:
    return not [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]


def _restore_database(tar: tarfile.TarFile, manifest: dict[str, Any], scratch: Path) -> None:
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"bản sao lưu của {manifest['vendor']} không khôi phục được vào {connection.vendor}")
    tar.extract(manifest["database"], scratch, filter="data")
    dump = scratch / manifest["database"]
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", connection.settings_dict["NAME"], str(dump)], _pg_environment(connection.settings_dict))
        return
    target = connection.settings_dict["NAME"]
    connections.close_all()
    with sqlite3.connect(dump) as source, sqlite3.connect(target) as destination:
        source.backup(destination)


def _restore_files(tar: tarfile.TarFile, manifest: dict[str, Any], report: RestoreReport) -> None:
    stores = file_stores()
    for member, digest in manifest["files"].items():
        _, store, relative = member.split("/", 2)
        if store not in stores:
            report.problems.append(f"{member}: kho {store!r} không có cấu hình ở đây (not configured here)")
            continue
        root = stores[store]
        if store == "identity" and relative != root.name:  # that store is one file, not its folder
            raise BackupError(f"{member}: không phải tệp khóa định danh (not the identity key file)")
        target = root.parent / relative if store == "identity" else root / relative
        resolved = target.resolve()
        base = (root.parent if store == "identity" else root).resolve()
        if not resolved.is_relative_to(base):
            raise BackupError(f"{member}: đường dẫn ra ngoài kho (path escapes its store)")
        if target.exists() and _sha256(target) != digest:
            # Something made since (the demo's identity key is created when the settings load): kept aside, not lost.
            aside = target.with_name(f"{target.name}.before-restore-{timezone.now():%Y%m%dT%H%M%S}")
            target.rename(aside)
            report.moved_aside.append(str(aside))
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:
            raise BackupError(f"{member}: không phải tệp")
        # Private keys among them: never readable by other local users, whatever the umask.
        with source, os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            shutil.copyfileobj(source, handle)
        if _sha256(target) != digest:
            report.problems.append(f"{member}: mã băm khác manifest (hash differs)")
        report.files += 1


def restore(archive: Path, *, out: Callable[[str], Any] = print) -> RestoreReport:
    """Restore ``archive`` into this instance's (empty) database and file stores, then check it."""
    if not archive.is_file():
        raise BackupError(f"không có tệp {archive}")
    report = RestoreReport()
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as scratch:
        manifest = _manifest(tar)
        differing = [name for name, fp in _secret_fingerprints().items()
                     if name in manifest["secrets"] and manifest["secrets"][name] != fp]
        if differing:
            raise BackupError(f"{', '.join(differing)} khác với khi sao lưu: đặt lại đúng giá trị cũ trước khi khôi phục "
                              "(the signing keys and sealed fields cannot be opened under other secrets)")
        if not _database_is_empty():
            raise BackupError("cơ sở dữ liệu đích không trống: khôi phục vào một cơ sở dữ liệu mới "
                              "(the target database must be empty)")
        _restore_database(tar, manifest, Path(scratch))
        out("đã khôi phục cơ sở dữ liệu")
        _restore_files(tar, manifest, report)
        out(f"đã khôi phục {report.files} tệp")
    counts = _table_counts()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"bảng {table}: {counts.get(table)} dòng, bản sao lưu có {expected}")
    report.tables, report.rows = len(counts), sum(counts.values())
    from smartcity.audit import services as audit

    report.problems += [f"nhật ký truy cập, mục {problem.seq}: {problem.reason}" for problem in audit.verify()]
    return report
