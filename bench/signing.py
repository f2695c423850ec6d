"""Benchmark: signing 1,000 result PDFs through our service vs pyHanko alone, then verifying them.

ours:     ``smartcity.signing.services.sign_result`` as a ward leader — the permission check, the choice of their
          valid certificate (revocation checked in the database), the visible stamp in Roboto, the PAdES signature,
          the audit entry.
baseline: pyHanko signing the same files in a loop with the same key (loaded once from the same PKCS#12 file), the
          same signature options (PAdES, SHA-256, same field, box, reason, location) and the same stamp (same font,
          same text): what the signature itself costs, with nothing of ours around it.
The two run in alternating chunks of 100 files, so a busy machine slows both alike. Then every PDF we signed is
verified (again in alternating chunks) through ``services.verify`` (trust chain to our root, our CRL, coverage and modification analysis, the
audit entry), against pyHanko's ``validate_pdf_signature`` with the same validation context. Both verdicts are
checked before any time is printed.

    .venv/bin/python bench/signing.py [--n 1000] [--tsa demo]

It runs on a scratch SQLite database in bench/out/ by default (``DATABASE_URL`` to use another; PostgreSQL databases
are created if missing), with ``DEBUG`` off and the demo CA's keys in bench/out/signing-keys/.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time

from _common import OUT_DIR, ROOT

CHUNK = 100


def setup(tsa: str) -> None:
    OUT_DIR.mkdir(exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{OUT_DIR / 'signing-bench.sqlite3'}")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    # Production settings require an audit chain key (docs/audit.md); a fixed one for the scratch database.
    os.environ.setdefault("SMARTCITY_AUDIT_KEYS", "bench:YmVuY2gtb25seS1hdWRpdC1jaGFpbi1rZXktMDEyMzQ1Njc4OQ")
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    os.environ["SMARTCITY_SIGNING_DEMO_CA"] = "true"
    os.environ.setdefault("SMARTCITY_SIGNING_DIR", str(OUT_DIR / "signing-keys"))
    os.environ["SMARTCITY_TSA_URL"] = tsa
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    sys.path.insert(0, str(ROOT / "src"))
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from _common import _create_database

        _create_database(os.environ["DATABASE_URL"])

    import django
    from django.core.management import call_command

    django.setup()
    from smartcity.agencies.models import Agency
    from smartcity.agencies.services import seed_hanoi
    from smartcity.places.models import Level, Structure, Unit
    from smartcity.places.services import load_units

    call_command("migrate", verbosity=0, interactive=False)
    if not Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01").exists():
        print("loading Hà Nội's administrative units (once)…", file=sys.stderr)
        load_units(province_codes=["01"])
    if not Agency.objects.filter(code="000.00.00.H26").exists():
        seed_hanoi()


def leader():
    from smartcity.agencies.services import add_membership, commune_committee
    from smartcity.identity.models import User
    from smartcity.places.models import Level, Structure, Unit

    agency = commune_committee(Unit.objects.get(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01",
                                                name="Phường Ba Đình"))
    user, _ = User.objects.get_or_create(username="bench.leader", defaults=dict(
        kind=User.Kind.STAFF, is_staff=True, first_name="Huy", last_name="Vũ Quang"))
    add_membership(user=user, agency=agency, role="leader", title="Chủ tịch UBND phường")
    return user, agency


def make_pdfs(n: int) -> list[bytes]:
    from pathlib import Path

    import font_roboto
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Roboto", str(Path(font_roboto.__file__).parent / "files" / "Roboto-Regular.ttf")))
    out = []
    for i in range(n):
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
        pdf.setFont("Roboto", 13)
        for j, line in enumerate(["ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH", "GIẤY CHỨNG NHẬN KẾT HÔN",
                                  f"Số: {i + 1:04d}/2026/ĐKKH", "Họ và tên chồng: Nguyễn Văn An",
                                  "Họ và tên vợ: Trần Thị Bình", "Nơi đăng ký: Phường Ba Đình, Thành phố Hà Nội"]):
            pdf.drawString(72, 780 - 22 * j, line)
        pdf.showPage()
        pdf.save()
        out.append(buffer.getvalue())
    return out


def baseline_signer(certificate, reason: str, location: str, lines: list[str]):
    """pyHanko alone, set up once: the same key, options and stamp as ours."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from smartcity.signing import stamp, tsa
    from smartcity.signing.contrib import pkcs12

    signer = pkcs12.load(certificate)
    style, params = stamp.style_for([stamp.normalise(line) for line in lines])
    meta = signers.PdfSignatureMetadata(field_name="ChuKy1", reason=reason, location=location, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    spec = fields.SigFieldSpec("ChuKy1", on_page=0, box=(337, 28, 567, 86))
    timestamper = tsa.timestamper()

    def sign(pdf: bytes) -> bytes:
        pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=spec)
        return pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
                                   appearance_text_params=params).getvalue()

    return sign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--tsa", default="", help='timestamp authority: "" (none, default), "demo", or a URL')
    args = parser.parse_args()
    setup(args.tsa)
    from django.db import connection
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from smartcity.signing import services

    user, agency = leader()
    services.ensure_demo_pki()
    certificate = services.officer_certificate(user, agency)
    reason, location = "Phê duyệt kết quả giải quyết hồ sơ", agency.unit.name
    pdfs = make_pdfs(args.n)
    lines = ["Ký bởi: Vũ Quang Huy", "Chức vụ: Chủ tịch UBND phường", f"Cơ quan: {agency.name}",
             "Thời gian ký: 09:30:00 ngày 25/11/2026 (GMT+7)"]
    pyhanko_sign = baseline_signer(certificate, reason, location, lines)

    def ours(pdf: bytes) -> bytes:
        return services.sign_result(pdf, user=user, agency=agency, reason=reason, location=location)

    for pdf in pdfs[:5]:  # warm-up: font preparation, key loading, first queries
        ours(pdf), pyhanko_sign(pdf)

    ours_t = base_t = 0.0
    signed: list[bytes] = []
    baseline_out: list[bytes] = []
    for lo in range(0, args.n, CHUNK):
        chunk = pdfs[lo:lo + CHUNK]
        started = time.perf_counter()
        signed += [ours(pdf) for pdf in chunk]
        ours_t += time.perf_counter() - started
        started = time.perf_counter()
        baseline_out += [pyhanko_sign(pdf) for pdf in chunk]
        base_t += time.perf_counter() - started

    make_context = services._validation_context_factory()
    for pdf in signed[:5]:  # warm-up
        services.verify(pdf)
    verify_t = pyhanko_verify_t = 0.0
    reports, statuses = [], []
    for lo in range(0, args.n, CHUNK):
        chunk = signed[lo:lo + CHUNK]
        started = time.perf_counter()
        reports += [services.verify(pdf) for pdf in chunk]
        verify_t += time.perf_counter() - started
        started = time.perf_counter()
        statuses += [validate_pdf_signature(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[0],
                                            signer_validation_context=make_context()) for pdf in chunk]
        pyhanko_verify_t += time.perf_counter() - started

    assert all(r.verdict == "valid" for r in reports), {r.verdict for r in reports}
    assert all(s.bottom_line for s in statuses)
    assert services.verify(baseline_out[0]).verdict == "valid"

    n = args.n
    print(f"{n:,} result PDFs (1 page, ~{sum(map(len, pdfs)) // n / 1024:.0f} kB), EC P-256 officer key in a "
          f"PKCS#12 file, visible stamp in Roboto, timestamp: {args.tsa or 'none'}; {connection.vendor}")
    print(f"ours (services.sign_result: permission, certificate, stamp, PAdES, audit): {n / ours_t:,.1f} signatures/s "
          f"({ours_t / n * 1000:.1f} ms each)")
    print(f"baseline (pyHanko PdfSigner alone, same key/options/stamp): {n / base_t:,.1f} signatures/s "
          f"({base_t / n * 1000:.1f} ms each)")
    print(f"ratio (ours / baseline signatures/s): {base_t / ours_t:.2f}")
    print(f"verify (services.verify: chain to our root, our CRL, coverage, audit): {n / verify_t:,.1f} "
          f"verifications/s ({verify_t / n * 1000:.1f} ms each)")
    print(f"  pyHanko validate_pdf_signature alone, same context: {n / pyhanko_verify_t:,.1f} verifications/s; "
          f"ratio {pyhanko_verify_t / verify_t:.2f}")


if __name__ == "__main__":
    main()
