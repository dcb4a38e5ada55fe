"""AHRQ National Guideline Clearinghouse (NGC) guideline summaries, 2018 archive (`ngc`).

Record fields: ngc_id, file, title, bibliographic_source, date_released, developer, status,
copyright_statement, disease_conditions, major_recommendations (plain text) and fields (every
NGC summary field as {section, field_id, field, type, text}). One record is one guideline.

Major recommendations are split per recommendation so that a citation points at the graded
statement, not at a 9,000-character field; grades are read with `medoracle.grade.strength`.
The rating-scheme definitions NGC appends to the field become DEFINITION passages.
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
from medoracle.corpus.models import (
    Document,
    Identifiers,
    LoadedDocument,
    PassageKind,
    PubType,
    Status,
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
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_DATE = re.compile(r"(\d{4})(?:\s+([A-Za-z]{3})[a-z]*\.?(?:\s+(\d{1,2})\b)?)?")
_REVISED = re.compile(r"\brevised ([^;)]+)", re.IGNORECASE)
_REAFFIRMED = re.compile(r"\breaffirmed ([^;)]+)", re.IGNORECASE)
_STATUS_REAFFIRMED = re.compile(r"\breaffirmed the currency\b.*?\bin ([A-Z][a-z]+ \d{4})")
_UPDATES = re.compile(r"\bupdates a previous version\b", re.IGNORECASE)
# Status wording that takes a guideline out of current use; checked in order.
_STATUS_RULES = (
    (re.compile(r"\b(?:has been|was|is|were) (?:withdrawn|archived)\b", re.I), Status.WITHDRAWN),
    (re.compile(r"\b(?:has been|was|is) (?:superseded|replaced)\b", re.I), Status.SUPERSEDED),
)
# NGC appends the developer's organisation type: "... - Medical Specialty Society".
_ORG_TYPE = re.compile(
    r"\s+-\s+[A-Z][\w/ ]*(?:Society|Association|Panel|Agency|Organization|Center|Institution"
    r"|Collaboration|Institute)(?: \[[^\]]+\])?$"
)
# One author as MEDLINE writes it: surname(s), then up to three initials.
_AUTHOR = re.compile(r"^[A-Za-z][\w'’\-]+(?: [\w'’\-]+)* [A-Z]{1,3}(?: (?:Jr|Sr|2nd|3rd|II|III))?$")


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
    reaffirmed = _reaffirmed(released, status_text)
    grade = evidence_table().grade(PubType.GUIDELINE)
    extra: dict[str, str | list[str]] = {"ngc_id": ngc_id, "date_released": released}
    if reaffirmed:
        extra["reaffirmed"] = reaffirmed
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
        status_note=status_note(status_text, reaffirmed),
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


def parse_date(text: str) -> str | None:
    """'2014 Aug 9' -> '2014-08-09'; '2014 Apr' -> '2014-04'; '2000' -> '2000'."""
    match = _DATE.search(text)
    if match is None:
        return None
    year, month, day = match.groups()
    if not month or month.lower() not in _MONTHS:
        return year
    iso = f"{year}-{_MONTHS.index(month.lower()) + 1:02d}"
    return f"{iso}-{int(day):02d}" if day and 1 <= int(day) <= 31 else iso


def release_date(released: str) -> str | None:
    """The date of the version summarised: the revision if there was one, else the release.

    A reaffirmation does not change the text, so it is kept in `extra`, not here.
    """
    revised = _REVISED.search(released)
    return parse_date(revised.group(1)) if revised else parse_date(released.split("(")[0])


def _reaffirmed(released: str, status_text: str) -> str | None:
    in_date = _REAFFIRMED.search(released)
    if in_date:
        return in_date.group(1).strip()
    in_status = _STATUS_REAFFIRMED.search(status_text)
    return in_status.group(1) if in_status else None


def status_of(status_text: str) -> Status:
    """Withdrawn or superseded only where the status says so of this guideline.

    The paragraph naming the previous version it updates is ignored: its citation may well
    contain words like "withdrawal" or "replacement".
    """
    own = [p for p in re.split(r"\n\s*\n", status_text) if not _UPDATES.search(p)]
    for pattern, status in _STATUS_RULES:
        if any(pattern.search(p) for p in own):
            return status
    return Status.CURRENT


def status_note(status_text: str, reaffirmed: str | None) -> str | None:
    notes: list[str] = []
    if reaffirmed:
        notes.append(f"Reaffirmed by the developer in {_month_year(reaffirmed)}")
    if _UPDATES.search(status_text):
        notes.append("Updates a previous version")
    return "; ".join(notes) or None


def _month_year(text: str) -> str:
    iso = parse_date(text)
    if iso is None or len(iso) < 7:
        return iso or text
    return f"{_MONTH_NAMES[int(iso[5:7]) - 1]} {iso[:4]}"


def developers(text: str) -> list[str]:
    """Issuing bodies, one per line or '; ', without NGC's organisation-type suffix."""
    names = (_ORG_TYPE.sub("", part).strip() for part in re.split(r"\n|; ", text))
    return [name for name in names if name]


def authors(bibliographic_source: str) -> list[str]:
    """Personal authors of the first citation, or none where it names a body instead.

    A citation starts "| Surname AB, Surname CD. Title. ..."; authors are read while the
    comma-separated parts look like MEDLINE names, so a trailing group name is left out
    and a citation led by an organisation yields no authors.
    """
    first = bibliographic_source.strip().lstrip("|").strip().split("\n")[0]
    lead = re.match(r"^([^.]+)\.\s", first)
    if lead is None:
        return []
    found: list[str] = []
    for part in (p.strip() for p in lead.group(1).split(",")):
        if part == "et al":
            break
        if not _AUTHOR.match(part):
            break
        found.append(part)
    return found
