"""The evidence library as the site sees it: searching its passages, and, after an ingest,
flagging the articles a composition today would cite a newly added or changed document in,
so reviewers look at them again."""

from __future__ import annotations

import re
from typing import Any

from medoracle.answer.service import Answerer
from medoracle.articles.composer import Composer
from medoracle.articles.records import Article
from medoracle.articles.store import SiteStore
from medoracle.errors import Refused
from medoracle.query.understand import normalise

__all__ = ["flag_new_evidence", "search"]

_WORD = re.compile(r"[^\W_]")  # a letter or digit


def search(composer: Composer, query: str, k: int) -> list[dict[str, Any]]:
    """The evidence library's best passages for `query`; a query with no word in it
    (blank, control characters, punctuation, undecodable bytes) is refused."""
    text, _ = normalise(query)
    if not text:
        raise Refused("the question is empty: type a question with at least one word")
    if not _WORD.search(text):
        raise Refused("the question has no searchable words: type at least one word")

    def run(answerer: Answerer) -> list[dict[str, Any]]:
        try:
            result = answerer.retriever.search(query, k=k)
        except ValueError as exc:  # the retriever's "no searchable words"
            raise Refused(str(exc)) from None
        return [
            {
                "doc_id": h.doc_id,
                "title": h.title,
                "section": h.section,
                "kind": h.kind,
                "text": h.text,
                "grade": h.grade,
                "pmid": h.pmid,
                "score": round(h.score, 4),
            }
            for h in result.hits
        ]

    return composer.run(run)


def flag_new_evidence(store: SiteStore, composer: Composer, since: str) -> list[str]:
    """Flag articles that a composition today would cite from a document added or changed at
    or after `since` (an ingest's start). Returns the flagged slugs.

    "Would now rank in its top evidence" is taken literally: the article is composed again
    (not stored) and its references are compared, so a new document that merely lands among
    the search hits of an unrelated question flags nothing."""
    articles = [
        a for a in store.listing(limit=1_000_000) if a.current_version and not a.new_evidence
    ]

    def newcomers(answerer: Answerer) -> list[tuple[Article, list[str]]]:
        found = []
        for article in articles:
            answer = answerer.ask(article.question, context=article.context)
            ids = sorted({ref.doc_id for ref in answer.references})
            if not ids:
                continue
            changed = answerer.retriever.library.documents_changed_since(ids, since)
            if changed:
                found.append((article, sorted(changed)))
        return found

    flagged = []
    for article, documents in composer.run(newcomers):
        store.flag_new_evidence(article, documents[:10])
        flagged.append(article.slug)
    return flagged
