"""`smartcity ingest`: the MQTT ingest consumer, a long-running process (one per machine, or several with --share).

    smartcity ingest [--url mqtt://127.0.0.1:1883] [--client-id ID] [--share GROUP] [--batch 5000] [--flush-ms 500]

SIGTERM or Ctrl-C stops it gracefully: the buffered messages are written, acknowledged, and the client disconnects
(the broker keeps the session, so nothing published meanwhile is lost). Each consumer needs its own fixed client
id: the broker keeps that session's subscriptions and unacknowledged messages for it.
"""

from __future__ import annotations

import logging
import signal
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.sensing import mqtt


class Command(BaseCommand):
    help = "Nhận dữ liệu cảm biến qua MQTT và ghi vào cơ sở dữ liệu (MQTT ingest consumer)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=getattr(settings, "MQTT_URL", "") or "mqtt://127.0.0.1:1883",
                            help="broker, mqtt://[user:pass@]host:1883 or mqtts://… (mặc định: MQTT_URL)")
        parser.add_argument("--client-id", help="mã client cố định, giữ phiên làm việc trên broker "
                            "(mặc định MQTT_INGEST_CLIENT_ID; với --share thêm tên máy)")
        parser.add_argument("--share", default=getattr(settings, "MQTT_INGEST_SHARE_GROUP", ""),
                            help="nhóm đăng ký chia sẻ ($share/GROUP/…) để nhiều tiến trình cùng nhận")
        parser.add_argument("--batch", type=int, default=getattr(settings, "MQTT_INGEST_BATCH", 5000),
                            help="số dòng mỗi lần ghi (mặc định 5000)")
        parser.add_argument("--flush-ms", type=int, default=getattr(settings, "MQTT_INGEST_FLUSH_MS", 500),
                            help="ghi muộn nhất sau chừng ấy mili giây (mặc định 500)")
        parser.add_argument("--prefix", default=getattr(settings, "MQTT_TOPIC_PREFIX", "smartcity"),
                            help="tiền tố chủ đề của gateway: <prefix>/gateways/<gateway>/observations")
        parser.add_argument("--sta-root", default=getattr(settings, "MQTT_STA_ROOT", mqtt.STA),
                            help="gốc chủ đề SensorThings: <gốc>/Datastreams(id)/Observations (mặc định v1.1)")

    def handle(self, *args: object, **options: Any) -> None:
        client_id = options["client_id"] or getattr(settings, "MQTT_INGEST_CLIENT_ID", "smartcity-ingest")
        if options["share"] and not options["client_id"]:
            client_id = f"{client_id}-{socket.gethostname()}"
        if options["verbosity"] >= 2:
            logging.getLogger(mqtt.__name__).setLevel(logging.DEBUG)
        try:
            consumer = mqtt.Consumer(url=options["url"], client_id=client_id, share=options["share"],
                                     batch=options["batch"], flush_ms=options["flush_ms"], prefix=options["prefix"],
                                     sta_root=options["sta_root"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: consumer.stop())
        self.stdout.write(f"Nhận dữ liệu từ {consumer.endpoint} (client id {client_id}"
                          + (f", nhóm {options['share']}" if options["share"] else "") + "); "
                          + ", ".join(consumer.topics))
        self.stdout.flush()
        stats = consumer.run()
        self.stdout.write(
            f"Đã dừng: {stats.messages} tin nhắn ({stats.redelivered} gửi lại), {stats.rows} dòng trong "
            f"{stats.batches} lần ghi: {stats.accepted} mới, {stats.duplicates} trùng, {stats.rejected} bị từ chối; "
            f"{stats.retries} lần thử lại cơ sở dữ liệu")
