"""What changed between two versions of an article, statement by statement."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from medoracle.answer.model import Answer

__all__ = ["DiffLine", "statement_diff"]


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    section: str
    text: str


def _lines(answer: Answer) -> list[tuple[str, str]]:
    found = [("Bottom line", s.text) for s in answer.bottom_line]
    for section in answer.sections:
        found.extend((section.heading, s.text) for s in section.statements)
    return found


def statement_diff(old: Answer, new: Answer) -> list[DiffLine]:
    """The statements of `old` and `new` in page order, each kept, removed or added."""
    before, after = _lines(old), _lines(new)
    result: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            result.extend(DiffLine("same", s, t) for s, t in before[a0:a1])
            continue
        result.extend(DiffLine("removed", s, t) for s, t in before[a0:a1])
        result.extend(DiffLine("added", s, t) for s, t in after[b0:b1])
    return result
