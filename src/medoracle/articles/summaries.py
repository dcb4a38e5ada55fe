"""Articles as JSON objects: one shape for the API, the JSON export and `review list --json`."""

from __future__ import annotations

from typing import Any

from medoracle.articles.records import Annotation, Article

__all__ = ["annotation_records", "article_summary"]


def article_summary(article: Article) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "url": f"/questions/{article.slug}",
        "question": article.question,
        "state": article.state.value,
        "state_label": article.state.label,
        "version": article.current_version,
        "new_evidence": article.new_evidence,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
    }


def annotation_records(annotations: dict[str, list[Annotation]]) -> list[dict[str, str]]:
    """Reviewers' strikes and notes (as `Site.annotations` groups them), as JSON objects."""
    return [
        {"statement": a.statement_key, "kind": a.kind, "body": a.body, "by": a.username,
         "at": a.created_at}
        for items in annotations.values()
        for a in items
    ]  # fmt: skip
