"""The evidence library: documents, passages, loaders and the SQLite store."""

from __future__ import annotations

from medoracle.corpus.models import (
    Audience,
    Document,
    Identifiers,
    LoadedDocument,
    Passage,
    PassageKind,
    PubType,
    Status,
)

__all__ = [
    "Audience",
    "Document",
    "Identifiers",
    "LoadedDocument",
    "Passage",
    "PassageKind",
    "PubType",
    "Status",
]
