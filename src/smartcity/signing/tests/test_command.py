"""`smartcity signing …`: the demo CA, issuing, listing, revoking, registering a PKCS#12 file."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from smartcity.audit.models import Entry
from smartcity.signing import pki
from smartcity.signing.models import Certificate

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("signing", *args, stdout=out)
    return out.getvalue()


def test_demo_ca_then_issue_list_and_revoke(leader_ba_dinh, officer_ba_dinh, ba_dinh_committee):
    assert "cấp mới 1 gốc, 1 TSA, 1 chứng thư cơ quan, 1 chứng thư cán bộ" in run("demo-ca")
    assert "cấp mới 0 gốc, 0 TSA, 0 chứng thư cơ quan, 0 chứng thư cán bộ" in run("demo-ca")

    line = run("issue", "--agency", ba_dinh_committee.code, "--user", "officer.badinh", "--days", "30")
    cert = Certificate.objects.get(kind="officer", user=officer_ba_dinh)
    assert line.startswith(cert.serial) and "CN=Lê Thị Hoa" in line
    assert (cert.not_after - cert.not_before).days == 30

    listing = run("list", "--agency", ba_dinh_committee.code)
    assert len(listing.splitlines()) == 3  # the seal and two officers

    assert "THU HỒI" in run("revoke", cert.serial, "--reason", "key_compromise")
    assert Certificate.objects.get(pk=cert.pk).revocation_reason == "key_compromise"
    entry = Entry.objects.filter(subject_type="signing.certificate", action="update").get()
    assert entry.actor_label == "Quản trị hệ thống (dòng lệnh)" and entry.detail["reason"] == "key_compromise"


def test_errors_are_command_errors(leader_ba_dinh, ba_dinh_committee):
    with pytest.raises(CommandError, match="Chưa có CA thử nghiệm"):
        run("issue", "--agency", ba_dinh_committee.code)
    run("demo-ca")
    with pytest.raises(CommandError, match="Không có cơ quan"):
        run("issue", "--agency", "999.99.99.H99")
    with pytest.raises(CommandError, match="Cán bộ không thuộc cơ quan này"):
        run("issue", "--agency", "000.00.00.H26", "--user", "leader.badinh")
    with pytest.raises(CommandError, match="Không tìm thấy chứng thư số"):
        run("revoke", "abc123")


def test_import_pkcs12(foreign_ca, tmp_path, monkeypatch, ba_dinh_committee):
    key, cert = foreign_ca.issue(ba_dinh_committee.name)
    path = tmp_path / "seal.p12"
    path.write_bytes(pki.pkcs12_bytes(key=key, cert=cert, chain=[], friendly_name="seal", passphrase=b"bi-mat"))
    monkeypatch.setenv("SEAL_PASS", "bi-mat")
    assert pki.serial_hex(cert) in run("import-pkcs12", str(path), "--agency", ba_dinh_committee.code,
                                       "--passphrase-env", "SEAL_PASS")
    assert Certificate.objects.get().key_location == str(path)
