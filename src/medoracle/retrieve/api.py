"""Search service functions: what the CLI and the web app call."""

from __future__ import annotations

from typing import Any

from medoracle.corpus.citation import citation_line
from medoracle.corpus.ingest import Reporter
from medoracle.corpus.models import PubType
from medoracle.errors import ConfigError
from medoracle.index.lexical import Filters
from medoracle.query.understand import normalise
from medoracle.retrieve.search import Retriever, SearchResult
from medoracle.retrieve.service import open_retriever
from medoracle.settings import Settings

__all__ = ["filters_for", "search_library", "search_payload"]


def filters_for(types: tuple[str, ...] = (), audience: str | None = None) -> Filters | None:
    """Filters from CLI or API words; an unknown type is refused with the valid ones."""
    valid = {t.value for t in PubType}
    for name in types:
        if name not in valid:
            raise ConfigError(f"unknown type {name!r}; expected one of: {', '.join(sorted(valid))}")
    if audience not in (None, "clinician", "patient"):
        raise ConfigError(f"unknown audience {audience!r}; expected clinician or patient")
    if not types and audience is None:
        return None
    return Filters(pub_types=tuple(types) or None, audience=audience)


def search_payload(retriever: Retriever, result: SearchResult) -> dict[str, Any]:
    """A search result as plain data, each hit with its document's citation line."""
    hits = []
    documents = retriever.library.documents([hit.doc_id for hit in result.hits])
    for rank, hit in enumerate(result.hits, start=1):
        document = documents[hit.doc_id]
        hits.append(
            {
                "rank": rank,
                "score": round(hit.score, 4),
                "passage_id": f"{hit.doc_id}#{hit.seq}",
                "doc_id": hit.doc_id,
                "section": hit.section,
                "kind": hit.kind,
                "grade": hit.grade,
                "text": hit.text,
                "citation": citation_line(document),
                "type": document.evidence_label,
                "level": document.evidence_level,
                "features": {k: round(v, 3) for k, v in hit.features.items()},
            }
        )
    return {
        "query": result.plan.text,
        "question_type": result.plan.qtype,
        "expansions": list(result.plan.notes),
        "hits": hits,
        "timings_ms": result.timings_ms,
    }


def search_library(
    settings: Settings,
    question: str,
    *,
    k: int = 10,
    types: tuple[str, ...] = (),
    audience: str | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    filters = filters_for(types, audience)
    if not normalise(question)[0]:  # refuse before opening any index
        raise ConfigError("the question is empty: type a question with at least one word")
    retriever = open_retriever(settings, reporter)
    try:
        result = retriever.search(question, k=k, filters=filters)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return search_payload(retriever, result)
