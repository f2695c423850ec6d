"""The NGSI-LD Query Language (ETSI GS CIM 009, clause 4.9): the ``q`` parameter of GET /ngsi-ld/v1/entities,
parsed once and evaluated against normalized entities.

Supported: terms ``attr``, ``attr<op>value`` with ``==`` ``!=`` ``>`` ``>=`` ``<`` ``<=``; values that are JSON
numbers, quoted strings, ``true``/``false``, DateTimes, Dates, Times, URIs (``==``/``!=`` only), ranges ``a..b`` and
lists ``a,b``; the pattern operators ``~=``/``!~=``; attribute paths ``attr.sub`` (a sub-property, or a member such as
``observedAt``) and a trailing ``attr[key.key]`` into a compound value; ``;`` (AND, binding tighter) and ``|`` (OR)
with parentheses. Linked-entity paths ``attr{…}`` are refused (``OperationNotSupported``).

Regular expressions (``~=`` and the ``idPattern`` parameter) come from the client, so they run on RE2
(``google-re2``), whose matching time is linear in the text whatever the pattern: no pattern can make a request
slow, as ``(a+)+$`` can on Python's backtracking engine. RE2 reads the POSIX (IEEE 1003.2) expressions the spec
names and Perl's common extensions (``(?i)``, ``\\d``); back-references and look-arounds, which need backtracking,
are bad data. A ``q`` holds at most ``MAX_PATTERNS`` of them and each is at most ``MAX_PATTERN`` characters long.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import re2

MAX_LENGTH = 2000
MAX_DEPTH = 16
_NAME = re.compile(r"[^\W\d]\w*")  # unicodeLetter *(unicodeNumber / unicodeLetter / "_")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>;|(),]+")
_OPERATORS = ("!~=", "~=", "==", "!=", ">=", "<=", ">", "<")
MAX_PATTERN = 256
MAX_PATTERNS = 8
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a client's broken pattern is a 400, not a line on the server's stderr


class QueryError(ValueError):
    """A ``q`` the grammar does not accept (``BadRequestData``)."""


class Unsupported(QueryError):
    """Valid grammar we do not evaluate (``OperationNotSupported``)."""


class TooComplex(QueryError):
    """Nested deeper than MAX_DEPTH (``TooComplexQuery``)."""


@dataclass(frozen=True)
class Range:
    low: Any
    high: Any


@dataclass(frozen=True)
class Term:
    path: tuple[str, ...]
    keys: tuple[str, ...]  # the trailing [a.b] path into a compound value
    op: str = ""  # "" tests existence
    value: Any = None  # a scalar, a Range, a tuple (ValueList) or a compiled pattern (~=, !~=)


@dataclass(frozen=True)
class Logical:
    op: str  # ";" (and) or "|" (or)
    parts: tuple[Term | Logical, ...]


Query = Term | Logical


def parse(text: str) -> Query:
    if len(text) > MAX_LENGTH:
        raise TooComplex(f"q dài quá {MAX_LENGTH} ký tự")
    parser = _Parser(text)
    query = parser.expression(0)
    if parser.pos != len(text):
        raise QueryError(f"q: không hiểu ký tự {text[parser.pos]!r} ở vị trí {parser.pos + 1}")
    return query


def regex(text: str) -> Any:
    """A client's regular expression, compiled by RE2 (see the module docstring)."""
    if len(text) > MAX_PATTERN:
        raise TooComplex(f"biểu thức chính quy dài quá {MAX_PATTERN} ký tự")
    try:
        return re2.compile(text, _RE2_OPTIONS)
    except re2.error as e:
        reason = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
        raise QueryError(f"biểu thức chính quy không hợp lệ {text!r}: {reason}") from None


