"""From a question to a `QueryPlan`: the question's words plus weighted expansions."""

from __future__ import annotations

from collections.abc import Callable

from medoracle.index.lexical import LexicalIndex
from medoracle.query import QueryResources, understand
from medoracle.query.mesh import natural_order
from medoracle.query.plan import QueryPlan, Topic
from medoracle.settings import Settings

__all__ = ["make_planner"]


def make_planner(settings: Settings, lexical: LexicalIndex) -> Callable[[str], QueryPlan]:
    """A planner with the abbreviation lexicon and MeSH tree loaded once.

    Library co-occurrence (`doc_freq`) helps choose an abbreviation's sense, so that an
    expansion the library never mentions is not preferred over one it does."""
    resources = QueryResources.load(settings.resolved_data_dir(), settings.cache_dir / "query")
    scale = settings.retrieval.expansion_weight

    def plan(question: str) -> QueryPlan:
        parsed = understand(question, resources, cooccurs=lexical.doc_freq)
        words = [(word, 1.0) for word in parsed.text.split()]
        added = [(term.term, term.weight * scale * 2) for term in parsed.expanded_terms()]
        notes = tuple(f"{term.origin}: {term.term}" for term in parsed.expanded_terms())
        topics = (
            *(Topic(e.short, e.long, "abbreviation") for e in parsed.expansions),
            *(Topic(m.matched, natural_order(m.heading), "mesh", m.trees) for m in parsed.mesh),
        )
        return QueryPlan(
            text=parsed.text,
            terms=(*words, *added),
            qtype=parsed.qtype.value,
            notes=notes,
            topics=topics,
        )

    return plan
