"""Render an `Answer` page as terminal text, markdown, JSON or a self-contained HTML page.

Every format shows the page in the order of docs/ANSWER_FORMAT.md: the emergency first, the
question and answer title, the bottom line, sections with citation numbers after each claim,
warnings, the patient and student additions, then the numbered references, with superseded,
withdrawn and retracted sources flagged. HTML comes from Jinja2 templates with autoescape on;
`html_environment()` is shared with the web app, which reuses the `_answer.html.j2` partial.
"""

from __future__ import annotations

from medoracle.answer.model import Answer
from medoracle.answer.render.html import html_environment, render_html
from medoracle.answer.render.markdown import render_markdown
from medoracle.answer.render.parts import (
    ABSTAINED,
    AUDIENCE_LABELS,
    RefStatus,
    Segment,
    TermNotes,
    citation_marks,
    long_date,
    reference_facts,
    reference_links,
    reference_status,
    source_line,
)
from medoracle.answer.render.text import render_text
from medoracle.errors import UnknownFormatError

__all__ = [
    "ABSTAINED",
    "AUDIENCE_LABELS",
    "FORMATS",
    "RefStatus",
    "Segment",
    "TermNotes",
    "citation_marks",
    "html_environment",
    "long_date",
    "reference_facts",
    "reference_links",
    "reference_status",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_text",
    "source_line",
]

FORMATS = ("text", "markdown", "json", "html")


def render_json(answer: Answer) -> str:
    """The answer as JSON; `Answer.model_validate_json` reads it back unchanged."""
    return answer.model_dump_json(indent=2)


def render(answer: Answer, fmt: str, *, color: bool = False) -> str:
    """Render in one of `FORMATS`; `color` applies to text only."""
    if fmt == "text":
        return render_text(answer, color=color)
    if fmt == "markdown":
        return render_markdown(answer)
    if fmt == "json":
        return render_json(answer)
    if fmt == "html":
        return render_html(answer)
    raise UnknownFormatError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
