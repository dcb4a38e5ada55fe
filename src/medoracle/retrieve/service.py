"""Opening search over the library: indexes brought up to date, resources loaded once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from medoracle.corpus.ingest import Reporter
from medoracle.corpus.store import Library
from medoracle.index.lexical import LexicalIndex
from medoracle.query.plan import QueryPlan, simple_plan
from medoracle.retrieve.search import DenseSearch, Retriever
from medoracle.settings import Settings

__all__ = ["index_dir", "open_retriever", "update_indexes"]


def index_dir(settings: Settings) -> Path:
    return settings.home / "index"


_LEXICAL = {"passage": "lexical", "document": "lexical-documents"}


def _lexical(settings: Settings, library: Library, granularity: str) -> LexicalIndex:
    """The lexical index of one granularity, rebuilt if it is ahead of the library (the
    library was rebuilt under it)."""
    path = index_dir(settings) / _LEXICAL[granularity]
    index = LexicalIndex(path, granularity)
    if index.cursor > library.change_cursor():
        shutil.rmtree(path, ignore_errors=True)
        index = LexicalIndex(path, granularity)
    return index


def update_indexes(
    settings: Settings, library: Library, reporter: Reporter | None = None, *, dense: bool = True
) -> dict[str, object]:
    """Bring every index up to the library's latest passage change."""
    _, totals = _updated_lexical(settings, library, reporter)
    report: dict[str, object] = {_LEXICAL[g]: t for g, t in totals.items()}
    if dense:
        from medoracle.retrieve.dense import open_dense

        report["dense"] = open_dense(settings, library, reporter=reporter, update=True).report
    report["question_reading"] = _question_caches(settings, library)
    return report


def _question_caches(settings: Settings, library: Library) -> dict[str, int]:
    """Build what reading a question needs, so the first `ask` or `serve` does not: the
    library's vocabulary (for spelling), the disease and drug dictionary, the abbreviation
    and MeSH caches."""
    from medoracle.query.entities import EntityDictionary
    from medoracle.query.spelling import VOCABULARY_NAME, library_vocabulary
    from medoracle.query.understand import QueryResources

    vocabulary = library_vocabulary(
        library, index_dir(settings) / VOCABULARY_NAME, library.change_cursor()
    )
    EntityDictionary.open(settings.cache_dir / "query")
    QueryResources.load(settings.resolved_data_dir(), settings.cache_dir / "query")
    return {"vocabulary": len(vocabulary)}


def _updated_lexical(
    settings: Settings, library: Library, reporter: Reporter | None
) -> tuple[dict[str, LexicalIndex], dict[str, dict[str, int]]]:
    """Both lexical indexes, opened once and brought up to date, with what each update did."""
    indexes = {granularity: _lexical(settings, library, granularity) for granularity in _LEXICAL}
    totals = {
        granularity: index.update(library, reporter) for granularity, index in indexes.items()
    }
    return indexes, totals


def open_retriever(
    settings: Settings,
    reporter: Reporter | None = None,
    *,
    dense: bool = True,
    understand: bool = True,
) -> Retriever:
    """A retriever over the library in `settings.home`, its indexes updated first."""
    library = Library.open(settings.library_path)
    lexical_indexes, _ = _updated_lexical(settings, library, reporter)
    lexical, documents = lexical_indexes["passage"], lexical_indexes["document"]
    dense_search: DenseSearch | None = None
    if dense:
        from medoracle.retrieve.dense import open_dense

        dense_search = open_dense(settings, library, reporter=reporter, update=True)
    planner: Callable[[str], QueryPlan] = simple_plan
    if understand:
        planner = _planner(settings, lexical)
    return Retriever(library, lexical, documents, settings.retrieval, dense_search, planner)


def _planner(settings: Settings, lexical: LexicalIndex) -> Callable[[str], QueryPlan]:
    from medoracle.query.planning import make_planner

    return make_planner(settings, lexical)
