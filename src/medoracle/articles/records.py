"""The rows of `site.sqlite` as the service reads them: articles, their versions, accounts and
statement annotations. Audit events are in `medoracle.articles.events`."""

from __future__ import annotations

from dataclasses import dataclass

from medoracle.articles.workflow import ReviewState

__all__ = ["Annotation", "Article", "User", "Version"]


@dataclass(frozen=True)
class Article:
    id: int
    slug: str
    question: str
    parent_id: int | None
    context: str
    state: ReviewState
    current_version: int
    new_evidence: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Version:
    article_id: int
    number: int
    created_at: str
    created_by: str
    reason: str
    library_version: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    password_hash: str
    disabled: bool


@dataclass(frozen=True)
class Annotation:
    id: int
    statement_key: str
    kind: str
    body: str
    username: str
    created_at: str
