"""Trust and revocation: a signature chains to our root or it is untrusted; a revoked certificate is reported as
revoked (from our CRL, served where the certificate says), and can no longer sign."""

from __future__ import annotations

import pytest
from cryptography import x509

from smartcity.lib.errors import Forbidden
from smartcity.signing import services
from smartcity.signing.models import Certificate
from smartcity.signing.tests.conftest import sign_directly

pytestmark = pytest.mark.django_db


def test_a_signature_by_a_certificate_from_an_unknown_ca_is_untrusted(demo_pki, result_pdf, foreign_ca):
    key, cert = foreign_ca.issue("Nguyễn Văn Giả", organization="Ủy ban nhân dân Phường Ba Đình")
    report = services.verify(sign_directly(result_pdf, key, cert, [foreign_ca.cert]))
    [sig] = report.signatures
    assert report.verdict == sig.status == "untrusted"
    assert sig.intact and not sig.modified_after_signing  # the signature itself is sound: only trust is missing
    assert not sig.trusted and sig.trust_anchor == ""
    assert sig.signer.name == "Nguyễn Văn Giả" and sig.signer.kind == ""
    assert any("Không xác lập được chuỗi chứng thư" in reason and "Foreign Test CA" in reason
               for reason in sig.reasons)


def test_a_self_signed_look_alike_of_our_root_is_not_trusted(demo_pki, result_pdf):
    """Same names as our root and an officer, different keys: trust follows keys, not names."""
    from smartcity.signing import pki
    from smartcity.signing.tests.conftest import ForeignCA

    fake = ForeignCA(common_name=services.DEMO_ROOT_NAME)
    key, cert = fake.issue("Vũ Quang Huy", organization="Ủy ban nhân dân Phường Ba Đình")
    assert pki.load_pem(services.demo_root().pem).subject.rfc4514_string().startswith("CN=" + services.DEMO_ROOT_NAME)
    [sig] = services.verify(sign_directly(result_pdf, key, cert, [fake.cert])).signatures
    assert sig.status == "untrusted"


def test_a_revoked_officer_certificate_is_reported_revoked(signed_result, leader_ba_dinh):
    certificate = Certificate.objects.get(kind="officer", user=leader_ba_dinh)
    services.revoke_certificate(actor=None, certificate=certificate, reason="key_compromise")
    report = services.verify(signed_result)
    [sig] = report.signatures
    assert report.verdict == sig.status == "revoked"
    assert sig.revoked and not sig.trusted
    assert sig.revocation_reason == "key_compromise"
    assert abs((sig.revoked_at - Certificate.objects.get(pk=certificate.pk).revoked_at).total_seconds()) < 1
    assert sig.intact and not sig.modified_after_signing
    assert any("đã bị thu hồi" in reason and "lộ khóa bí mật" in reason for reason in sig.reasons)


def test_a_revoked_certificate_can_no_longer_sign(signed_result, result_pdf, leader_ba_dinh, ba_dinh_committee):
    certificate = Certificate.objects.get(kind="officer", user=leader_ba_dinh)
    services.revoke_certificate(actor=None, certificate=certificate, reason="affiliation_changed")
    with pytest.raises(Forbidden, match="Chứng thư số của bạn đã bị thu hồi") as caught:
        services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    assert "your signing certificate has been revoked" in caught.value.message


def test_a_revoked_seal_is_reported_and_refused(demo_pki, result_pdf, officer_ba_dinh, ba_dinh_committee):
    sealed = services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)
    seal_cert = Certificate.objects.get(kind="seal", agency=ba_dinh_committee)
    services.revoke_certificate(actor=None, certificate=seal_cert, reason="superseded")
    assert services.verify(sealed).verdict == "revoked"
    with pytest.raises(Forbidden, match="the agency's seal certificate has been revoked"):
        services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)


