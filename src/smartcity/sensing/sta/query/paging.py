"""Pages of a collection (OGC 18-088, 9.3.3.4): ``$top`` within ``SENSING_PAGE_SIZE`` / ``SENSING_MAX_PAGE_SIZE``, and
the ``@iot.nextLink`` that carries the request's own options on with the next ``$skip``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings

from smartcity.sensing.sta.odata.options import Options

SAFE = "$'(),/:;="  # left readable in nextLinks, as clients and people copy them


def page_size() -> int:
    return settings.SENSING_PAGE_SIZE


def max_page_size() -> int:
    return settings.SENSING_MAX_PAGE_SIZE


def effective_top(opts: Options) -> int:
    """How many entities a page holds: ``$top`` if given, else the default, never more than the maximum."""
    return min(opts.top if opts.top is not None else page_size(), max_page_size())


def next_link(url: str, params: dict[str, str], *, top: int, skip: int) -> str:
    """The URL of the page after the one at ``skip``: the same options, ``$skip`` moved on by ``top``."""
    nxt = dict(params)
    nxt["$top"], nxt["$skip"] = str(top), str(skip + top)
    return f"{url}?{urlencode(nxt, safe=SAFE)}"
