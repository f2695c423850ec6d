"""The platform's file store (``MEDIA_ROOT``, Django's default storage): files no row names any more.

``lib.storage.files_follow_transaction`` removes the files of a block that fails; what it cannot see — a worker killed
between the write and the commit, a caller's transaction rolling back around a block that succeeded — this sweep
finds. The store belongs to the platform: every file in it is named by a ``FileField`` of some model, so a file no
field names, older than the grace period, is an orphan.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

from smartcity.lib import storage

# Longer than any transaction that writes a file (a submission with its uploads, a signature with its timestamp).
GRACE = dt.timedelta(hours=6)


def _file_fields() -> list[tuple[type[models.Model], str]]:
    return [(model, field.name) for model in apps.get_models() for field in model._meta.get_fields()
            if isinstance(field, models.FileField)]


def referenced_in(directory: str) -> set[str]:
    """The stored names under ``directory`` (not below it) that some row's file field holds."""
    prefix = f"{directory}/" if directory else ""
    names: set[str] = set()
    for model, field in _file_fields():
        rows = model._default_manager.filter(**{f"{field}__startswith": prefix}).values_list(field, flat=True)
        names.update(name for name in rows if name and "/" not in name[len(prefix):])
    return names


def sweep_orphan_files(*, now: dt.datetime | None = None, grace: dt.timedelta = GRACE) -> list[str]:
    """Delete the files of the store that no row names and that are older than ``grace``; return their names."""
    return storage.sweep(default_storage, referenced=referenced_in, older_than=(now or timezone.now()) - grace)
