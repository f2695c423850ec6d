"""The query options of a request (OGC 18-088, 9.3): reading ``$top $skip $count $select $expand $resultFormat`` and
keeping ``$filter``/``$orderby`` as text for the compiler.

``$expand`` is read by a scanner that respects parentheses and quotes, so each item may carry its own options
(``Datastreams($filter=…;$top=1;$expand=Observations($orderby=phenomenonTime desc))``); a path of navigation
properties (``Datastreams/Observations``) is the same as nesting. Unknown ``$`` options are an error (OData 4.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from smartcity.lib.dbint import as_db_int
from smartcity.sensing.sta.odata.errors import QueryError


@dataclass
class Options:
    """The query options of a request or of one ``$expand`` item."""

    filter: str | None = None
    orderby: str | None = None
    top: int | None = None
    skip: int = 0
    count: bool = False
    select: list[str] | None = None
    expand: list[ExpandItem] = field(default_factory=list)
    result_format: str | None = None
    raw: dict[str, str] = field(default_factory=dict)  # as given, for nextLinks


@dataclass
class ExpandItem:
    name: str
    options: Options


KNOWN = {"$filter", "$orderby", "$top", "$skip", "$count", "$select", "$expand", "$resultFormat"}


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses and quoted strings."""
    parts, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quote = not quote
        elif quote:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("unbalanced parentheses in $expand", option="$expand")
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth or quote:
        raise QueryError("unbalanced parentheses or quotes in $expand", option="$expand")
    parts.append(text[start:])
    return parts


def _int_option(name: str, value: str) -> int:
    number = as_db_int(value, minimum=0)
    if number is None:
        raise QueryError(f"{name} must be a non-negative integer of at most 19 digits, not {value[:40]!r}",
                         option=name)
    return number


MAX_EXPAND_NESTING = 5  # as many levels as the renderer expands (query.expand.MAX_EXPAND_DEPTH)


def parse_options(params: dict[str, str], *, nested: bool = False, depth: int = 0) -> Options:
    """Query options from ``{"$filter": "...", ...}``; unknown ``$`` options are an error (OData 4.0)."""
    opts = Options(raw=dict(params))
    for name, value in params.items():
        if name not in KNOWN:
            raise QueryError(f"unknown query option {name}", option=name)
        if name == "$filter":
            opts.filter = value
        elif name == "$orderby":
            opts.orderby = value
        elif name == "$top":
            opts.top = _int_option(name, value)
        elif name == "$skip":
            opts.skip = _int_option(name, value)
        elif name == "$count":
            if value.strip() not in ("true", "false"):
                raise QueryError(f"$count must be true or false, not {value!r}", option=name)
            opts.count = value.strip() == "true"
        elif name == "$select":
            opts.select = [s.strip() for s in value.split(",") if s.strip()]
            if not opts.select:
                raise QueryError("$select is empty", option=name)
        elif name == "$expand":
            opts.expand = parse_expand(value, depth=depth + 1)
        elif name == "$resultFormat":
            if nested:
                raise QueryError("$resultFormat is not allowed inside $expand", option=name)
            opts.result_format = value.strip()
    return opts


_EXPAND_ITEM = re.compile(r"^\s*([A-Za-z]+(?:/[A-Za-z]+)*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_expand(text: str, *, depth: int = 1) -> list[ExpandItem]:
    """``$expand`` items, each with its own options; ``depth`` counts the ``$expand`` options it sits in."""
    if depth > MAX_EXPAND_NESTING:
        raise QueryError(f"$expand nests deeper than {MAX_EXPAND_NESTING} levels", option="$expand")
    items: list[ExpandItem] = []
    for part in split_top_level(text, ","):
        m = _EXPAND_ITEM.match(part)
        if not m:
            raise QueryError(f"$expand: cannot read {part.strip()!r}", option="$expand")
        names, inner = m.group(1).split("/"), m.group(2)
        params: dict[str, str] = {}
        if inner is not None and inner.strip():
            for opt in split_top_level(inner, ";"):
                if "=" not in opt:
                    raise QueryError(f"$expand: expected name=value in {opt.strip()!r}", option="$expand")
                key, value = opt.split("=", 1)
                params[key.strip()] = value
        options = parse_options(params, nested=True, depth=depth)
        # Datastreams/Observations($top=1) is Datastreams($expand=Observations($top=1))
        for name in reversed(names[1:]):
            options = Options(expand=[ExpandItem(name, options)])
        _merge(items, ExpandItem(names[0], options))
    return items


def _merge(items: list[ExpandItem], item: ExpandItem) -> None:
    for existing in items:
        if existing.name == item.name:
            existing.options.expand.extend(item.options.expand)
            return
    items.append(item)
