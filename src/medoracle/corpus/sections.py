"""Section headings of articles and abstracts: what kind of passage each one names.

Shared by the loaders of trial full texts and labelled abstracts, so that "Conclusions" means
the same kind everywhere and retrieval can prefer conclusions and results over background.
"""

from __future__ import annotations

import re

from medoracle.corpus.models import PassageKind

__all__ = ["section_kind", "title_case"]

# Ordered: the first pattern that matches a heading decides its kind, so "Methods and
# results" is a result and "Discussion and conclusions" a conclusion.
_KIND_RULES: tuple[tuple[re.Pattern[str], PassageKind], ...] = (
    (re.compile(r"\bconclu(?:sion|sions|ding)\b"), PassageKind.CONCLUSION),
    (re.compile(r"\b(?:results?|findings|efficacy|outcomes)\b"), PassageKind.RESULT),
    (
        re.compile(
            r"\b(?:methods?|methodology|design|patients|participants|subjects|statistics"
            r"|statistical|analys[ie]s|materials?|settings?|interventions?|procedures?"
            r"|measures?|measurements?|randomi[sz]ation|sample size|population|recruitment"
            r"|eligibility|protocol)\b"
        ),
        PassageKind.METHOD,
    ),
    (
        re.compile(
            r"\b(?:background|introduction|objectives?|aims?|purposes?|rationale|context"
            r"|hypothes[ie]s)\b"
        ),
        PassageKind.BACKGROUND,
    ),
    # Named, but not one of the kinds above: stops a subsection inheriting "result".
    (re.compile(r"\b(?:discussion|limitations?|registration|trial status)\b"), PassageKind.OTHER),
)

_SMALL_WORDS = frozenset("a an and as at by for in of on or the to vs with".split())


def section_kind(name: str) -> PassageKind | None:
    """The kind a heading names, or None when the heading names none of them."""
    lowered = name.lower()
    for pattern, kind in _KIND_RULES:
        if pattern.search(lowered):
            return kind
    return None


def title_case(text: str) -> str:
    """Title-case an upper-case heading ("MATERIALS AND METHODS" -> "Materials and Methods");
    a heading already in mixed case is left as its authors wrote it."""
    if text != text.upper():
        return text
    words = text.lower().split()
    return " ".join(
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )
