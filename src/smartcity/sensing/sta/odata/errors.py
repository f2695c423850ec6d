"""The one error of the OData layer: a query option the server cannot read. The views answer it with a 400 that
names the option (``{"code": 400, …, "errors": [{"field": "$filter", …}]}``)."""

from __future__ import annotations


class QueryError(ValueError):
    """A query option the server cannot read: the message names the option and the problem."""

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.option = option
