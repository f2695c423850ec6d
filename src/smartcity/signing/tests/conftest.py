"""Fixtures of the signing tests: the demo CA in a temporary key directory, result PDFs, a foreign CA.

Keys are EC P-256 (generated in microseconds); the one RSA-2048 key (the timestamp authority's: pyHanko's RFC 3161
responder is RSA-only) is generated once per session and reused.
"""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from smartcity.lib import fonts
from smartcity.signing import pki

TITLE = "KET QUA 2026-0001"


def make_pdf(lines: list[str] | None = None, *, title: str = TITLE, pages: int = 1) -> bytes:
    """A result document as the one-stop desk makes them: reportlab, Roboto, Vietnamese text."""
    fonts.register()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    for page in range(pages):
        pdf.setFont(fonts.REGULAR, 13)
        y = 780
        for line in lines or ["ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH", "GIẤY CHỨNG NHẬN KẾT HÔN", f"Trang {page + 1}"]:
            pdf.drawString(72, y, line)
            y -= 20
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="session")
def result_pdf() -> bytes:
    return make_pdf()


@pytest.fixture(scope="session")
def _rsa_key():
    return pki.generate_key("rsa")


@pytest.fixture(autouse=True)
def _signing_settings(settings, tmp_path_factory, monkeypatch, _rsa_key):
    settings.SMARTCITY_SIGNING_DIR = tmp_path_factory.mktemp("signing-keys")
    settings.SMARTCITY_SIGNING_DEMO_CA = True
    settings.SMARTCITY_TSA_URL = ""
    settings.SMARTCITY_SIGNING_TRUST_ROOTS = ""
    settings.SMARTCITY_SIGNING_FETCH_REVOCATION = False
    settings.SMARTCITY_SIGNING_MAX_UPLOAD_MB = 20
    # The demo CA seals the audit checkpoints' agency too; only test_audit_checkpoints asks for it.
    settings.AUDIT_CHECKPOINT_SEAL_AGENCY = ""
    original = pki.generate_key
    monkeypatch.setattr(pki, "generate_key", lambda algorithm="ec": _rsa_key if algorithm == "rsa" else original())


@pytest.fixture
def ba_dinh_committee(ba_dinh):
    from smartcity.agencies.services import commune_committee

    return commune_committee(ba_dinh)


@pytest.fixture
def demo_pki(leader_ba_dinh, officer_ba_dinh):
    """The demo CA after `smartcity demo load`: the Ba Đình leader and desk officer exist."""
    from smartcity.signing import services

    return services.ensure_demo_pki()


@pytest.fixture
def signed_result(demo_pki, result_pdf, leader_ba_dinh, ba_dinh_committee) -> bytes:
    from smartcity.signing import services

    return services.sign_result(result_pdf, user=leader_ba_dinh, agency=ba_dinh_committee,
                                reason="Phê duyệt kết quả giải quyết hồ sơ")


class ForeignCA:
    """A certificate authority the platform does not know (or knows only through a configured bundle)."""

    def __init__(self, common_name: str = "Foreign Test CA") -> None:
        self.key = pki.generate_key("ec")
        self.cert = pki.make_root(self.key, pki.name(common_name=common_name), days=365)

    def issue(self, common_name: str, *, organization: str = "", crl_url: str = ""):
        key = pki.generate_key("ec")
        cert = pki.issue(ca_cert=self.cert, ca_key=self.key, public_key=key.public_key(),
                         subject=pki.name(common_name=common_name, organization=organization), days=365,
                         crl_url=crl_url)
        return key, cert


@pytest.fixture
def foreign_ca() -> ForeignCA:
    return ForeignCA()


def sign_directly(pdf: bytes, key, cert, chain=()) -> bytes:
    """Sign with pyHanko alone (no platform code): what a signature from elsewhere looks like."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(signing_cert=pki.to_asn1(cert), signing_key=pki.key_to_asn1(key),
                                  cert_registry=SimpleCertificateStore.from_certs([pki.to_asn1(c) for c in chain]))
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    return out.getvalue()
