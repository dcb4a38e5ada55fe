"""The answer page as a self-contained HTML page, from the Jinja2 templates in
`medoracle/answer/templates` with autoescape on; `html_environment()` is shared with the web
app, which reuses the `_answer.html.j2` partial."""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from medoracle.answer.model import Answer, WarningKind
from medoracle.answer.render.parts import (
    ABSTAINED,
    AUDIENCE_LABELS,
    DISCLAIMERS,
    REVIEW_STEPS,
    WARNING_LABELS,
    TermNotes,
    long_date,
    model_note,
    reference_facts,
    reference_links,
    reference_status,
    source_line,
)

__all__ = ["html_environment", "render_html"]


@lru_cache(maxsize=1)
def html_environment() -> jinja2.Environment:
    """The autoescaping Jinja2 environment of the answer templates, shared with the web app."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("medoracle.answer", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css, _, _ = env.loader.get_source(env, "answer.css") if env.loader else ("", None, None)
    env.filters["long_date"] = long_date
    env.globals.update(
        inline_css=Markup(css),  # our own file, not data
        abstained_text=ABSTAINED,
        audience_labels=AUDIENCE_LABELS,
        disclaimers=DISCLAIMERS,
        red_flag=WarningKind.RED_FLAG,
        review_steps=REVIEW_STEPS,
        warning_labels=WARNING_LABELS,
        reference_facts=reference_facts,
        reference_links=reference_links,
        reference_status=reference_status,
        source_line=source_line,
        term_notes=TermNotes,
        model_note=model_note,
    )
    return env


def render_html(answer: Answer) -> str:
    """A self-contained HTML5 page: inline CSS, no scripts, no external assets."""
    return html_environment().get_template("answer.html.j2").render(answer=answer)
