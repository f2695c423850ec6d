"""Production certificates: a PKCS#12 file a real CA issued (registered in place, passphrase from the environment),
trusted through SMARTCITY_SIGNING_TRUST_ROOTS; our revocation of it is honoured even though its CA does not know."""

from __future__ import annotations

import pytest

from smartcity.lib.errors import Conflict, Invalid
from smartcity.signing import pki, services
from smartcity.signing.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def seal_p12(foreign_ca, tmp_path, monkeypatch, ba_dinh_committee):
    key, cert = foreign_ca.issue(ba_dinh_committee.name, organization=ba_dinh_committee.name)
    path = tmp_path / "con-dau-ba-dinh.p12"
    path.write_bytes(pki.pkcs12_bytes(key=key, cert=cert, chain=[foreign_ca.cert], friendly_name="seal",
                                      passphrase=b"mat-khau-cua-CA"))
    monkeypatch.setenv("BA_DINH_SEAL_PASSPHRASE", "mat-khau-cua-CA")
    return path


@pytest.fixture
def trusted_bundle(foreign_ca, tmp_path, settings):
    bundle = tmp_path / "trust.pem"
    bundle.write_text(pki.pem(foreign_ca.cert))
    settings.SMARTCITY_SIGNING_TRUST_ROOTS = str(bundle)
    return bundle


def test_a_registered_pkcs12_seal_signs_and_verifies(seal_p12, trusted_bundle, officer_ba_dinh, ba_dinh_committee,
                                                     result_pdf):
    record = services.register_pkcs12(actor=None, path=seal_p12, passphrase_env="BA_DINH_SEAL_PASSPHRASE",
                                      kind="seal", agency=ba_dinh_committee)
    assert record.key_backend == "pkcs12" and record.key_location == str(seal_p12)
    assert record.key_secret == "env:BA_DINH_SEAL_PASSPHRASE" and record.issuer_certificate is None
    sealed = services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)
    [sig] = services.verify(sealed).signatures
    assert sig.valid and sig.trust_anchor == "Foreign Test CA"
    assert sig.signer.kind == "seal"


def test_without_its_root_in_the_bundle_it_is_untrusted(seal_p12, officer_ba_dinh, ba_dinh_committee, result_pdf):
    services.register_pkcs12(actor=None, path=seal_p12, passphrase_env="BA_DINH_SEAL_PASSPHRASE", kind="seal",
                             agency=ba_dinh_committee)
    sealed = services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)
    assert services.verify(sealed).verdict == "untrusted"


def test_our_revocation_of_another_cas_certificate_is_honoured(seal_p12, trusted_bundle, officer_ba_dinh,
                                                                ba_dinh_committee, result_pdf):
    record = services.register_pkcs12(actor=None, path=seal_p12, passphrase_env="BA_DINH_SEAL_PASSPHRASE",
                                      kind="seal", agency=ba_dinh_committee)
    sealed = services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)
    services.revoke_certificate(actor=None, certificate=record, reason="key_compromise")
    [sig] = services.verify(sealed).signatures
    assert sig.status == "revoked" and sig.revocation_reason == "key_compromise"


def test_a_wrong_passphrase_or_a_missing_variable_is_a_clear_error(seal_p12, monkeypatch, ba_dinh_committee):
    with pytest.raises(Invalid, match="chưa được đặt"):
        services.register_pkcs12(actor=None, path=seal_p12, passphrase_env="NO_SUCH_VARIABLE", kind="seal",
                                 agency=ba_dinh_committee)
    monkeypatch.setenv("BA_DINH_SEAL_PASSPHRASE", "sai")
    with pytest.raises(Invalid, match="wrong passphrase"):
        services.register_pkcs12(actor=None, path=seal_p12, passphrase_env="BA_DINH_SEAL_PASSPHRASE", kind="seal",
                                 agency=ba_dinh_committee)
    assert not Certificate.objects.exists()


def test_a_passphrase_removed_after_registration_stops_signing_clearly(seal_p12, monkeypatch, officer_ba_dinh,
                                                                       ba_dinh_committee, result_pdf):
    services.register_pkcs12(actor=None, path=seal_p12, passphrase_env="BA_DINH_SEAL_PASSPHRASE", kind="seal",
                             agency=ba_dinh_committee)
    monkeypatch.delenv("BA_DINH_SEAL_PASSPHRASE")
    seal_p12.touch()  # a new mtime: the signer cached by an earlier test is not reused
    with pytest.raises(Conflict, match="signing key unavailable"):
        services.seal(result_pdf, agency=ba_dinh_committee, user=officer_ba_dinh)


def test_the_demo_keys_survive_a_change_of_secret_key(demo_pki, settings, result_pdf, leader_ba_dinh,
                                                      ba_dinh_committee):
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-production-0123456789abcdef"
    assert services.rewrap_keys(old_secret_key=old) == 4
    signed = services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    assert services.verify(signed).valid
