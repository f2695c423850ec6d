"""The demo certificate authority's mechanics, model-free: keys, certificates, CRLs and PKCS#12 files.

Profiles follow RFC 5280: the root is a CA (``keyCertSign``, ``cRLSign``) that issues end-entity certificates
directly (path length 0); signing certificates carry ``digitalSignature`` + ``nonRepudiation`` (what PAdES validators
expect of a signer) and point at the root's CRL; the timestamp authority's certificate has the critical
``timeStamping`` extended key usage RFC 3161 §2.3 requires. Keys are EC P-256, except the timestamp authority's,
RSA-2048 (pyHanko's RFC 3161 responder signs with RSA only).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

SKEW = dt.timedelta(minutes=5)  # certificates start a little in the past: clocks of validators differ
CRL_LIFETIME = dt.timedelta(days=1)

REASON_FLAGS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


def generate_key(algorithm: str = "ec") -> PrivateKey:
    if algorithm == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def name(*, common_name: str, organization: str = "", organization_id: str = "", title: str = "",
         locality: str = "Hà Nội") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if locality:
        attributes.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]))
    if organization_id:  # the agency's QCVN 102 code, so a verifier can tell which agency signed
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organization_id))
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attributes)


def _key_usage(*, signing: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing and not ca, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def make_root(key: PrivateKey, subject: x509.Name, *, days: int, now: dt.datetime | None = None) -> x509.Certificate:
    now = now or dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - SKEW).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue(*, ca_cert: x509.Certificate, ca_key: PrivateKey, public_key: PublicKey, subject: x509.Name, days: int,
          crl_url: str, ca_url: str = "", timestamping: bool = False,
          now: dt.datetime | None = None) -> x509.Certificate:
    """An end-entity certificate signed by ``ca_key``: a signer's, or the timestamp authority's."""
    now = now or dt.datetime.now(dt.UTC)
    not_after = min(now + dt.timedelta(days=days), ca_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - SKEW).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    if ca_url:
        builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            x509.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_url))]),
            critical=False)
    if timestamping:
        builder = (builder.add_extension(_key_usage(signing=True), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True))
    else:
        builder = builder.add_extension(_key_usage(signing=True), critical=True)
    return builder.sign(ca_key, hashes.SHA256())


@dataclass(frozen=True)
class Revoked:
    serial: int
    at: dt.datetime
    reason: str


def build_crl(*, ca_cert: x509.Certificate, ca_key: PrivateKey, revoked: list[Revoked],
              now: dt.datetime | None = None) -> bytes:
    """A DER CRL of ``revoked``. The CRL number is the issue time in seconds, so it only ever increases (RFC 5280
    §5.2.3) without a counter shared between web workers."""
    now = now or dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
        .last_update(now - SKEW).next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(int(time.time())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    for item in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(item.serial).revocation_date(item.at)
        if item.reason != "unspecified":
            entry = entry.add_extension(x509.CRLReason(REASON_FLAGS[item.reason]), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


# -------------------------------------------------------------------------------------------------- PKCS#12

def derived_passphrase(secret_key: str, label: str) -> bytes:
    """The passphrase of a PKCS#12 file the demo CA wrote: HMAC-SHA256 of ``label`` under SECRET_KEY. Anyone with
    the file but not SECRET_KEY cannot open it; changing SECRET_KEY needs `smartcity signing rewrap`."""
    digest = hmac.new(secret_key.encode(), f"smartcity.signing.pkcs12|{label}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def pkcs12_bytes(*, key: PrivateKey, cert: x509.Certificate, chain: list[x509.Certificate], friendly_name: str,
                 passphrase: bytes) -> bytes:
    # The passphrase is 256 random-looking bits, so key stretching adds nothing: modest KDF rounds keep loading fast.
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(10_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    return pkcs12.serialize_key_and_certificates(friendly_name.encode(), key, cert, chain, encryption)


def read_pkcs12(data: bytes, passphrase: bytes | None) -> tuple[PrivateKey, x509.Certificate, list[x509.Certificate]]:
    key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    if key is None or cert is None:
        raise ValueError("the PKCS#12 file holds no key and certificate")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("only EC and RSA keys are supported")
    return key, cert, list(chain)


# -------------------------------------------------------------------------------------------------- conversions

def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def load_pem(text: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(text.encode())


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def key_to_asn1(key: PrivateKey) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def readable(value: x509.Name) -> str:
    """The name as people read it: ``CN=…, O=…`` (RFC 4514 order reversed to most-specific first)."""
    return value.rfc4514_string({NameOID.TITLE: "T", NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier"})


def attribute(value: x509.Name, oid: x509.ObjectIdentifier) -> str:
    found = value.get_attributes_for_oid(oid)
    return str(found[0].value) if found else ""


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")
