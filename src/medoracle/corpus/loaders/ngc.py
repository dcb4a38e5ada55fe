"""AHRQ National Guideline Clearinghouse (NGC) guideline summaries, 2018 archive (`ngc`).

Record fields: ngc_id, file, title, bibliographic_source, date_released, developer, status,
copyright_statement, disease_conditions, major_recommendations (plain text) and fields (every
NGC summary field as {section, field_id, field, type, text}). One record is one guideline.

Major recommendations are split per recommendation so that a citation points at the graded
statement, not at a 9,000-character field; grades are read with `medoracle.grade.strength`.
The rating-scheme definitions NGC appends to the field become DEFINITION passages.
Dates, status, developers and authors are read by `_ngc_metadata`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medoracle.corpus.loaders._common import (
    MAX_PASSAGE_CHARS,
    PassageDraft,
    Skipped,
    build_passages,
    read_records,
)
from medoracle.corpus.loaders._ngc_metadata import (
    authors,
    developers,
    reaffirmed,
    release_date,
    status_note,
    status_of,
)
from medoracle.corpus.models import (
    Document,
    Identifiers,
    LoadedDocument,
    PassageKind,
    PubType,
)
from medoracle.grade import evidence_table
from medoracle.grade.strength import find_grades, split_at_grades, strength_of_grades

FORMAT = "ngc"
CORPUS = "ngc"
FILES = ("ngc_summaries.jsonl.gz", "ngc_summaries.jsonl")

# NGC summary fields a clinician reads, in the order NGC lists them.
CLINICIAN_FIELDS = (
    "Disease/Condition(s)",
    "Guideline Objective(s)",
    "Target Population",
    "Interventions and Practices Considered",
    "Major Outcomes Considered",
    "Potential Benefits",
    "Potential Harms",
    "Contraindications",
    "Qualifying Statements",
    "FDA Warning/Regulatory Alert",
)

_SECTION = "Major recommendations"
_HEADING_MAX = 120
_SECTION_HEADING_MAX = 60
# The rating-scheme block NGC appends; clinical headings like "Definition of CKD" are not it.
_DEFINITIONS_HEADING = re.compile(
    r"^definitions(?::|\s+(?:for|of|and)\s+(?:the\s+)?(?:grades?|strength|levels?|quality"
    r"|evidence|key action|recommendation)\b[^\n]*)?$",
    re.IGNORECASE,
)
_RECOMMENDATIONS_HEADING = re.compile(r"^(?:Summary of |Major )?Recommendations?$", re.IGNORECASE)
# Headings over glossaries, not recommendations (ACR appropriateness criteria have both).
_GLOSSARY_HEADING = re.compile(
    r"^Major recommendations — (?:Abbreviations|Relative Radiation Level Designations)\b"
)
# Preamble pointing at that block: "Definitions ... are presented at the end of the ... field."
_PREAMBLE = re.compile(
    r"\bat the end of the\b[^.]*\bfield\b|\b(?:is|are) (?:defined|presented|provided|given"
    r"|listed) (?:at the end|below)\b",
    re.IGNORECASE,
)
_NGC_ID = re.compile(r"^ngc-(\d+)$", re.IGNORECASE)
_EMPTY_FIELD = re.compile(
    r"^(?:none|not)(?:\s+(?:provided|stated|available|applicable|specified|identified))?\.?$",
    re.IGNORECASE,
)


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    return read_records(path, _convert)


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    ngc_id = str(record["ngc_id"]).strip()
    number = _NGC_ID.match(ngc_id)
    if number is None:
        return Skipped(where, f"ngc_id {ngc_id!r} is not an NGC id like 'ngc-2052'")
    title = str(record["title"] or "").strip()
    recommendations = str(record["major_recommendations"] or "").strip()
    if not title or not recommendations:
        return Skipped(where, "title or major_recommendations is empty")
    doc_id = f"ngc:{number.group(1)}"
    released = str(record.get("date_released") or "").strip()
    status_text = str(record.get("status") or "")
    reaffirmed_in = reaffirmed(released, status_text)
    grade = evidence_table().grade(PubType.GUIDELINE)
    extra: dict[str, str | list[str]] = {"ngc_id": ngc_id, "date_released": released}
    if reaffirmed_in:
        extra["reaffirmed"] = reaffirmed_in
    document = Document(
        id=doc_id,
        title=title,
        source="; ".join(developers(str(record.get("developer") or ""))) or None,
        authors=authors(str(record.get("bibliographic_source") or "")),
        date=release_date(released),
        identifiers=Identifiers(guideline_id=f"NGC-{number.group(1)}"),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        status=status_of(status_text),
        status_note=status_note(status_text, reaffirmed_in),
        licence=str(record.get("copyright_statement") or "").strip() or None,
        corpus=CORPUS,
        mesh=_lines(str(record.get("disease_conditions") or "")),
        extra=extra,
    )
    drafts = [*recommendation_drafts(recommendations), *_field_drafts(record.get("fields"))]
    return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))


def recommendation_drafts(text: str) -> list[PassageDraft]:
    """Major recommendations as one draft per recommendation, under its nearest heading.

    NGC's plain text keeps the summary's layout: paragraphs split by blank lines, short
    unpunctuated lines as headings, '- ' bullets after a lead-in ending in ':', and the
    rating-scheme definitions last, after a "Definitions" heading.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    drafts: list[PassageDraft] = []
    definitions: list[str] | None = None
    section, index = _SECTION, 0
    while index < len(paragraphs):
        paragraph, index = paragraphs[index], index + 1
        if definitions == [] and _RECOMMENDATIONS_HEADING.match(paragraph):
            definitions, section = None, _section(paragraph)  # an empty "Definitions" heading
        elif definitions is not None:
            definitions.append(paragraph)
        elif _is_definitions_heading(paragraph):
            definitions = []
        elif _is_heading(paragraph):
            section = _section(paragraph)
        elif _GLOSSARY_HEADING.match(section):
            drafts.append(PassageDraft("Definitions", paragraph, PassageKind.DEFINITION))
        elif len(paragraph) < 600 and _PREAMBLE.search(paragraph):
            drafts.append(PassageDraft(_SECTION, paragraph, PassageKind.OTHER))
        else:
            units = [paragraph]
            while paragraph.endswith(":") and index < len(paragraphs):
                if not paragraphs[index].startswith("- "):
                    break
                units.append(paragraphs[index])
                index += 1
            drafts.extend(_recommendations(section, units))
    if definitions:
        drafts.append(PassageDraft("Definitions", "\n\n".join(definitions), PassageKind.DEFINITION))
    return drafts


