"""Render an `Answer` page as terminal text, markdown, JSON or a self-contained HTML page.

Every format shows the page in the order of docs/ANSWER_FORMAT.md: the emergency first, the
question and answer title, the bottom line, sections with citation numbers after each claim,
warnings, the patient and student additions, then the numbered references, with superseded,
withdrawn and retracted sources flagged. HTML comes from Jinja2 templates with autoescape on;
`html_environment()` is shared with the web app, which reuses the `_answer.html.j2` partial.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

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
from medoracle.errors import UnknownFormatError

__all__ = [
    "ABSTAINED",
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
WIDTH = 100
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
_FOOTNOTES = (WarningKind.RED_FLAG, WarningKind.DATED_SOURCE)
WARNING_LABELS = {
    WarningKind.RED_FLAG: "Red flag",
    WarningKind.OUTDATED_SOURCE: "Outdated source",
    WarningKind.DATED_SOURCE: "Dated source",
    WarningKind.INSUFFICIENT_EVIDENCE: "Insufficient evidence",
    WarningKind.CONFLICTING_EVIDENCE: "Conflicting evidence",
    WarningKind.NOT_A_QUESTION: "Not a question",
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
_MARKS = re.compile(r"\[\d[\d,– ]*\]")  # citation marks, kept on one line when wrapping


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


def _tidy(text: str) -> str:
    return _CONTROL.sub("", " ".join(_ANSI_CSI.sub("", text).split()))


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if not text or text[-1] in ".?!" else f"{text}."


def _reference_line(reference: Reference) -> str:
    """`Guideline · level 1. Title. Journal, 2021.` for text and markdown."""
    head = _sentence(" · ".join(reference_facts(reference)))
    return " ".join(
        filter(None, [head, _sentence(reference.title), _sentence(source_line(reference))])
    )


class _TextPage:
    """A terminal page, wrapped to `WIDTH`; ANSI bold only when `color` is set."""

    def __init__(self, answer: Answer, color: bool) -> None:
        self.answer, self.color, self.notes = answer, color, TermNotes(answer)
        self.lines: list[str] = []

    def add(self, text: str, *, first: str = "", rest: str | None = None, code: str = "") -> None:
        """Wrap `text` after the indents; style only the words, so indents stay plain."""
        rest = first if rest is None else rest
        wrapped = textwrap.wrap(
            _MARKS.sub(lambda m: m.group(0).replace(" ", "\0"), _tidy(text)),
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
        return f"{self.notes.plain(statement)} {citation_marks(statement.citations)}"

    def references(self, heading: str, references: list[Reference], *, numbered: bool) -> None:
        self.gap()
        self.add(heading, code="1")
        for ref in references:
            marker = f"  {ref.number}. " if numbered else "  - "
            indent = " " * len(marker)
            self.add(_reference_line(ref), first=marker, rest=indent)
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
        self.gap()
        if answer.abstained and not answer.refused:
            self.add(ABSTAINED, code="1")
        if answer.bottom_line:
            bottom = " ".join(self.statement(s) for s in answer.bottom_line)
            self.add(f"Bottom line: {bottom}", code="1")
        for section in answer.sections:
            self.bullets(section.heading, map(self.statement, section.statements))
        notices = [w for w in answer.warnings if w.kind not in _FOOTNOTES]
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


_URL_SAFE = ":/?#@!$&'*+,;=%~"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])|&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def _md(text: str) -> str:
    """Markdown-inert text: no emphasis, links, raw HTML, entities or list markers from data."""
    text = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), _tidy(text))
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
        lines.append(f"{anchor}{_md(_reference_line(ref))}{flag} {links}".rstrip())
    return lines


def render_markdown(answer: Answer) -> str:
    """A markdown page; citations link to `#ref-N` anchors in the numbered reference list."""
    notes, out = TermNotes(answer), []

    def said(statement: Statement) -> str:
        return f"{_md(notes.plain(statement))} {_md_marks(statement.citations)}"

    if answer.emergency:
        out += [f"> **EMERGENCY: {_md(answer.emergency)}**", ">"]
    for w in answer.warnings:
        if w.kind == WarningKind.RED_FLAG:
            out += [f"> {_md(w.message)} {_md_marks(w.references)}".rstrip(), ">"]
    audience = AUDIENCE_LABELS[AnswerAudience(answer.audience)]
    updated = long_date(answer.provenance.created)
    meta = f"*For: {audience} · Last updated {_md(updated)} · {REVIEW_NOTE}*"
    out += ["", f"# {_md(answer.question)}", "", meta, "", f"## {_md(answer.title)}", ""]
    if answer.abstained and not answer.refused:
        out += [f"**{ABSTAINED}**", ""]
    if answer.bottom_line:
        out += [f"**Bottom line: {' '.join(said(s) for s in answer.bottom_line)}**", ""]
    for section in answer.sections:
        out += [f"### {_md(section.heading)}", "", *(f"- {said(s)}" for s in section.statements)]
        out.append("")
    notices = [w for w in answer.warnings if w.kind not in _FOOTNOTES]
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


def render_json(answer: Answer) -> str:
    """The answer as JSON; `Answer.model_validate_json` reads it back unchanged."""
    return answer.model_dump_json(indent=2)


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
    )
    return env


def render_html(answer: Answer) -> str:
    """A self-contained HTML5 page: inline CSS, no scripts, no external assets."""
    return html_environment().get_template("answer.html.j2").render(answer=answer)


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
