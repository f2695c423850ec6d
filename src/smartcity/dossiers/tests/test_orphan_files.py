"""No orphan files: what a failed submission, approval or return wrote to the file store goes with its transaction,
and the nightly sweep removes what a killed worker left (ISSUE 11, point 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError
from django.utils import timezone

from smartcity.dossiers import services
from smartcity.dossiers.models import Dossier, DossierFile, Status
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.ops import files
from smartcity.vault.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path / "media"
    load_catalogue()
    return settings.MEDIA_ROOT


def stored(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_a_submission_whose_database_fails_after_the_upload_leaves_no_file(an, media, monkeypatch):
    monkeypatch.setattr(services, "next_code", lambda *a, **k: (_ for _ in ()).throw(DatabaseError("down")))
    with pytest.raises(DatabaseError):
        submit(an)
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert stored(media) == []


def test_an_approval_that_fails_after_signing_leaves_no_result_file(an, officer_ba_dinh, leader_ba_dinh, media,
                                                                    monkeypatch):
    code = submit(an).code
    services.apply_operation(user=officer_ba_dinh, code=code, operation="receive")
    services.apply_operation(user=officer_ba_dinh, code=code, operation="assign")
    uploads = stored(media)
    real_record = services.audit.record

    def record(**kwargs):
        if kwargs.get("detail", {}).get("operation") == "approve":
            raise DatabaseError("the audit write failed after the signature")
        return real_record(**kwargs)

    monkeypatch.setattr(services.audit, "record", record)
    with pytest.raises(DatabaseError):
        services.apply_operation(user=leader_ba_dinh, code=code, operation="approve")
    d = Dossier.objects.get(code=code)
    assert (d.status, bool(d.result)) == (Status.PROCESSING, False)
    assert stored(media) == uploads  # the attachments, no result


def test_a_return_that_fails_after_storing_the_vault_copy_leaves_no_copy(an, officer_ba_dinh, leader_ba_dinh, media,
                                                                         monkeypatch):
    code = submit(an).code
    for user, operation in [(officer_ba_dinh, "receive"), (officer_ba_dinh, "assign"), (leader_ba_dinh, "approve")]:
        services.apply_operation(user=user, code=code, operation=operation)
    before = stored(media)
    monkeypatch.setattr(services, "_tell_applicant", lambda *a, **k: (_ for _ in ()).throw(DatabaseError("down")))
    with pytest.raises(DatabaseError):
        services.apply_operation(user=officer_ba_dinh, code=code, operation="return_result")
    assert not Document.objects.exists()
    assert stored(media) == before


def test_the_sweep_removes_files_a_killed_worker_left_and_keeps_every_named_one(an, media):
    dossier = submit(an)
    named = stored(media)
    orphan = media / "dossiers" / "2026" / "01" / "999999" / "0123456789abcdef"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.7 left behind")
    assert files.sweep_orphan_files(now=timezone.now()) == []  # younger than the grace period
    later = timezone.now() + files.GRACE + dt.timedelta(minutes=1)
    assert files.sweep_orphan_files(now=later) == ["dossiers/2026/01/999999/0123456789abcdef"]
    assert stored(media) == named and DossierFile.objects.filter(dossier=dossier).count() == len(named)
