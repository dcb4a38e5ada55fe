"""The answer page as terminal text: wrapped to `WIDTH`, citation marks kept on one line,
bold and red through ANSI codes only when asked for."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

from medoracle.answer.model import Answer, AnswerAudience, Reference, Statement, WarningKind
from medoracle.answer.render.parts import (
    ABSTAINED,
    AUDIENCE_LABELS,
    DISCLAIMERS,
    FOOTNOTES,
    REVIEW_NOTE,
    WARNING_LABELS,
    TermNotes,
    citation_marks,
    long_date,
    model_note,
    reference_line,
    reference_links,
    reference_status,
    support_mark,
    tidy,
)

__all__ = ["WIDTH", "render_text"]

WIDTH = 100
_MARKS = re.compile(r"\[\d[\d,– ]*\]")  # citation marks, kept on one line when wrapping


class _TextPage:
    """A terminal page, wrapped to `WIDTH`; ANSI bold only when `color` is set."""

    def __init__(self, answer: Answer, color: bool) -> None:
        self.answer, self.color, self.notes = answer, color, TermNotes(answer)
        self.lines: list[str] = []

    def add(self, text: str, *, first: str = "", rest: str | None = None, code: str = "") -> None:
        """Wrap `text` after the indents; style only the words, so indents stay plain."""
        rest = first if rest is None else rest
        wrapped = textwrap.wrap(
            _MARKS.sub(lambda m: m.group(0).replace(" ", "\0"), tidy(text)),
            WIDTH - max(len(first), len(rest)),
            break_long_words=False,
            break_on_hyphens=False,
        )
        for index, line in enumerate(wrapped):
            styled = f"\033[{code}m{line}\033[0m" if code and self.color else line
            self.lines.append((rest if index else first) + styled.replace("\0", " "))

    def gap(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def bullets(self, heading: str, items: Iterable[str]) -> None:
        self.gap()
        self.add(heading, code="1")
        for item in items:
            self.add(item, first="  - ", rest="    ")

    def statement(self, statement: Statement) -> str:
        support = support_mark(statement, self.answer)
        marks = citation_marks(statement.citations)
        return f"{self.notes.plain(statement)} {marks}{' ' + support if support else ''}"

    def references(self, heading: str, references: list[Reference], *, numbered: bool) -> None:
        self.gap()
        self.add(heading, code="1")
        for ref in references:
            marker = f"  {ref.number}. " if numbered else "  - "
            indent = " " * len(marker)
            self.add(reference_line(ref), first=marker, rest=indent)
            if status := reference_status(ref):
                self.add(f"{status.label.upper()}: {status.note}", first=indent, code="1;31")
            for link in reference_links(ref):
                self.add(f"{link.label}: {link.url}", first=indent)

    def build(self) -> str:
        answer = self.answer
        red_flags = [w for w in answer.warnings if w.kind == WarningKind.RED_FLAG]
        if answer.emergency:
            self.add(f"EMERGENCY: {answer.emergency}", code="1;31")
        for warning in red_flags:
            self.add(f"{warning.message} {citation_marks(warning.references)}", code="1;31")
        self.gap()
        self.add(f"Question: {answer.question}")
        self.add(answer.title, code="1")
        audience = AUDIENCE_LABELS[AnswerAudience(answer.audience)]
        updated = long_date(answer.provenance.created)
        self.add(f"For: {audience} · Last updated {updated} · {REVIEW_NOTE}")
        if note := model_note(answer):
            self.add(note)
        self.gap()
        if answer.abstained and not answer.refused:
            self.add(ABSTAINED, code="1")
        if answer.bottom_line:
            bottom = " ".join(self.statement(s) for s in answer.bottom_line)
            self.add(f"Bottom line: {bottom}", code="1")
        for section in answer.sections:
            self.bullets(section.heading, map(self.statement, section.statements))
        notices = [w for w in answer.warnings if w.kind not in FOOTNOTES]
        if notices:
            self.bullets(
                "Warnings",
                (
                    f"{WARNING_LABELS[WarningKind(w.kind)]}: {w.message} "
                    f"{citation_marks(w.references)}"
                    for w in notices
                ),
            )
        if answer.see_doctor:
            self.bullets("When to see a doctor", answer.see_doctor)
        if answer.terms:
            self.bullets("Terms", (f"{t.term}: {t.explanation}" for t in answer.terms))
        if answer.abstained and not answer.refused:
            self.references("Closest sources in the library", answer.closest, numbered=False)
        if answer.references:
            self.references("References", answer.references, numbered=True)
            for w in answer.warnings:
                if w.kind == WarningKind.DATED_SOURCE:
                    self.add(f"  {citation_marks(w.references)} {w.message}")
        self.gap()
        self.add(DISCLAIMERS[AnswerAudience(answer.audience)])
        return "\n".join(self.lines) + "\n"


def render_text(answer: Answer, *, color: bool = False) -> str:
    """A terminal page; bold and red via ANSI codes only when `color` is set."""
    return _TextPage(answer, color).build()
