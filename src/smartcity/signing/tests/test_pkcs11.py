"""Keys in a PKCS#11 token or HSM, exercised against SoftHSM: the demo CA certifies a key pair generated inside
the token, and a certificate already stored on a token is registered; both sign through pyHanko's PKCS#11 signer.

Needs Debian's softhsm2 and the python-pkcs11 package (`apt-get install softhsm2`, `pip install python-pkcs11`);
skipped, saying which is missing, otherwise.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from smartcity.signing import services

MODULES = [Path("/usr/lib/softhsm/libsofthsm2.so"), Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
           Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")]
MODULE = next((m for m in MODULES if m.exists()), None)
PIN = "20261125"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(MODULE is None or shutil.which("softhsm2-util") is None,
                       reason="SoftHSM not installed (apt-get install softhsm2)"),
    pytest.mark.skipif(importlib.util.find_spec("pkcs11") is None,
                       reason="python-pkcs11 not installed (pip install python-pkcs11)"),
]


@pytest.fixture(scope="session")
def token(tmp_path_factory):
    """A fresh SoftHSM token in a temporary directory, with an EC key pair and a second one for a stored cert."""
    import os

    import pkcs11
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_named_curve_parameters

    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read when the module initialises, i.e. on first use in this process
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "smartcity-test", "--pin", PIN,
                    "--so-pin", "87654321"], check=True, capture_output=True)
    with pkcs11.lib(str(MODULE)).get_token(token_label="smartcity-test").open(user_pin=PIN, rw=True) as session:
        params = session.create_domain_parameters(
            KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
        for label, key_id in (("con-dau-hoan-kiem", b"\x01"), ("chu-ky-lanh-dao", b"\x02")):
            params.generate_keypair(store=True, label=label, id=key_id)
    return "smartcity-test"


@pytest.fixture
def hsm(token, settings, monkeypatch):
    settings.SMARTCITY_PKCS11_MODULE = str(MODULE)
    monkeypatch.setenv("SMARTCITY_TEST_TOKEN_PIN", PIN)
    return token


def test_the_demo_ca_certifies_a_key_generated_in_the_token_and_it_signs(hsm, demo_pki, hoan_kiem, result_pdf):
    from smartcity.agencies.services import commune_committee
    from smartcity.conftest import make_staff

    agency = commune_committee(hoan_kiem)
    desk = make_staff("desk.hoankiem", "Phạm Thu Hà", agency, "reception")
    cert = services.issue_certificate(actor=None, kind="seal", agency=agency, pkcs11_token=hsm,
                                      pkcs11_key="con-dau-hoan-kiem", pin_env="SMARTCITY_TEST_TOKEN_PIN")
    assert cert.key_backend == "pkcs11"
    assert cert.key_location == "token=smartcity-test;key=con-dau-hoan-kiem"
    assert cert.key_secret == "env:SMARTCITY_TEST_TOKEN_PIN"
    sealed = services.seal(result_pdf, agency=agency, user=desk)
    [sig] = services.verify(sealed).signatures
    assert sig.valid and sig.signer.name == "Ủy ban nhân dân Phường Hoàn Kiếm"


def test_a_certificate_stored_on_the_token_is_registered_and_signs(hsm, demo_pki, result_pdf, leader_ba_dinh,
                                                                   ba_dinh_committee):
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    from smartcity.signing import pki
    from smartcity.signing.contrib.pkcs12 import private_key
    from smartcity.signing.models import Certificate

    # What a CA's enrolment leaves on a token: the key pair and, beside it, the certificate (here: the demo CA's).
    root = services.demo_root()
    ca_key, _ = private_key(root)
    public = services._token_public_key("token=smartcity-test;key=chu-ky-lanh-dao", "SMARTCITY_TEST_TOKEN_PIN")
    cert = pki.issue(ca_cert=pki.load_pem(root.pem), ca_key=ca_key, public_key=public, days=365,
                     subject=pki.name(common_name="Vũ Quang Huy", organization=ba_dinh_committee.name),
                     crl_url=services._crl_url(root))
    with pkcs11.lib(str(MODULE)).get_token(token_label=hsm).open(user_pin=PIN, rw=True) as session:
        asn1 = pki.to_asn1(cert)
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
                               Attribute.LABEL: "chu-ky-lanh-dao", Attribute.ID: b"\x02",
                               Attribute.SUBJECT: asn1.subject.dump(), Attribute.ISSUER: asn1.issuer.dump(),
                               Attribute.SERIAL_NUMBER: asn1["tbs_certificate"]["serial_number"].dump(),
                               Attribute.VALUE: asn1.dump()})

    Certificate.objects.filter(kind="officer").delete()
    record = services.register_pkcs11(actor=None, kind="officer", agency=ba_dinh_committee, user=leader_ba_dinh,
                                      token=hsm, key_label="chu-ky-lanh-dao", pin_env="SMARTCITY_TEST_TOKEN_PIN")
    assert record.fingerprint == pki.fingerprint(cert)
    signed = services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee, reason="Ký")
    [sig] = services.verify(signed).signatures
    assert sig.valid and sig.signer.serial == record.serial


def test_a_wrong_pin_is_a_clear_error(hsm, demo_pki, monkeypatch, hoan_kiem):
    from smartcity.agencies.services import commune_committee
    from smartcity.lib.errors import Invalid

    monkeypatch.setenv("SMARTCITY_TEST_TOKEN_PIN", "00000000")
    with pytest.raises(Invalid, match="cannot open the token"):
        services.issue_certificate(actor=None, kind="seal", agency=commune_committee(hoan_kiem), pkcs11_token=hsm,
                                   pkcs11_key="con-dau-hoan-kiem", pin_env="SMARTCITY_TEST_TOKEN_PIN")