def matches(query: Query, entity: dict[str, Any]) -> bool:
    if isinstance(query, Logical):
        results = (matches(part, entity) for part in query.parts)
        return all(results) if query.op == ";" else any(results)
    found, target = _target(entity, query)
    if not found:
        return False
    if not query.op:
        return True
    values = target if isinstance(target, list) else [target]
    if query.op in ("~=", "!~="):  # strings only; anything else does not match (clause 4.9)
        strings = [v for v in values if isinstance(v, str)]
        found = any(query.value.search(v) for v in strings)
        return bool(strings) and (found if query.op == "~=" else not found)
    if query.op == "!=":
        return not any(_equal(v, query.value) for v in values)
    if query.op == "==":
        return any(_equal(v, query.value) for v in values)
    return any(_compare(v, query.op, query.value) for v in values)


# ------------------------------------------------------------------------------------------------ parsing


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.patterns = 0

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expression(self, depth: int) -> Query:
        """Terms joined by ``;`` and ``|``, ``;`` binding tighter (clause 4.9)."""
        return self._joined("|", lambda: self._joined(";", lambda: self._operand(depth)))

    def _joined(self, separator: str, operand: Callable[[], Query]) -> Query:
        """One or more operands separated by ``separator`` (one alone stands for itself)."""
        parts = [operand()]
        while self._peek() == separator:
            self.pos += 1
            parts.append(operand())
        return parts[0] if len(parts) == 1 else Logical(separator, tuple(parts))

    def _operand(self, depth: int) -> Query:
        if self._peek() != "(":
            return self._term()
        if depth >= MAX_DEPTH:
            raise TooComplex(f"q lồng quá {MAX_DEPTH} cặp ngoặc")
        self.pos += 1
        inner = self.expression(depth + 1)
        if self._peek() != ")":
            raise QueryError(f"q: thiếu ')' ở vị trí {self.pos + 1}")
        self.pos += 1
        return inner

    def _name(self) -> str:
        found = _NAME.match(self.text, self.pos)
        if not found:
            raise QueryError(f"q: cần tên thuộc tính ở vị trí {self.pos + 1}")
        self.pos = found.end()
        return found.group()

    def _dotted(self) -> tuple[str, ...]:
        names = [self._name()]
        while self._peek() == "." and self.text[self.pos + 1:self.pos + 2] != ".":
            self.pos += 1
            names.append(self._name())
        return tuple(names)

    def _term(self) -> Term:
        path = self._dotted()
        if self._peek() == "{":
            raise Unsupported("q: chưa hỗ trợ truy vấn qua quan hệ (attr{…})")
        keys: tuple[str, ...] = ()
        if self._peek() == "[":
            self.pos += 1
            keys = self._dotted()
            if self._peek() != "]":
                raise QueryError(f"q: thiếu ']' ở vị trí {self.pos + 1}")
            self.pos += 1
        op = next((o for o in _OPERATORS if self.text.startswith(o, self.pos)), "")
        if not op:
            return Term(path, keys)
        self.pos += len(op)
        if op in ("~=", "!~="):
            self.patterns += 1
            if self.patterns > MAX_PATTERNS:
                raise TooComplex(f"q có quá {MAX_PATTERNS} biểu thức chính quy")
            return Term(path, keys, op, regex(self._pattern()))
        return Term(path, keys, op, self._value(op))

    def _pattern(self) -> str:
        """A RegExp: a quoted string (which may hold ``;``, ``|`` and ``)``), else the text up to the next one."""
        raw = self._raw_value()
        if raw.startswith('"'):
            return _scalar(raw)
        if not raw:
            raise QueryError(f"q: thiếu biểu thức chính quy ở vị trí {self.pos + 1}")
        return raw

    def _raw_value(self) -> str:
        """The value's text: up to the next ``;``, ``|`` or ``)`` outside a quoted string."""
        start = self.pos
        self.pos = next((i for i, char in _outside_quotes(self.text, start) if char in ";|)"), len(self.text))
        return self.text[start:self.pos]

    def _value(self, op: str) -> Any:
        raw = self._raw_value()
        items = _split_outside_quotes(raw, ",")
        if len(items) > 1:
            if op not in ("==", "!="):
                raise QueryError(f"q: danh sách giá trị chỉ dùng với == và != ({raw!r})")
            return tuple(_scalar(item, uri=True) for item in items)
        bounds = _split_outside_quotes(raw, "..")
        if len(bounds) == 2:
            if op not in ("==", "!="):
                raise QueryError(f"q: khoảng giá trị chỉ dùng với == và != ({raw!r})")
            return Range(_scalar(bounds[0]), _scalar(bounds[1]))
        return _scalar(raw, uri=op in ("==", "!="))


