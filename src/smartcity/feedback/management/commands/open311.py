"""``smartcity open311 issue-key --name "App"``: issue an Open311 API key to a client app (shown once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.feedback.services import issue_api_key
from smartcity.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Open311 GeoReport v2: issue-key --name NAME prints a new API key for a client app"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue-key", help="issue an API key")
        issue.add_argument("--name", required=True, help="the client app's name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key, secret = issue_api_key(name=options["name"])
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
        self.stderr.write(f"Key {key.prefix}… issued to {key.name} (id {key.pk}); it is shown only this once.")