def _is_definitions_heading(paragraph: str) -> bool:
    short = len(paragraph) <= _HEADING_MAX and not paragraph.endswith(".")
    return short and _DEFINITIONS_HEADING.match(paragraph.rstrip("*")) is not None


def _is_heading(paragraph: str) -> bool:
    return (
        "\n" not in paragraph
        and len(paragraph) <= _HEADING_MAX
        and not paragraph.startswith(("- ", "|"))
        and paragraph[-1] not in ".;:,!"
        and not find_grades(paragraph)
    )


def _section(heading: str) -> str:
    if len(heading) > _SECTION_HEADING_MAX:
        heading = heading[:_SECTION_HEADING_MAX].rsplit(" ", 1)[0] + "…"
    return f"{_SECTION} — {heading}"


def _recommendations(section: str, units: list[str]) -> list[PassageDraft]:
    """A lone paragraph splits at its graded sentences; a lead-in and its bullets stay one
    recommendation, cut between bullets only when longer than a passage."""
    if len(units) == 1:
        return [_draft(section, piece, grades) for piece, grades in split_at_grades(units[0])]
    lines = [units[0], *(line for unit in units[1:] for line in unit.splitlines())]
    chunks: list[list[str]] = [[]]
    for line in lines:
        size = sum(len(kept) + 1 for kept in chunks[-1])
        if chunks[-1] and size + len(line) > MAX_PASSAGE_CHARS:
            chunks.append([])
        chunks[-1].append(line)
    drafts = []
    for chunk in chunks:
        text = "\n".join(chunk)
        drafts.append(_draft(section, text, [g.grade for g in find_grades(text)]))
    return drafts


def _draft(section: str, text: str, grades: list[str]) -> PassageDraft:
    unique = list(dict.fromkeys(grades))
    return PassageDraft(
        section,
        text,
        PassageKind.RECOMMENDATION,
        grade="; ".join(unique) or None,
        strength=strength_of_grades(unique, text),
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _field_drafts(fields: Any) -> list[PassageDraft]:
    """One FIELD passage per clinician field that has content; duplicates kept once."""
    drafts: dict[str, PassageDraft] = {}
    for field in fields or []:
        name, text = str(field.get("field", "")), str(field.get("text") or "").strip()
        if name in CLINICIAN_FIELDS and text and not _EMPTY_FIELD.match(text):
            drafts.setdefault(name, PassageDraft(name, text, PassageKind.FIELD))
    return [drafts[name] for name in CLINICIAN_FIELDS if name in drafts]
