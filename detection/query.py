"""Boolean topic queries: AND / OR / NOT, parentheses, quoted phrases, trailing-* prefixes.

Adjacent terms without an operator are ANDed. Precedence: NOT > AND > OR.
``parse`` validates once; ``Query.evaluate`` is pure and returns the matched positive terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from detection.errors import QuerySyntaxError
from detection.terms import compiled, fold

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')


@dataclass(frozen=True)
class Term:
    """A word, phrase or prefix."""

    text: str


@dataclass(frozen=True)
class Not:
    """Negation of a sub-query."""

    child: Node


@dataclass(frozen=True)
class And:
    """All children hold."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one child holds."""

    children: tuple[Node, ...]


Node = Term | Not | And | Or


def _tokenize(src: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    src = src.strip()
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise QuerySyntaxError(f"unexpected character at {pos}: {src[pos:pos + 10]!r}")
        pos = m.end()
        if m.group(1):
            out.append(("(", "("))
        elif m.group(2):
            out.append((")", ")"))
        elif m.group(3) is not None:
            if not m.group(3).strip():
                raise QuerySyntaxError("empty quoted phrase")
            out.append(("term", m.group(3)))
        else:
            word = m.group(4)
            out.append((word, word) if word in ("AND", "OR", "NOT") else ("term", word))
        while pos < len(src) and src[pos].isspace():
            pos += 1
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse_or(self) -> Node:
        kids = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            kids.append(self.parse_and())
        return kids[0] if len(kids) == 1 else Or(tuple(kids))

    def parse_and(self) -> Node:
        kids = [self.parse_not()]
        while self.peek() in ("AND", "NOT", "term", "("):
            if self.peek() == "AND":
                self.take()
            kids.append(self.parse_not())
        return kids[0] if len(kids) == 1 else And(tuple(kids))

    def parse_not(self) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Not(self.parse_not())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        kind = self.peek()
        if kind is None:
            raise QuerySyntaxError("query ends where a term was expected")
        if kind == "(":
            self.take()
            node = self.parse_or()
            if self.peek() != ")":
                raise QuerySyntaxError("missing closing parenthesis")
            self.take()
            return node
        if kind == "term":
            text = self.take()[1]
            if text.strip("*") == "":
                raise QuerySyntaxError("a bare * is not a term")
            return Term(text)
        raise QuerySyntaxError(f"unexpected {kind!r}")


@dataclass(frozen=True)
class Query:
    """A parsed query; ``evaluate`` tells whether text matches and which terms made it match."""

    source: str
    root: Node

    def terms(self) -> tuple[str, ...]:
        """Every term in the query, positive or negated."""
        return self._terms

    @cached_property
    def _terms(self) -> tuple[str, ...]:
        # walked once per query: evaluate() runs for every article
        out: list[str] = []

        def walk(n: Node) -> None:
            if isinstance(n, Term):
                out.append(n.text)
            elif isinstance(n, Not):
                walk(n.child)
            else:
                for c in n.children:
                    walk(c)

        walk(self.root)
        return tuple(out)

    def evaluate(self, text: str) -> tuple[bool, tuple[str, ...]]:
        """(matches, positive terms found) for ``text`` (raw text; folded here)."""
        found = compiled(self.terms()).present(fold(text))
        matched: list[str] = []

        def ev(n: Node, positive: bool) -> bool:
            if isinstance(n, Term):
                ok = n.text in found
                if ok and positive and n.text not in matched:
                    matched.append(n.text)
                return ok
            if isinstance(n, Not):
                return not ev(n.child, not positive)
            if isinstance(n, And):
                results = [ev(c, positive) for c in n.children]
                return all(results)
            return any([ev(c, positive) for c in n.children])

        ok = ev(self.root, True)
        return ok, tuple(matched) if ok else ()


def parse(source: str) -> Query:
    """Parse ``source``; raises QuerySyntaxError with a readable message when malformed."""
    toks = _tokenize(source)
    if not toks:
        raise QuerySyntaxError("empty query")
    p = _Parser(toks)
    root = p.parse_or()
    if p.i != len(toks):
        raise QuerySyntaxError(f"unexpected {toks[p.i][1]!r} after a complete query")
    return Query(source, root)
