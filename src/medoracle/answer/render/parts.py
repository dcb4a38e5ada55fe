"""What every format of an answer page shows the same way: the labels and notes of the page,
citation marks, the facts, status and links of a reference, the date, and the glossary terms
explained at their first use (`TermNotes`); and the tidying that keeps terminal escapes and
control characters from data off every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlsplit

from medoracle.answer.model import (
    Answer,
    AnswerAudience,
    Link,
    Reference,
    Statement,
    WarningKind,
    web_links,
)
from medoracle.corpus.models import Status

__all__ = [
    "ABSTAINED",
    "AUDIENCE_LABELS",
    "DISCLAIMERS",
    "FOOTNOTES",
    "REVIEW_NOTE",
    "REVIEW_STEPS",
    "WARNING_LABELS",
    "RefStatus",
    "Segment",
    "TermNotes",
    "citation_marks",
    "full_stop",
    "long_date",
    "model_note",
    "reference_facts",
    "reference_line",
    "reference_links",
    "reference_status",
    "source_line",
    "support_mark",
    "tidy",
]

ABSTAINED = "The library does not cover this question."
REVIEW_NOTE = "Submitted, pending human review: educational use only, use caution."
REVIEW_STEPS = (
    ("submitted", "Submitted"),
    ("under_review", "Under Review"),
    ("approved", "Approved"),
)
AUDIENCE_LABELS = {
    AnswerAudience.CLINICIAN: "Clinician",
    AnswerAudience.STUDENT: "Student",
    AnswerAudience.PATIENT: "Patient or caregiver",
}
# Shown as a short note under the references, not as a warning at the top of the page.
FOOTNOTES = (WarningKind.RED_FLAG, WarningKind.DATED_SOURCE)
WARNING_LABELS = {
    WarningKind.RED_FLAG: "Red flag",
    WarningKind.OUTDATED_SOURCE: "Outdated source",
    WarningKind.DATED_SOURCE: "Dated source",
    WarningKind.INSUFFICIENT_EVIDENCE: "Insufficient evidence",
    WarningKind.CONFLICTING_EVIDENCE: "Conflicting evidence",
    WarningKind.NOT_A_QUESTION: "Not a question",
    WarningKind.MODEL_FALLBACK: "Language model",
}
_PROFESSIONAL = (
    "For health professionals and students. This page supports, and does not replace, clinical "
    "judgement: check the cited sources and current local guidance before acting on it."
)
DISCLAIMERS = {
    AnswerAudience.CLINICIAN: _PROFESSIONAL,
    AnswerAudience.STUDENT: _PROFESSIONAL,
    AnswerAudience.PATIENT: (
        "General information, not medical advice. Talk to a doctor, nurse or pharmacist about "
        "your own situation; in an emergency, call your local emergency number."
    ),
}
_STATUS_NOTES = {
    Status.SUPERSEDED: "a newer version replaces this source",
    Status.WITHDRAWN: "withdrawn by its publisher; do not rely on it",
    Status.RETRACTED: "retracted; do not rely on it",
}
# No terminal escapes from data: whole ANSI CSI sequences first, then any control character.
_ANSI_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def model_note(answer: Answer) -> str | None:
    """On a page a language model wrote: which model, and that each statement was checked."""
    report = answer.provenance.model
    if answer.provenance.composer != "llm" or report is None:
        return None
    dropped = report.written - report.kept
    removed = f"; {dropped} of its {report.written} statements were not shown" if dropped else ""
    return (
        f"Written by the language model {report.model} from the sources below. Each "
        "statement was checked against the source sentences it cites and is shown only where "
        f"they hold it (its support score follows it){removed}."
    )


def support_mark(statement: Statement, answer: Answer) -> str:
    """ "(support 0.82)" after a model-written statement; nothing on an extractive page."""
    return f"(support {statement.support:.2f})" if answer.provenance.composer == "llm" else ""


def citation_marks(numbers: Iterable[int]) -> str:
    """`[1, 2]`; a run of three or more collapses to `[1–3]`; no numbers give ``""``."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [f"{r[0]}–{r[-1]}" if len(r) >= 3 else ", ".join(map(str, r)) for r in runs]
    return f"[{', '.join(parts)}]" if parts else ""


class RefStatus(NamedTuple):
    label: str
    note: str


