"""`smartcity audit verify | checkpoint | rekey | new-key`: check the keyed chain against the checkpoints outside the
database, write a checkpoint, convert a chain made before the key, print a fresh key (docs/audit.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.audit import chain, checkpoints, services


class Command(BaseCommand):
    help = "Nhật ký truy cập (audit log)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Kiểm tra chuỗi và các điểm kiểm tra (verify the chain and the checkpoints)")
        sub.add_parser("checkpoint", help="Ghi một điểm kiểm tra ra ngoài cơ sở dữ liệu (write a checkpoint)")
        sub.add_parser("rekey", help="Chuyển chuỗi cũ không khóa sang chuỗi có khóa (convert the old chain)")
        new_key = sub.add_parser("new-key", help="In một khóa mới cho SMARTCITY_AUDIT_KEYS (print a fresh key)")
        new_key.add_argument("key_id", help="tên khóa, ví dụ 2026-12")

    def handle(self, *args: object, action: str, **options: object) -> None:
        getattr(self, action.replace("-", "_"))(**options)

    def verify(self, **options: object) -> None:
        result = services.verify_all()
        for note in result.notes:
            self.stdout.write(f"lưu ý: {note}")
        for problem in result.problems:
            self.stderr.write(problem.reason)
        if result.problems:
            raise CommandError(f"Nhật ký KHÔNG toàn vẹn: {len(result.problems)} vấn đề (audit log tampered)")
        self.stdout.write(f"Nhật ký toàn vẹn: {result.entries} bản ghi, {result.checkpoints} điểm kiểm tra "
                          "(audit log intact)")

    def checkpoint(self, **options: object) -> None:
        try:
            written = services.write_checkpoint()
        except checkpoints.NotConfigured as exc:
            raise CommandError(str(exc)) from None
        how = "có chữ ký số" if written.signed else f"chỉ HMAC ({written.unsigned_reason})"
        self.stdout.write(f"Điểm kiểm tra {written.path}: {written.head.count} bản ghi đến #{written.head.last_seq}, "
                          f"{how}")

    def rekey(self, **options: object) -> None:
        try:
            done = services.rekey_chain()
        except services.RekeyRefused as exc:
            raise CommandError(str(exc)) from None
        if not done.converted and not done.old_head:
            self.stdout.write("Chuỗi đã có khóa, không cần chuyển đổi (nothing to convert)")
            return
        self.stdout.write(f"Đã chuyển {done.converted} bản ghi sang chuỗi có khóa (old head {done.old_head}, "
                          f"new head {done.new_head}); ghi một điểm kiểm tra ngay: smartcity audit checkpoint")

    def new_key(self, *, key_id: str, **options: object) -> None:
        try:
            self.stdout.write(chain.new_key(key_id))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
