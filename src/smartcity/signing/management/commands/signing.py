"""`smartcity signing …`: the demo CA and the certificates agencies and officers sign with.

    smartcity signing demo-ca                                  the demo CA, idempotent (root, TSA, seals, leaders)
    smartcity signing issue --agency CODE [--user NAME] [--days N] [--pkcs11-token T --pkcs11-key K --pin-env V]
    smartcity signing revoke SERIAL [--reason key_compromise]
    smartcity signing list [--agency CODE]
    smartcity signing import-pkcs12 FILE --agency CODE [--user NAME] --passphrase-env VAR
    smartcity signing import-pkcs11 --agency CODE [--user NAME] --token T --key-label K [--cert-label C] --pin-env V
    smartcity signing rewrap --old-secret-env VAR               after SECRET_KEY changed
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.agencies.models import Agency
from smartcity.lib.errors import ServiceError
from smartcity.signing import services
from smartcity.signing.models import Certificate, RevocationReason


class Command(BaseCommand):
    help = "Chữ ký số: CA thử nghiệm, cấp, thu hồi, đăng ký chứng thư số (demo CA, issue, revoke, import)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("demo-ca", help="Tạo CA thử nghiệm và cấp chứng thư còn thiếu (idempotent)")
        issue = sub.add_parser("issue", help="CA thử nghiệm cấp chứng thư cho cơ quan (--user: cho cán bộ)")
        self._holder(issue)
        issue.add_argument("--days", type=int, help="số ngày hiệu lực")
        issue.add_argument("--pkcs11-token", default="", help="khóa đã nằm trong token/HSM có nhãn này")
        issue.add_argument("--pkcs11-key", default="", help="nhãn cặp khóa trong token")
        issue.add_argument("--pin-env", default="", help="biến môi trường chứa PIN của token")
        revoke = sub.add_parser("revoke", help="Thu hồi chứng thư số")
        revoke.add_argument("serial", help="số hiệu (hex) của chứng thư")
        revoke.add_argument("--reason", default=RevocationReason.UNSPECIFIED, choices=RevocationReason.values)
        listing = sub.add_parser("list", help="Liệt kê chứng thư số")
        listing.add_argument("--agency", help="mã định danh cơ quan")
        p12 = sub.add_parser("import-pkcs12", help="Đăng ký tệp PKCS#12 do CA thật cấp")
        p12.add_argument("file", type=Path)
        self._holder(p12)
        p12.add_argument("--passphrase-env", required=True, help="biến môi trường chứa mật khẩu của tệp")
        p11 = sub.add_parser("import-pkcs11", help="Đăng ký khóa và chứng thư trong token/HSM (PKCS#11)")
        self._holder(p11)
        p11.add_argument("--token", required=True, help="nhãn token")
        p11.add_argument("--key-label", required=True, help="nhãn khóa bí mật")
        p11.add_argument("--cert-label", default="", help="nhãn chứng thư (mặc định như nhãn khóa)")
        p11.add_argument("--slot", type=int)
        p11.add_argument("--pin-env", required=True, help="biến môi trường chứa PIN")
        rewrap = sub.add_parser("rewrap", help="Mã hóa lại tệp khóa của CA thử nghiệm sau khi đổi SECRET_KEY")
        rewrap.add_argument("--old-secret-env", required=True, help="biến môi trường chứa SECRET_KEY cũ")

    @staticmethod
    def _holder(parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="mã định danh cơ quan, ví dụ 000.01.50.H26")
        parser.add_argument("--user", help="tên đăng nhập của cán bộ (chứng thư cá nhân); bỏ trống: con dấu cơ quan")

    def handle(self, *args: object, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _target(self, options: dict[str, Any]) -> tuple[Agency, Any, str]:
        try:
            agency = Agency.objects.get(code=options["agency"])
        except Agency.DoesNotExist:
            raise CommandError(f"Không có cơ quan mã {options['agency']}") from None
        user = None
        if options.get("user"):
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"Không có tài khoản {options['user']}") from None
        return agency, user, "officer" if user is not None else "seal"

    def _show(self, cert: Certificate) -> None:
        state = f"THU HỒI {cert.revoked_at:%Y-%m-%d}" if cert.revoked_at else f"đến {cert.not_after:%Y-%m-%d}"
        self.stdout.write(f"{cert.serial}  {cert.kind:<7} {state:<20} {cert.key_backend or '-':<6} {cert.subject}")

    def _demo_ca(self, options: dict[str, Any]) -> None:
        services.ensure_demo_pki(out=self.stdout.write)

    def _issue(self, options: dict[str, Any]) -> None:
        agency, user, kind = self._target(options)
        self._show(services.issue_certificate(
            actor=None, kind=kind, agency=agency, user=user, days=options.get("days"),
            pkcs11_token=options["pkcs11_token"], pkcs11_key=options["pkcs11_key"], pin_env=options["pin_env"]))

    def _revoke(self, options: dict[str, Any]) -> None:
        cert = services.get_certificate(options["serial"])
        self._show(services.revoke_certificate(actor=None, certificate=cert, reason=options["reason"]))

    def _list(self, options: dict[str, Any]) -> None:
        certs = Certificate.objects.select_related("agency").order_by("kind", "subject")
        if options.get("agency"):
            certs = certs.filter(agency__code=options["agency"])
        for cert in certs:
            self._show(cert)

    def _import_pkcs12(self, options: dict[str, Any]) -> None:
        agency, user, kind = self._target(options)
        self._show(services.register_pkcs12(actor=None, path=options["file"], passphrase_env=options["passphrase_env"],
                                            kind=kind, agency=agency, user=user))

    def _import_pkcs11(self, options: dict[str, Any]) -> None:
        agency, user, kind = self._target(options)
        self._show(services.register_pkcs11(
            actor=None, kind=kind, agency=agency, user=user, token=options["token"], key_label=options["key_label"],
            cert_label=options["cert_label"], pin_env=options["pin_env"], slot=options.get("slot")))

    def _rewrap(self, options: dict[str, Any]) -> None:
        old = os.environ.get(options["old_secret_env"])
        if not old:
            raise CommandError(f"Biến môi trường {options['old_secret_env']} chưa được đặt")
        self.stdout.write(f"Đã mã hóa lại {services.rewrap_keys(old_secret_key=old)} tệp khóa")
