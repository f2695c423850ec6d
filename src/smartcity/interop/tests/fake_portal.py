"""A local server that speaks our national-portal sync contract (docs/interop.md), for the connector's tests.

It keeps each message by its Idempotency-Key (a second POST with a known key is a 409 "already have it", never a
second record) and can be told to answer the next requests with errors, to record-then-fail (a lost answer), or to
be slow (a timeout)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakePortal:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (path, key)
        self.script: list[str] = []  # what to do with the next POSTs: "503", "400", "lost", "slow"
        self.catalogue: dict[str, Any] = {"DanhSach": []}
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802
                self._answer(200, portal.catalogue)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                portal.requests.append((self.path, key))
                action = portal.script.pop(0) if portal.script else "ok"
                if action == "slow":
                    time.sleep(1.5)  # past the client's timeout; the client has gone, nothing is recorded
                    return
                if action == "503":
                    return self._answer(503, {"MoTaLoi": "Hệ thống bận"})
                if action == "400":
                    return self._answer(400, {"MoTaLoi": "MaTTHC không tồn tại"})
                if key in portal.records:
                    return self._answer(409, {"MoTaLoi": "Đã nhận"})
                portal.records[key] = {"path": self.path, **body}
                if action == "lost":
                    return self._answer(500, {"MoTaLoi": "Lỗi sau khi ghi"})
                return self._answer(200, {"KetQua": "OK"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePortal:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
