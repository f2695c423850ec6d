"""gunicorn's logger with the platform's redaction: no share token, tracking secret, OIDC code or ID number in its
access or error log (``lib.redact``).

Use it with ``gunicorn --logger-class smartcity.ops.gunicorn.RedactingLogger smartcity.wsgi`` (or
``logger_class = "smartcity.ops.gunicorn.RedactingLogger"`` in a gunicorn config file); the access-log format
stays whatever ``--access-logformat`` says. Only gunicorn imports this module.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from smartcity.lib.redact import RedactFilter


class RedactingLogger(Logger):
    """The access and error loggers filter every record through ``RedactFilter`` before any handler sees it."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactFilter) for f in log.filters):
                log.addFilter(RedactFilter())
