"""The city's seal on audit checkpoints, through the real demo CA: a checkpoint is signed (CMS, the seal of
000.00.00.H26) and timestamped (RFC 3161, the demo TSA); `audit verify` checks both through the same hook."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartcity.audit import checkpoints
from smartcity.audit import services as audit
from smartcity.signing import services
from smartcity.signing.checkpoints import SealSigner
from smartcity.signing.models import Certificate

pytestmark = pytest.mark.django_db

CITY = "000.00.00.H26"


@pytest.fixture(autouse=True)
def _checkpoint_settings(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    settings.AUDIT_CHECKPOINT_SIGNER = "smartcity.signing.checkpoints.SealSigner"
    settings.AUDIT_CHECKPOINT_SEAL_AGENCY = CITY
    settings.SMARTCITY_TSA_URL = "demo"


def entries(n: int) -> None:
    for i in range(n):
        audit.record(actor=None, action="read", subject_type="population.citizen", subject_id=i)


def test_a_checkpoint_is_sealed_and_timestamped_and_verifies(demo_pki, capsys):
    entries(3)
    written = audit.write_checkpoint()
    assert written.signed and written.unsigned_reason == ""
    document = json.loads(written.path.read_text())
    seal = Certificate.objects.get(kind="seal", agency__code=CITY)
    assert (document["signature"]["agency"], document["signature"]["certificate"]) == (CITY, seal.serial)
    assert document["signature"]["timestamped"] is True
    [loaded] = list(checkpoints.load_all())
    assert loaded.problems == [] and loaded.notes == []
    assert loaded.signed_by == "Ủy ban nhân dân Thành phố Hà Nội"
    assert abs(loaded.timestamp - written.head.at) < dt.timedelta(seconds=30)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Nhật ký toàn vẹn" in out and "lưu ý" not in out


def test_a_signature_over_other_bytes_is_refused(demo_pki):
    entries(2)
    written = audit.write_checkpoint()
    document = json.loads(written.path.read_text())
    document["signature"] = SealSigner().sign(b"another checkpoint")  # a genuine seal, on something else
    os.chmod(written.path, 0o644)
    written.path.write_text(json.dumps(document))
    [problem] = list(audit.verify())
    assert problem.checkpoint == written.path.name
    assert "chữ ký số không hợp lệ (invalid signature): chữ ký không khớp nội dung" in problem.reason


def test_a_garbled_signature_is_refused(demo_pki):
    entries(1)
    written = audit.write_checkpoint()
    document = json.loads(written.path.read_text())
    document["signature"]["cms"] = base64.b64encode(b"not a signature").decode()
    os.chmod(written.path, 0o644)
    written.path.write_text(json.dumps(document))
    assert ["không đọc được chữ ký" in p.reason for p in audit.verify()] == [True]


def test_the_demo_ca_seals_the_checkpoint_agency_even_without_staff(demo_pki, ba_dinh_committee):
    assert set(Certificate.objects.filter(kind="seal").values_list("agency__code", flat=True)) == {
        CITY, ba_dinh_committee.code}


def test_a_seal_revoked_after_the_checkpoint_leaves_it_valid_and_before_it_does_not(demo_pki):
    entries(1)
    audit.write_checkpoint(now=timezone.now() - dt.timedelta(minutes=1))  # CRLs give revocation times in seconds
    seal = Certificate.objects.get(kind="seal", agency__code=CITY)
    services.revoke_certificate(actor=None, certificate=seal, reason="superseded")
    assert list(audit.verify()) == []  # it was good when it sealed
    Certificate.objects.filter(pk=seal.pk).update(revoked_at=timezone.now() - dt.timedelta(days=1))
    [problem] = list(audit.verify())
    assert "chứng thư đã bị thu hồi" in problem.reason


def test_an_hmac_only_checkpoint_after_sealed_ones_is_named(demo_pki, settings):
    entries(1)
    audit.write_checkpoint()
    settings.AUDIT_CHECKPOINT_SIGNER = ""
    entries(1)
    plain = audit.write_checkpoint()
    settings.AUDIT_CHECKPOINT_SIGNER = "smartcity.signing.checkpoints.SealSigner"
    result = audit.verify_all()
    assert result.intact
    assert result.notes[-1] == (f"1 điểm kiểm tra chỉ có HMAC sau điểm đã đóng dấu, xem trường `unsigned` của chúng "
                                f"(HMAC-only after sealed ones): {plain.path.name}")


def test_before_the_demo_ca_exists_checkpoints_have_the_hmac_only_and_verify_says_so(capsys):
    entries(2)
    written = audit.write_checkpoint()
    assert not written.signed and "seal" in written.unsigned_reason
    call_command("audit", "verify")
    assert "1 điểm kiểm tra chỉ có HMAC" in capsys.readouterr().out