def _outside_quotes(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of each character of ``text`` from ``start`` that stands outside a quoted string (inside
    one a backslash escapes the next character); a string left open at the end is bad data."""
    i, quoted = start, False
    while i < len(text):
        char = text[i]
        if quoted and char == "\\":
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted:
            yield i, char
        i += 1
    if quoted:
        raise QueryError("q: chuỗi thiếu dấu \" đóng")


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts, start = [], 0
    for i, _ in _outside_quotes(text):
        if i >= start and text.startswith(sep, i):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return parts


def _scalar(raw: str, *, uri: bool = False) -> Any:
    if raw.startswith('"'):
        try:
            return json.loads(raw)  # a string, as the text starts with a quote
        except ValueError:
            raise QueryError(f"q: chuỗi không hợp lệ {raw!r}") from None
    if raw in ("true", "false"):
        return raw == "true"
    moment = _temporal(raw)
    if moment is not None:
        return moment
    if _NUMBER.fullmatch(raw):
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    if uri and _URI.fullmatch(raw):
        return raw
    raise QueryError(f"q: giá trị không hợp lệ {raw!r} (chuỗi phải đặt trong dấu \")")


def _temporal(text: str) -> dt.datetime | dt.date | dt.time | None:
    """A DateTime, Date or Time (clause 4.6.3) written in ``text``, or None when it is none of them."""
    try:
        if _DATETIME.fullmatch(text):
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
        if _TIME.fullmatch(text):
            return dt.time.fromisoformat(text.rstrip("Z"))
    except ValueError:
        raise QueryError(f"q: ngày giờ không hợp lệ {text!r}") from None
    return None


# ------------------------------------------------------------------------------------------------ evaluation

_MISSING = (False, None)


def _attribute_value(attr: Any) -> Any:
    """The target value of a Property (its value), Relationship (its object) or GeoProperty."""
    if not isinstance(attr, dict):
        return attr
    if "object" in attr and attr.get("type") == "Relationship":
        return attr["object"]
    value = attr.get("value")
    if isinstance(value, dict) and "@value" in value:  # {"@type": "DateTime", "@value": "…"}
        return value["@value"]
    return value


def _target(entity: dict[str, Any], term: Term) -> tuple[bool, Any]:
    """(whether the target element exists, its target value) for a term's attribute path (clause 4.9)."""
    element: Any = entity.get(term.path[0])
    if not isinstance(element, dict) or "type" not in element:
        return _MISSING
    for name in term.path[1:]:
        if not isinstance(element, dict) or name not in element:
            return _MISSING
        element = element[name]
    value = _attribute_value(element)
    for key in term.keys:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return (True, value) if value is not None else _MISSING


def _coerce(target: Any, like: Any) -> Any:
    """The target value as the query value's type, or None when the types differ (then nothing matches)."""
    if isinstance(like, bool):
        return target if isinstance(target, bool) else None
    if isinstance(like, int | float):
        return target if isinstance(target, int | float) and not isinstance(target, bool) else None
    if not isinstance(target, str):
        return None
    if isinstance(like, str):
        return target
    try:
        moment = _temporal(target)
    except QueryError:
        return None
    return moment if type(moment) is type(like) else None


def _equal(target: Any, value: Any) -> bool:
    if isinstance(value, tuple):
        return any(_equal(target, v) for v in value)
    if isinstance(value, Range):
        return _compare(target, ">=", value.low) and _compare(target, "<=", value.high)
    coerced = _coerce(target, value)
    return coerced is not None and coerced == value


def _compare(target: Any, op: str, value: Any) -> bool:
    coerced = _coerce(target, value)
    if coerced is None or isinstance(value, bool):
        return False
    if op == ">":
        return bool(coerced > value)
    if op == ">=":
        return bool(coerced >= value)
    if op == "<":
        return bool(coerced < value)
    return bool(coerced <= value)
