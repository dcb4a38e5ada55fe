"""The answer page as markdown: data made markdown-inert, citations linked to `#ref-N`
anchors in the numbered reference list."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from medoracle.answer.model import Answer, AnswerAudience, Link, Reference, Statement, WarningKind
from medoracle.answer.render.parts import (
    ABSTAINED,
    AUDIENCE_LABELS,
    DISCLAIMERS,
    FOOTNOTES,
    REVIEW_NOTE,
    WARNING_LABELS,
    TermNotes,
    long_date,
    model_note,
    reference_line,
    reference_links,
    reference_status,
    support_mark,
    tidy,
)

__all__ = ["render_markdown"]

_URL_SAFE = ":/?#@!$&'*+,;=%~"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])|&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def _md(text: str) -> str:
    """Markdown-inert text: no emphasis, links, raw HTML, entities or list markers from data."""
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), tidy(text))
    return _MD_LINE_START.sub(
        lambda m: (m.group(1) or "") + "\\" + (m.group(2) or m.group(3)), text
    )


def _md_marks(numbers: Iterable[int]) -> str:
    links = [f"[{n}](#ref-{n})" for n in sorted(set(numbers))]
    return f"[{', '.join(links)}]" if links else ""


def _md_link(link: Link) -> str:
    # Percent-encode what could end the link or open raw HTML: parentheses, quotes, brackets.
    return f"[{_md(link.label)}]({quote(link.url, safe=_URL_SAFE)})"


def _md_references(references: list[Reference], *, numbered: bool) -> list[str]:
    """A numbered list with `ref-N` anchors, or (closest sources) a plain bulleted one."""
    lines = []
    for ref in references:
        anchor = f'{ref.number}. <a id="ref-{ref.number}"></a>' if numbered else "- "
        status = reference_status(ref)
        flag = f" **{status.label.upper()}:** {_md(status.note)}." if status else ""
        links = " · ".join(_md_link(link) for link in reference_links(ref))
        lines.append(f"{anchor}{_md(reference_line(ref))}{flag} {links}".rstrip())
    return lines


def render_markdown(answer: Answer) -> str:
    """A markdown page; citations link to `#ref-N` anchors in the numbered reference list."""
    notes, out = TermNotes(answer), []

    def said(statement: Statement) -> str:
        support = support_mark(statement, answer)
        marks = _md_marks(statement.citations)
        return f"{_md(notes.plain(statement))} {marks}{' ' + support if support else ''}"

    if answer.emergency:
        out += [f"> **EMERGENCY: {_md(answer.emergency)}**", ">"]
    for w in answer.warnings:
        if w.kind == WarningKind.RED_FLAG:
            out += [f"> {_md(w.message)} {_md_marks(w.references)}".rstrip(), ">"]
    audience = AUDIENCE_LABELS[AnswerAudience(answer.audience)]
    updated = long_date(answer.provenance.created)
    meta = f"*For: {audience} · Last updated {_md(updated)} · {REVIEW_NOTE}*"
    out += ["", f"# {_md(answer.question)}", "", meta, ""]
    if note := model_note(answer):
        out += [f"*{_md(note)}*", ""]
    out += [f"## {_md(answer.title)}", ""]
    if answer.abstained and not answer.refused:
        out += [f"**{ABSTAINED}**", ""]
    if answer.bottom_line:
        out += [f"**Bottom line: {' '.join(said(s) for s in answer.bottom_line)}**", ""]
    for section in answer.sections:
        out += [f"### {_md(section.heading)}", "", *(f"- {said(s)}" for s in section.statements)]
        out.append("")
    notices = [w for w in answer.warnings if w.kind not in FOOTNOTES]
    if notices:
        out += ["### Warnings", ""]
        for w in notices:
            label = WARNING_LABELS[WarningKind(w.kind)]
            out.append(f"- **{label}:** {_md(w.message)} {_md_marks(w.references)}".rstrip())
        out.append("")
    if answer.see_doctor:
        out += ["### When to see a doctor", "", *(f"- {_md(a)}" for a in answer.see_doctor), ""]
    if answer.terms:
        terms = (f"- **{_md(t.term)}**: {_md(t.explanation)}" for t in answer.terms)
        out += ["### Terms", "", *terms, ""]
    if answer.abstained and not answer.refused:
        out += ["### Closest sources in the library", ""]
        out += [*_md_references(answer.closest, numbered=False), ""]
    if answer.references:
        out += ["## References", "", *_md_references(answer.references, numbered=True), ""]
        out += [
            f"*{_md_marks(w.references)} {_md(w.message)}*"
            for w in answer.warnings
            if w.kind == WarningKind.DATED_SOURCE
        ]
        out += [""] if any(w.kind == WarningKind.DATED_SOURCE for w in answer.warnings) else []
    out += ["---", "", f"*{DISCLAIMERS[AnswerAudience(answer.audience)]}*"]
    return "\n".join(out).lstrip("\n") + "\n"
