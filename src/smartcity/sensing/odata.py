"""Parsing the query options of SensorThings requests (OGC 18-088, clause 9.3; OData 4.0 URL conventions).

``$filter`` and ``$orderby`` go through a tokenizer and a precedence-climbing parser into a small AST; ``$expand``
and ``$select`` through a scanner that respects parentheses and quotes. Nothing here knows about Django: the query
layer (``smartcity.sensing.query``) turns the AST into ``Q`` objects and expressions.

Precedence, loosest first: ``or``; ``and``; ``not``; comparisons (``eq ne gt ge lt le``, ``in``); ``add sub``;
``mul div mod``; function calls, literals, property paths and parentheses. ``not`` applies to the comparison that
follows it (``not name eq 'a' and x gt 1`` is ``(not (name eq 'a')) and (x gt 1)``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from smartcity.sensing import geo


class QueryError(ValueError):
    """A query option the server cannot read: the message names the option and the problem."""

    def __init__(self, message: str, *, option: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.option = option


# ------------------------------------------------------------------------------------------------ AST


@dataclass(frozen=True)
class Literal:
    value: Any
    kind: str  # "str" "num" "bool" "null" "datetime" "date" "time" "geo"


@dataclass(frozen=True)
class Path:
    segments: tuple[str, ...]

    def __str__(self) -> str:
        return "/".join(self.segments)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class BinOp:
    op: str  # and or eq ne gt ge lt le add sub mul div mod
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    operand: Any


@dataclass(frozen=True)
class In:
    operand: Any
    values: tuple[Any, ...]


# ------------------------------------------------------------------------------------------------ tokens

_DATETIME = (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
             r"(?:Z|[+-]\d{2}:?\d{2}|[ ]\d{2}:\d{2}(?=\s|\)|,|$))?")  # " 07:00": a '+' decoded as a space
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<geo>(?:geography|geometry)'(?:[^']|'')*')
  | (?P<str>'(?:[^']|'')*')
  | (?P<datetime>""" + _DATETIME + r""")
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\dT]))
  | (?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?(?![\d:]))
  | (?P<num>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[@$A-Za-z_][A-Za-z0-9_.@$]*)
  | (?P<punct>[(),/])
    """,
    re.X,
)

MAX_INT = 2**63 - 1  # what a database integer holds
KEYWORD_OPS = {"and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "add", "sub", "mul", "div", "mod", "in",
               "asc", "desc"}
COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")


@dataclass
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str, option: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise QueryError(f"{option}: unexpected character {text[pos]!r} at position {pos}", option=option)
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse_datetime(text: str) -> dt.datetime:
    """An ISO 8601 instant with a time zone (``Z`` or an offset) → an aware datetime."""
    value = text.strip()
    if len(value) > 19 and value[-6] == " ":  # '+07:00' that arrived as ' 07:00'
        value = value[:-6] + "+" + value[-5:]
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"date-time without a time zone (add Z or an offset): {text!r}")
    return parsed.astimezone(dt.UTC)


def _literal(tok: Token, option: str) -> Literal:
    if tok.kind == "str":
        return Literal(tok.text[1:-1].replace("''", "'"), "str")
    if tok.kind == "num":
        text = tok.text
        number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        if not math.isfinite(number) or (isinstance(number, int) and abs(number) > MAX_INT):
            raise QueryError(f"{option}: the number {text} at position {tok.pos} is out of range", option=option)
        return Literal(number, "num")
    if tok.kind == "datetime":
        try:
            return Literal(parse_datetime(tok.text), "datetime")
        except ValueError as exc:
            raise QueryError(f"{option}: {exc}", option=option) from None
    if tok.kind == "date":
        try:
            return Literal(dt.date.fromisoformat(tok.text), "date")
        except ValueError:
            raise QueryError(f"{option}: not a date: {tok.text}", option=option) from None
    if tok.kind == "time":
        try:
            return Literal(dt.time.fromisoformat(tok.text), "time")
        except ValueError:
            raise QueryError(f"{option}: not a time: {tok.text}", option=option) from None
    if tok.kind == "geo":
        body = tok.text[tok.text.index("'") + 1:-1].replace("''", "'")
        try:
            return Literal(geo.from_wkt(body), "geo")
        except geo.GeometryError as exc:
            raise QueryError(f"{option}: bad geometry literal at position {tok.pos}: {exc}", option=option) from None
    raise AssertionError(tok.kind)


class _Parser:
    def __init__(self, text: str, option: str) -> None:
        self.text = text
        self.option = option
        self.tokens = tokenize(text, option)
        self.i = 0

    # -- helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, tok: Token | None = None) -> QueryError:
        tok = tok or self.tok
        where = "at the end" if tok.kind == "end" else f"at position {tok.pos} ({tok.text!r})"
        return QueryError(f"{self.option}: {message} {where}", option=self.option)

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "name" and self.tok.text in words

    def take_punct(self, char: str) -> None:
        if self.tok.kind != "punct" or self.tok.text != char:
            raise self.error(f"expected {char!r}")
        self.i += 1

    # -- grammar
    def expression(self) -> Any:
        return self.or_expr()

    def or_expr(self) -> Any:
        node = self.and_expr()
        while self.is_word("or"):
            self.i += 1
            node = BinOp("or", node, self.and_expr())
        return node

    def and_expr(self) -> Any:
        node = self.not_expr()
        while self.is_word("and"):
            self.i += 1
            node = BinOp("and", node, self.not_expr())
        return node

    def not_expr(self) -> Any:
        if self.is_word("not"):
            self.i += 1
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Any:
        node = self.additive()
        while self.is_word(*COMPARISONS, "in"):
            op = self.tok.text
            self.i += 1
            if op == "in":
                self.take_punct("(")
                values = [self.additive()]
                while self.tok.kind == "punct" and self.tok.text == ",":
                    self.i += 1
                    values.append(self.additive())
                self.take_punct(")")
                node = In(node, tuple(values))
            else:
                node = BinOp(op, node, self.additive())
        return node

    def additive(self) -> Any:
        node = self.multiplicative()
        while self.is_word("add", "sub"):
            op = self.tok.text
            self.i += 1
            node = BinOp(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Any:
        node = self.primary()
        while self.is_word("mul", "div", "mod"):
            op = self.tok.text
            self.i += 1
            node = BinOp(op, node, self.primary())
        return node

    def primary(self) -> Any:
        tok = self.tok
        if tok.kind == "punct" and tok.text == "(":
            self.i += 1
            node = self.expression()
            self.take_punct(")")
            return node
        if tok.kind in ("str", "num", "datetime", "date", "time", "geo"):
            self.i += 1
            return _literal(tok, self.option)
        if tok.kind == "name":
            word = tok.text
            if word in ("true", "false"):
                self.i += 1
                return Literal(word == "true", "bool")
            if word == "null":
                self.i += 1
                return Literal(None, "null")
            if word in KEYWORD_OPS:
                raise self.error(f"expected a value, found the operator {word!r}")
            nxt = self.tokens[self.i + 1]
            if nxt.kind == "punct" and nxt.text == "(":
                return self.call()
            return self.path()
        if tok.kind == "end":
            raise self.error("expression ends too early")
        raise self.error("expected a value")

    def call(self) -> Call:
        name = self.tok.text
        self.i += 2  # name and '('
        args: list[Any] = []
        if not (self.tok.kind == "punct" and self.tok.text == ")"):
            args.append(self.expression())
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.i += 1
                args.append(self.expression())
        self.take_punct(")")
        return Call(name.lower(), tuple(args))

    def path(self) -> Path:
        segments = [self.tok.text]
        self.i += 1
        while self.tok.kind == "punct" and self.tok.text == "/":
            self.i += 1
            if self.tok.kind != "name":
                raise self.error("expected a property name after '/'")
            segments.append(self.tok.text)
            self.i += 1
        return Path(tuple(segments))

    def at_end(self) -> None:
        if self.tok.kind != "end":
            raise self.error("unexpected text")


def parse_filter(text: str, option: str = "$filter") -> Any:
    if not text.strip():
        raise QueryError(f"{option} is empty", option=option)
    parser = _Parser(text, option)
    node = parser.expression()
    parser.at_end()
    return node


def parse_orderby(text: str) -> list[tuple[Any, bool]]:
    """``$orderby`` → [(expression, descending)]."""
    parser = _Parser(text, "$orderby")
    items = []
    while True:
        expr = parser.additive()
        descending = False
        if parser.tok.kind == "name" and parser.tok.text.lower() in ("asc", "desc"):
            descending = parser.tok.text.lower() == "desc"  # FROST's client sends ASC/DESC
            parser.i += 1
        items.append((expr, descending))
        if parser.tok.kind == "punct" and parser.tok.text == ",":
            parser.i += 1
            continue
        parser.at_end()
        return items


# ------------------------------------------------------------------------------------------------ $expand, $select


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
    try:
        number = int(value.strip())
    except ValueError:
        raise QueryError(f"{name} must be a non-negative integer, not {value!r}", option=name) from None
    if number < 0 or number > MAX_INT:
        raise QueryError(f"{name} must be a non-negative integer, not {value!r}", option=name)
    return number


def parse_options(params: dict[str, str], *, nested: bool = False) -> Options:
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
            opts.expand = parse_expand(value)
        elif name == "$resultFormat":
            if nested:
                raise QueryError("$resultFormat is not allowed inside $expand", option=name)
            opts.result_format = value.strip()
    return opts


_EXPAND_ITEM = re.compile(r"^\s*([A-Za-z]+(?:/[A-Za-z]+)*)\s*(?:\((.*)\))?\s*$", re.S)


def parse_expand(text: str) -> list[ExpandItem]:
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
        options = parse_options(params, nested=True)
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
