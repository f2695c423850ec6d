"""Parsing ``$filter`` and ``$orderby`` (OGC 18-088, clause 9.3; OData 4.0 URL conventions) into the AST of
``smartcity.sensing.sta.odata.ast``, by precedence climbing over the tokens of the lexer. Nothing here knows about
Django: ``smartcity.sensing.sta.query`` turns the AST into ``Q`` objects and expressions.

Precedence, loosest first: ``or``; ``and``; ``not``; comparisons (``eq ne gt ge lt le``, ``in``); ``add sub``;
``mul div mod``; function calls, literals, property paths and parentheses. ``not`` applies to the comparison that
follows it (``not name eq 'a' and x gt 1`` is ``(not (name eq 'a')) and (x gt 1)``).

Bounded before it recurses: parentheses, function calls and ``not`` nest at most ``MAX_NESTING`` deep, and an
expression has at most ``MAX_TOKENS`` tokens (which bounds chains like ``a or b or …``), so no input reaches
Python's recursion limit in this parser. (A long chain of arithmetic can still nest too deep for Django's SQL
compiler; the view answers that ``RecursionError`` with a 400 too.)
"""

from __future__ import annotations

from typing import Any

from smartcity.sensing.sta.odata.ast import BinOp, Call, In, Literal, Not, Path
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.odata.lexer import COMPARISONS, KEYWORD_OPS, Token, literal, tokenize

MAX_NESTING = 30  # parentheses, function calls and 'not's inside one another
MAX_TOKENS = 1000


class _Parser:
    def __init__(self, text: str, option: str) -> None:
        self.text = text
        self.option = option
        self.tokens = tokenize(text, option)
        if len(self.tokens) > MAX_TOKENS:
            raise QueryError(f"{option} is too long: at most {MAX_TOKENS} names, values and operators",
                             option=option)
        self.i = 0
        self.depth = 0

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

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"the expression nests deeper than {MAX_NESTING} levels")

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
            self.enter()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
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
            self.enter()
            node = self.expression()
            self.take_punct(")")
            self.depth -= 1
            return node
        if tok.kind in ("str", "num", "datetime", "date", "time", "geo"):
            self.i += 1
            return literal(tok, self.option)
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
        self.enter()
        args: list[Any] = []
        if not (self.tok.kind == "punct" and self.tok.text == ")"):
            args.append(self.expression())
            while self.tok.kind == "punct" and self.tok.text == ",":
                self.i += 1
                args.append(self.expression())
        self.take_punct(")")
        self.depth -= 1
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
