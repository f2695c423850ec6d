"""An independent validator agrees: poppler's `pdfsig` (NSS) finds our signatures valid and, given our root as a
trust anchor, the certificates trusted. Skipped, saying why, when Debian's poppler-utils is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from smartcity.signing import services

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdfsig") is None,
                       reason="pdfsig not installed (Debian poppler-utils; scripts/ensure-system-packages installs it)"),
]


def _nss_db(tmp_path: Path) -> str | None:
    """A throw-away NSS database trusting the demo root, or None without `certutil` (libnss3-tools)."""
    if shutil.which("certutil") is None:
        return None
    db = tmp_path / "nss"
    db.mkdir()
    root = tmp_path / "root.pem"
    root.write_text(services.demo_root().pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "smartcity-demo-root", "-t", "CT,C,C", "-i", str(root)],
                   check=True, capture_output=True)
    return f"sql:{db}"


def pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    nss = _nss_db(tmp_path)
    command = ["pdfsig", *(["-nssdir", nss] if nss else []), str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    if nss is None:
        line = next((ln for ln in output.splitlines() if "Certificate Validation" in ln), "(none)")
        print(f"pdfsig without our root as trust anchor (no certutil): {line.strip()}")
    return output


def test_pdfsig_validates_a_signed_result(signed_result, tmp_path):
    output = pdfsig(signed_result, tmp_path)
    assert output.count("Signature Validation: Signature is Valid.") == 1
    assert "Signer Certificate Common Name: Vũ Quang Huy" in output
    assert "Signature Type: ETSI.CAdES.detached" in output
    assert "Total document signed" in output
    if shutil.which("certutil"):
        assert "Certificate Validation: Certificate is Trusted." in output


def test_pdfsig_validates_a_result_signed_then_sealed(signed_result, officer_ba_dinh, ba_dinh_committee, tmp_path):
    sealed = services.seal(signed_result, agency=ba_dinh_committee, user=officer_ba_dinh)
    output = pdfsig(sealed, tmp_path)
    assert output.count("Signature Validation: Signature is Valid.") == 2
    assert "Signer Certificate Common Name: Ủy ban nhân dân Phường Ba Đình" in output
    if shutil.which("certutil"):
        assert output.count("Certificate Validation: Certificate is Trusted.") == 2


def test_pdfsig_sees_a_byte_changed_after_signing(signed_result, tmp_path):
    from smartcity.signing.tests.conftest import TITLE

    altered = signed_result.replace(TITLE.encode(), TITLE.replace("0001", "9999").encode())
    output = pdfsig(altered, tmp_path)
    assert "Signature is Valid." not in output
    assert "Digest Mismatch" in output or "Signature is Invalid" in output
