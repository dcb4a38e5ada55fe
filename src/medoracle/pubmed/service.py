"""PubMed records into the library: search, fetch what is new, ingest as `pubmed-xml`.

Fetched records go through the same loader as NLM's baseline files, so they become
ordinary graded, cited documents (`pubmed:<PMID>`); records already in the library are not
fetched again.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from medoracle.corpus.ingest import Reporter
from medoracle.corpus.service import ingest_paths
from medoracle.corpus.store import Library
from medoracle.pubmed.eutils import EUtils
from medoracle.pubmed.query import pubmed_term
from medoracle.query.understand import QueryResources, understand
from medoracle.settings import Settings

__all__ = ["fetch_question", "fetch_questions", "fetch_term", "open_eutils"]


def open_eutils(settings: Settings) -> EUtils:
    return EUtils(settings.pubmed, settings.cache_dir / "pubmed")


def fetch_question(
    settings: Settings,
    question: str,
    *,
    client: EUtils | None = None,
    reporter: Reporter | None = None,
    resources: QueryResources | None = None,
) -> dict[str, Any]:
    """Search PubMed for `question` (filtered to guidelines, reviews and trials, then
    unfiltered when that finds nothing) and ingest the new records."""
    if resources is None:
        resources = _resources(settings)
    parsed = understand(question, resources)
    client = client or open_eutils(settings)
    report = fetch_term(settings, pubmed_term(parsed), client=client, reporter=reporter)
    if not report["matched"]:
        report = fetch_term(
            settings, pubmed_term(parsed, filtered=False), client=client, reporter=reporter
        )
    return report


def fetch_term(
    settings: Settings,
    term: str,
    *,
    max_results: int | None = None,
    client: EUtils | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Ingest the top records of the ESearch `term` that the library does not hold yet."""
    client = client or open_eutils(settings)
    limit = max_results or settings.pubmed.max_results
    since = dt.date.today().year - settings.pubmed.years + 1
    searched = client.search(term, retmax=limit, mindate=since)
    new = _new(settings, searched.pmids)
    report: dict[str, Any] = {
        "query": term,
        "matched": searched.count,
        "found": list(searched.pmids),
        "new": new,
    }
    if new:
        body = client.fetch(new)
        with tempfile.TemporaryDirectory(prefix="medoracle-pubmed-") as folder:
            path = Path(folder) / "efetch.xml"
            path.write_bytes(body)
            report["ingest"] = ingest_paths(settings, "pubmed-xml", [path], reporter=reporter)
    report["requests"] = client.stats.requests
    report["cache_hits"] = client.stats.cache_hits
    return report


def _new(settings: Settings, pmids: tuple[str, ...]) -> list[str]:
    """The PMIDs whose records the library does not hold."""
    if not pmids or not settings.library_path.exists():
        return list(pmids)
    with Library.open(settings.library_path) as library:
        held = library.known_hashes([f"pubmed:{p}" for p in pmids])
    return [p for p in pmids if f"pubmed:{p}" not in held]


def fetch_questions(
    settings: Settings,
    questions: list[str],
    *,
    client: EUtils | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """`fetch_question` for each question over one client: what each found and ingested, and
    the E-utilities requests sent and answered from the cache for the whole batch."""
    client = client or open_eutils(settings)
    resources = _resources(settings)
    rows = []
    for question in questions:
        report = fetch_question(
            settings, question, client=client, reporter=reporter, resources=resources
        )
        rows.append(
            {
                "question": question,
                "found": len(report["found"]),
                "new": len(report["new"]),
                "added": report.get("ingest", {}).get("added", 0),
            }
        )
    return {
        "questions": len(questions),
        "found": sum(r["found"] for r in rows),
        "added": sum(r["added"] for r in rows),
        "requests": client.stats.requests,
        "cache_hits": client.stats.cache_hits,
        "cache_hit_rate": client.stats.hit_rate,
        "retries": client.stats.retries,
        "by_question": rows,
    }


def _resources(settings: Settings) -> QueryResources:
    """The MeSH tree and abbreviation lexicon, loaded (from their caches) once per call."""
    return QueryResources.load(settings.resolved_data_dir(), settings.cache_dir / "query")
