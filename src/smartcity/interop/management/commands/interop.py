"""`smartcity interop client CLIENT_ID …` registers (or re-keys) a client system and prints its secret once;
`smartcity interop sync` queues and delivers the national portal outbox now; `smartcity interop catalogue` pulls
the national procedure catalogue."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.interop import services
from smartcity.interop.models import DataService
from smartcity.interop.national import client as national_client
from smartcity.interop.national import sync


class Command(BaseCommand):
    help = "Hệ thống kết nối liên thông: đăng ký ứng dụng, đồng bộ Cổng DVC quốc gia"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("client", help="register or re-key a client system (prints the secret once)")
        c.add_argument("client_id")
        c.add_argument("--name", required=True)
        c.add_argument("--agency-name", required=True, help="shown to citizens on 'who accessed my data'")
        c.add_argument("--grant", action="append", default=[], metavar="SERVICE:PURPOSE[,PURPOSE…]")
        c.add_argument("--scope", action="append", default=[], choices=["api.read", "api.write"])
        c.add_argument("--service-user", default="", help="staff username the api.* scopes act as")
        c.add_argument("--jwks", type=Path, help="JSON Web Key Set file: private_key_jwt instead of a secret")
        sub.add_parser("sync", help="queue new dossier history and deliver what is due to the national portal")
        sub.add_parser("catalogue", help="pull the national procedure catalogue")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "sync":
            queued = sync.queue_changes()
            self.stdout.write(json.dumps({"queued": queued, **asdict(sync.deliver_due())}))
            return
        if action == "catalogue":
            try:
                self.stdout.write(json.dumps(sync.pull_catalogue()))
            except (national_client.Retryable, national_client.Rejected) as exc:
                raise CommandError(str(exc)) from None
            return
        grants: dict[str, list[str]] = {}
        for grant in options["grant"]:
            code, _, purposes = grant.partition(":")
            if not purposes:
                raise CommandError(f"--grant {grant}: write SERVICE:PURPOSE[,PURPOSE…]")
            grants[code] = [p for p in purposes.split(",") if p]
        user = None
        if options["service_user"]:
            user = get_user_model().objects.filter(username=options["service_user"]).first()
            if user is None:
                raise CommandError(f"no account {options['service_user']}")
        jwks = json.loads(options["jwks"].read_text()) if options["jwks"] else None
        try:
            client, secret = services.register_client(
                client_id=options["client_id"], name=options["name"], agency_name=options["agency_name"],
                grants=grants, api_scopes=options["scope"], service_user=user, jwks=jwks,
                auth_method="private_key_jwt" if jwks else "client_secret_basic")
        except DataService.DoesNotExist:
            raise CommandError(f"unknown service in {list(grants)}; published: "
                               f"{[s[0] for s in services.SERVICES]}") from None
        self.stdout.write(f"client_id: {client.client_id}")
        if secret:
            self.stdout.write(f"client_secret (shown once): {secret}")