def test_the_crl_is_served_where_the_certificate_points(signed_result, client, leader_ba_dinh):
    certificate = Certificate.objects.get(kind="officer", user=leader_ba_dinh)
    parsed = x509.load_pem_x509_certificate(certificate.pem.encode())
    [point] = parsed.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    url = point.full_name[0].value
    assert url.startswith("http://127.0.0.1:8000/chu-ky-so/crl/")
    path = url.removeprefix("http://127.0.0.1:8000")

    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-crl"
    assert x509.load_der_x509_crl(response.content).get_revoked_certificate_by_serial_number(
        parsed.serial_number) is None

    services.revoke_certificate(actor=None, certificate=certificate, reason="key_compromise")
    crl = x509.load_der_x509_crl(client.get(path).content)
    root = x509.load_pem_x509_certificate(services.demo_root().pem.encode())
    assert crl.is_signature_valid(root.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(parsed.serial_number)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
    assert client.get("/chu-ky-so/crl/abcdef.crl").status_code == 404


def test_the_root_certificate_can_be_downloaded(demo_pki, client):
    root = services.demo_root()
    response = client.get(f"/chu-ky-so/ca/{root.serial}.crt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(response.content) == x509.load_pem_x509_certificate(root.pem.encode())


def test_the_demo_pki_is_idempotent_and_replaces_what_was_revoked(leader_ba_dinh, officer_ba_dinh, city_admin):
    first = services.ensure_demo_pki()
    # One seal (Ba Đình: its desk and leader; a city administrator alone does not seal) and one signer.
    assert first == {"root": 1, "tsa": 1, "seal": 1, "officer": 1}
    assert services.ensure_demo_pki() == {"root": 0, "tsa": 0, "seal": 0, "officer": 0}
    assert Certificate.objects.count() == 4
    officer = Certificate.objects.get(kind="officer")
    services.revoke_certificate(actor=None, certificate=officer, reason="superseded")
    assert services.ensure_demo_pki() == {"root": 0, "tsa": 0, "seal": 0, "officer": 1}
    assert Certificate.objects.filter(kind="officer", revoked_at__isnull=True).count() == 1


def test_revoking_twice_is_a_conflict_and_only_admins_revoke(demo_pki, leader_ba_dinh, officer_ba_dinh):
    from smartcity.lib.errors import Conflict

    certificate = Certificate.objects.get(kind="officer", user=leader_ba_dinh)
    with pytest.raises(Forbidden):
        services.revoke_certificate(actor=officer_ba_dinh, certificate=certificate, reason="key_compromise")
    services.revoke_certificate(actor=None, certificate=certificate, reason="key_compromise")
    with pytest.raises(Conflict):
        services.revoke_certificate(actor=None, certificate=certificate, reason="key_compromise")


def test_with_the_demo_ca_switched_off_its_root_is_no_longer_trusted(signed_result, settings):
    settings.SMARTCITY_SIGNING_DEMO_CA = False
    [sig] = services.verify(signed_result).signatures
    assert sig.status == "untrusted"


def test_private_keys_are_not_in_the_database_and_their_files_are_private(demo_pki, settings):
    import os
    import stat

    for cert in Certificate.objects.all():
        assert "PRIVATE KEY" not in cert.pem
        assert cert.key_backend == "pkcs12" and cert.key_secret == "derived"
        path = settings.SMARTCITY_SIGNING_DIR / cert.key_location
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert b"PRIVATE KEY" not in path.read_bytes()


def test_after_the_certificate_expires_the_signature_is_reported_expired_and_it_cannot_sign(
        signed_result, result_pdf, leader_ba_dinh, ba_dinh_committee):
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=800)):
        [sig] = services.verify(signed_result).signatures
        assert sig.status == "expired" and not sig.trusted and not sig.revoked
        assert any("đã hết hạn" in reason for reason in sig.reasons)
        with pytest.raises(Forbidden, match="chưa có chứng thư số còn hiệu lực"):
            services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
