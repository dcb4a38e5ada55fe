"""The answer title: a short noun phrase naming the focus and the ask,
"Acute Otitis Media in Children: Amoxicillin Dosing", "Iron Deficiency Anemia: Diagnosis"."""

from __future__ import annotations

import re

from medoracle.answer.pages import PageSpec
from medoracle.query.analysis import QuestionAnalysis
from medoracle.query.asks import Ask

__all__ = ["make_title"]

_FIRST_LINE = re.compile(r"\bfirst[- ]line\b|\b(?:drug|treatment) of choice\b", re.IGNORECASE)
_STEM = re.compile(
    r"^\s*(?:what|which|how|when|why|who|is|are|can|should|does|do)\b[^?]*?"
    r"\b(?:for|of|in|with|about|to)\s+(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)


def make_title(analysis: QuestionAnalysis, page: PageSpec) -> str:
    """`{focus}: {ask}`; with no named focus, the question's own subject words."""
    label = page.title
    if page.ask is Ask.TREATMENT and _FIRST_LINE.search(analysis.text):
        label = "First-Line Treatment"
    if page.ask is Ask.COMPARISON and len(analysis.drugs) >= 2:
        first, second = analysis.drugs[:2]
        main = analysis.main
        where = f" in {main.label}" if main is not None and main.kind != "drug" else ""
        return f"{first.label} vs {second.label}{where}: Comparison"
    subject = analysis.title_subject()
    if not subject:
        stem = _STEM.sub("", analysis.text).strip(" ?.!")
        words = stem.split()[:8]
        subject = " ".join(w[:1].upper() + w[1:] for w in words)
    return f"{subject}: {label}" if subject else label
