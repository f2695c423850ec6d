"""Tokens of ``$filter`` and ``$orderby`` (OData 4.0 ABNF, as far as SensorThings uses it), and their literals.

A single regular expression (our own pattern, linear on its input) cuts the text into strings, date-times, dates,
times, numbers, geometry literals (``geography'POINT(…)'``), names and punctuation; ``literal`` turns a literal
token into an AST ``Literal`` with its value checked: numbers must fit a database integer or be finite, date-times
need a time zone, geometries must be readable WKT.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from smartcity.lib.dbint import MAX_DB_INT
from smartcity.sensing import geo
from smartcity.sensing.isotime import parse_datetime
from smartcity.sensing.sta.odata.ast import Literal
from smartcity.sensing.sta.odata.errors import QueryError

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

MAX_INT = MAX_DB_INT  # what a database integer holds
MAX_NUMBER_CHARS = 40  # a longer numeric literal is no measurement; int() of thousands of digits is slow, then fails
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


def literal(tok: Token, option: str) -> Literal:
    if tok.kind == "str":
        return Literal(tok.text[1:-1].replace("''", "'"), "str")
    if tok.kind == "num":
        text = tok.text
        if len(text) > MAX_NUMBER_CHARS:
            raise QueryError(f"{option}: the number at position {tok.pos} is too long (at most {MAX_NUMBER_CHARS} "
                             "characters)", option=option)
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
