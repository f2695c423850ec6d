"""Files stored in a block that fails are removed with it; the sweep removes what no row names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError
from django.utils import timezone

from smartcity.lib import storage
from smartcity.vault.models import Document

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def document(owner_id: int) -> Document:
    return Document(owner_id=owner_id, title="t", size=1, sha256="ab" * 32, issued_at=timezone.now())


def test_a_file_stored_in_a_block_that_fails_is_removed(settings, tmp_path, an):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(Boom), storage.files_follow_transaction():
        doc = document(an.person_id)
        name = storage.save_file(doc.file, "x.pdf", ContentFile(b"%PDF-1.7 data"))
        assert (tmp_path / name).exists()
        raise Boom
    assert list(tmp_path.rglob("*.pdf")) == []


def test_an_inner_block_that_succeeds_hands_its_files_to_the_outer_one(settings, tmp_path, an):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(DatabaseError), storage.files_follow_transaction():
        with storage.files_follow_transaction():
            storage.save_file(document(an.person_id).file, "inner.pdf", ContentFile(b"%PDF-1.7 a"))
        assert len(list(tmp_path.rglob("*.pdf"))) == 1
        raise DatabaseError("the database went away after the upload")
    assert list(tmp_path.rglob("*.pdf")) == []


def test_a_block_that_succeeds_keeps_its_files(settings, tmp_path, an):
    settings.MEDIA_ROOT = tmp_path
    with storage.files_follow_transaction():
        doc = document(an.person_id)
        name = storage.save_file(doc.file, "kept.pdf", ContentFile(b"%PDF-1.7 b"))
        doc.save()
    assert (tmp_path / name).read_bytes() == b"%PDF-1.7 b"


def test_the_sweep_removes_old_files_no_row_names_and_keeps_the_rest(tmp_path):
    store = FileSystemStorage(location=tmp_path)
    for name in ("a/1/named.pdf", "a/1/orphan.pdf", "a/2/young.pdf", "top.pdf"):
        store.save(name, ContentFile(b"x"))
    later = timezone.now() + dt.timedelta(hours=1)
    asked: list[str] = []

    def referenced(directory: str) -> set[str]:
        asked.append(directory)
        return {"a/1/named.pdf"}

    removed = storage.sweep(store, referenced=referenced, older_than=later)
    assert sorted(removed) == ["a/1/orphan.pdf", "a/2/young.pdf", "top.pdf"]
    assert store.exists("a/1/named.pdf") and sorted(asked) == ["", "a/1", "a/2"]
    store.save("a/2/young.pdf", ContentFile(b"x"))
    assert storage.sweep(store, referenced=referenced, older_than=timezone.now() - dt.timedelta(hours=6)) == []
