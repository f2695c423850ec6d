"""Stored files that follow the transaction that refers to them.

A file is written to storage before the row that names it is committed. When the transaction then rolls back — the
database fails after an upload, a later check refuses the dossier, a signature cannot be made — the row is gone but
the file would stay, referenced by nothing: an orphan holding personal data nobody can see, list or delete.

Two parts close that:

* ``files_follow_transaction()`` runs a block in one transaction and removes again every file that
  ``save_file()`` stored inside it when the block fails. Blocks nest: an inner block that succeeds hands its files
  to the enclosing one, which removes them if it fails later.
* ``sweep()`` finds what no guard could see — the process killed between the write and the commit, or a caller's
  own ``transaction.atomic()`` around a guarded block rolling back — by walking a storage and deleting the files
  that no row names and that are older than a grace period (the periodic job ``ops.sweep_orphan_files``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile

# The files written in the innermost open guard, as (storage, name); None outside every guard.
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("smartcity_files_written", default=None)


def save_file(field_file: FieldFile, name: str, content: Any) -> str:
    """Store ``content`` through ``field_file`` (not saving its model) and let the enclosing guard know."""
    field_file.save(name, content, save=False)
    written = _written.get()
    if written is not None:
        written.append((field_file.storage, field_file.name or ""))
    return field_file.name or ""


@contextmanager
def files_follow_transaction(using: str | None = None) -> Iterator[None]:
    """``transaction.atomic()`` that also undoes the files ``save_file()`` stored in it when it fails. Usable as a
    decorator (each call gets its own block)."""
    outer = _written.get()
    written: list[tuple[Storage, str]] = []
    token = _written.set(written)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _remove(written)
        raise
    else:
        if outer is not None:
            outer.extend(written)
    finally:
        _written.reset(token)


def _remove(written: list[tuple[Storage, str]]) -> None:
    for storage, name in written:
        if name:
            storage.delete(name)


def sweep(storage: Storage, *, referenced: Callable[[str], set[str]], older_than: dt.datetime,
          top: str = "") -> list[str]:
    """Delete the files under ``top`` that no row names and that were last changed before ``older_than``; return
    their names. ``referenced(directory)`` gives the names stored in rows that lie in that directory (one call per
    directory, so a store of millions of files is never held in memory at once). The grace period keeps a file
    whose transaction is still open."""
    removed: list[str] = []
    directories, files = storage.listdir(top)
    if files:
        known = referenced(top)
        for filename in files:
            name = f"{top}/{filename}" if top else filename
            if name not in known and storage.get_modified_time(name) < older_than:
                storage.delete(name)
                removed.append(name)
    for directory in directories:
        removed += sweep(storage, referenced=referenced, older_than=older_than,
                         top=f"{top}/{directory}" if top else directory)
    return removed
