"""Malware scanning of uploads before they are stored: a small provider interface and its registry.

``UPLOAD_SCANNER`` picks the provider: ``none`` (the demo's default: nothing is scanned) or ``clamav``, which
speaks clamd's INSTREAM protocol (clamd(8), "INSTREAM": the command, then chunks each prefixed with its length as
a 4-byte big-endian integer, ended by a zero-length chunk; the answer is ``stream: OK`` or
``stream: <signature> FOUND``) over the socket in ``UPLOAD_SCANNER_CLAMD`` — ``unix:///run/clamav/clamd.ctl`` or
``tcp://host:3310``. Nothing is installed by us: production points at the city's clamd.

When the scanner cannot be reached the upload is refused with a 503 (fail closed): an unscanned file is never
stored once the city has asked for scanning.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings

from smartcity.lib.errors import ServiceError

CHUNK = 64 * 1024


class ScannerUnavailable(ServiceError):
    status = 503
    code = "scanner_unavailable"


class Scanner:
    """``scan(data)`` is None for a clean file, else the name of what was found."""

    def scan(self, data: bytes) -> str | None:
        raise NotImplementedError


class NoScanner(Scanner):
    def scan(self, data: bytes) -> str | None:
        return None


class ClamdScanner(Scanner):
    def __init__(self, address: str, *, timeout: float = 30.0) -> None:
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        url = urlsplit(self.address)
        if url.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: str | tuple[str, int] = url.path
        elif url.scheme == "tcp":
            sock = socket.socket(socket.AF_INET6 if ":" in (url.hostname or "") else socket.AF_INET,
                                 socket.SOCK_STREAM)
            target = (url.hostname or "127.0.0.1", url.port or 3310)
        else:
            raise ScannerUnavailable(f"UPLOAD_SCANNER_CLAMD must be unix:///path or tcp://host:port, not "
                                     f"{self.address!r}")
        sock.settimeout(self.timeout)
        sock.connect(target)
        return sock

    def scan(self, data: bytes) -> str | None:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK):
                    chunk = data[start:start + CHUNK]
                    sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                sock.sendall(struct.pack(">I", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScannerUnavailable("Không kết nối được dịch vụ quét virus, xin thử lại sau",
                                     field="file") from exc
        answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if answer.endswith("OK"):
            return None
        if answer.endswith("FOUND"):
            return answer.removeprefix("stream:").removesuffix("FOUND").strip() or "virus"
        raise ScannerUnavailable(f"Dịch vụ quét virus trả lời không rõ: {answer[:100]}", field="file")


SCANNERS: dict[str, Callable[[], Scanner]] = {
    "none": NoScanner,
    "clamav": lambda: ClamdScanner(settings.UPLOAD_SCANNER_CLAMD),
}


def scanner() -> Scanner:
    name = settings.UPLOAD_SCANNER
    if name not in SCANNERS:
        raise ScannerUnavailable(f"UPLOAD_SCANNER must be one of {', '.join(SCANNERS)}, not {name!r}")
    return SCANNERS[name]()


def scan(data: bytes) -> str | None:
    """What the configured scanner finds in ``data`` (None: clean, or no scanner configured)."""
    return scanner().scan(data)
