"""The audit trail: one typed record per kind of event, and `Event`, a row as read back.

Each event is written by the store in the same transaction as the change it records, as the
row `(actor, kind, from_state, to_state, comment)` its `row()` gives; the comment texts
(what the history page and `review show` print) are made here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from medoracle.articles.workflow import ReviewState

__all__ = [
    "AuditEvent",
    "Created",
    "Event",
    "EventKind",
    "EventRow",
    "Marked",
    "Moved",
    "NewEvidence",
    "Regenerated",
]

EventRow = tuple[str, str, str | None, str | None, str]
SYSTEM = "medoracle"  # the actor of what no person did (new-evidence flags)


class EventKind(StrEnum):
    CREATED = "created"
    REGENERATED = "regenerated"
    TRANSITION = "transition"
    NEW_EVIDENCE = "new_evidence"
    STRIKE = "strike"
    NOTE = "note"


@dataclass(frozen=True)
class Created:
    """A new article, in Submitted."""

    actor: str

    def row(self) -> EventRow:
        return (self.actor, EventKind.CREATED, None, ReviewState.SUBMITTED, "")


@dataclass(frozen=True)
class Regenerated:
    """A new version of the text (not recorded for the first)."""

    actor: str
    reason: str

    def row(self) -> EventRow:
        return (self.actor, EventKind.REGENERATED, None, None, self.reason)


@dataclass(frozen=True)
class Moved:
    """A move along the review track."""

    actor: str
    from_state: ReviewState
    to_state: ReviewState
    comment: str

    def row(self) -> EventRow:
        return (self.actor, EventKind.TRANSITION, self.from_state, self.to_state, self.comment)


@dataclass(frozen=True)
class NewEvidence:
    """Documents ingested since the article was composed now rank in its evidence."""

    documents: tuple[str, ...]

    def row(self) -> EventRow:
        comment = "newly ingested sources now rank in its evidence: " + ", ".join(self.documents)
        return (SYSTEM, EventKind.NEW_EVIDENCE, None, None, comment)


@dataclass(frozen=True)
class Marked:
    """A statement struck, or a note put on it."""

    actor: str
    kind: Literal[EventKind.STRIKE, EventKind.NOTE]
    statement: str
    body: str

    def row(self) -> EventRow:
        comment = f"statement {self.statement}" + (f": {self.body}" if self.body else "")
        return (self.actor, self.kind, None, None, comment)


AuditEvent = Created | Regenerated | Moved | NewEvidence | Marked


@dataclass(frozen=True)
class Event:
    """One row of the audit trail as stored."""

    id: int
    at: str
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    comment: str