def reference_facts(reference: Reference) -> list[str]:
    """Type label, evidence level, the cited passage's grade: `Guideline · level 1 · grade A`."""
    facts = [reference.type_label, f"level {reference.evidence_level}"]
    if grade := reference.grade:
        if not grade.lower().startswith(("grade", "level", "class")):
            grade = f"grade {grade}"
        facts.append(f"{grade} ({reference.strength})" if reference.strength else grade)
    if reference.patient_information and "patient" not in reference.type_label.lower():
        facts.append("patient information")
    return facts


def reference_status(reference: Reference) -> RefStatus | None:
    """None for a current source; otherwise a label to flag and why."""
    if reference.status == Status.CURRENT:
        return None
    status = Status(reference.status)
    return RefStatus(status.value.capitalize(), reference.status_note or _STATUS_NOTES[status])


def source_line(reference: Reference) -> str:
    """`Journal, 2021, guideline NGC-1234`: whatever of these the reference has."""
    ids = reference.identifiers
    parts = [reference.source, str(reference.year) if reference.year else None]
    parts.append(f"guideline {ids.guideline_id}" if ids.guideline_id else None)
    return ", ".join(part for part in parts if part)


def _is_web_url(url: str) -> bool:
    """Only http(s) links are shown: the model checks this too, but a page must not trust it."""
    if _CONTROL.search(url) or any(char.isspace() for char in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


def reference_links(reference: Reference) -> list[Link]:
    """The reference's own http(s) links, plus PubMed, PMC, DOI and web links from its ids."""
    links = [link for link in reference.links if _is_web_url(link.url)]
    labels, urls = {link.label for link in links}, {link.url for link in links}
    for link in web_links(reference.identifiers):
        if link.label not in labels and link.url not in urls and _is_web_url(link.url):
            links.append(link)
            urls.add(link.url)
    return links


def long_date(value: str) -> str:
    """`2026-01-18T09:30:00+00:00` → `18 January 2026`; anything unparsable as given."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{moment.day} {moment:%B %Y}"


class Segment(NamedTuple):
    """A piece of statement text; `note` is set on a term explained at this, its first use."""

    text: str
    note: str | None = None


class TermNotes:
    """Explains each `TermNote` once, where its term first appears in page order.

    Call with a statement to get its text as `Segment`s. A term already followed by a
    parenthesis is taken as explained in place and left alone.
    """

    def __init__(self, answer: Answer) -> None:
        self._statements = answer.statements()  # held so the ids below stay theirs
        self._spans: dict[int, list[tuple[int, int, str]]] = {}
        for note in answer.terms:
            if found := self._first_use(note.term):
                statement, start, end = found
                self._spans.setdefault(id(statement), []).append((start, end, note.explanation))

    def _first_use(self, term: str) -> tuple[Statement, int, int] | None:
        if not term.strip():
            return None
        pattern = re.compile(rf"(?<!\w){re.escape(term.strip())}(?!\w)", re.IGNORECASE)
        for statement in self._statements:
            if match := pattern.search(statement.text):
                if statement.text[match.end() :].lstrip().startswith("("):
                    return None
                return statement, match.start(), match.end()
        return None

    def __call__(self, statement: Statement) -> list[Segment]:
        text, cursor, segments = statement.text, 0, []
        for start, end, explanation in sorted(self._spans.get(id(statement), [])):
            if start >= cursor:  # a term inside an earlier, longer term is not explained twice
                segments += [Segment(text[cursor:start]), Segment(text[start:end], explanation)]
                cursor = end
        segments.append(Segment(text[cursor:]))
        return [segment for segment in segments if segment.text]

    def plain(self, statement: Statement) -> str:
        """The statement with `term (explanation)` written in."""
        return "".join(
            s.text if s.note is None else f"{s.text} ({s.note})" for s in self(statement)
        )


def tidy(text: str) -> str:
    """One line of text with terminal escapes and control characters from data taken out."""
    return _CONTROL.sub("", " ".join(_ANSI_CSI.sub("", text).split()))


def full_stop(text: str) -> str:
    """The text ending in a full stop unless it already ends a sentence."""
    text = text.rstrip()
    return text if not text or text[-1] in ".?!" else f"{text}."


def reference_line(reference: Reference) -> str:
    """`Guideline · level 1. Title. Journal, 2021.` for text and markdown."""
    head = full_stop(" · ".join(reference_facts(reference)))
    return " ".join(
        filter(None, [head, full_stop(reference.title), full_stop(source_line(reference))])
    )
