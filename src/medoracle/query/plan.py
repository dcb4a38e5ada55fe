"""What retrieval searches for: a `QueryPlan` of the question's words and weighted
expansions, and the `Topic`s (MeSH headings, abbreviation senses) the question names.

`medoracle.query.planning` builds full plans from the understanding resources;
`simple_plan` is the question's own words only, for the `bm25` baseline and for retrieval
without understanding. `medoracle.retrieve` consumes plans and never builds them itself.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_QUERY_CHARS", "QueryPlan", "Topic", "simple_plan"]

MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Topic:
    """A named thing the question is about: a MeSH heading or an abbreviation's sense."""

    text: str  # as the question writes it
    name: str  # the heading in natural order, or the abbreviation's long form
    kind: str  # "mesh" or "abbreviation"
    trees: tuple[str, ...] = ()  # MeSH tree numbers; their letter is the category


@dataclass(frozen=True)
class QueryPlan:
    """What retrieval searches for: the question's words and weighted expansions."""

    text: str
    terms: tuple[tuple[str, float], ...]
    qtype: str | None = None
    notes: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()


def simple_plan(question: str) -> QueryPlan:
    """The question's own words only, for `bm25` baselines and when no understanding
    resources are loaded."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in question).split())
    text = text[:MAX_QUERY_CHARS]
    return QueryPlan(text=text, terms=tuple((word, 1.0) for word in text.split()))
