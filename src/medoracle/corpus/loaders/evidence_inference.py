"""Evidence Inference randomized-trial full texts from PubMed Central (`evidence_inference`).

Record fields: pmcid, split, ei_version, n_prompts, title, text. `text` is the article as
plain text with each heading on a line of its own: "TITLE:", "ABSTRACT.RESULTS:",
"BODY.METHODS.STATISTICAL ANALYSIS:", "BODY.2. METHODS:", ... Only this article file holds
documents; the prompt and annotation files beside it are evaluation data.

Headings drive the passages: each section becomes a readable label ("Abstract: Results",
"Methods") and a kind that retrieval can prefer. Sections that are not evidence (competing
interests, contributions, funding, ...) are dropped. The whole file is ~115 M characters,
so every step is a single pass over the lines of a record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from medoracle.corpus.loaders._common import (
    PassageDraft,
    Skipped,
    build_passages,
    read_records,
)
from medoracle.corpus.models import Document, Identifiers, LoadedDocument, PassageKind, PubType
from medoracle.corpus.sections import section_kind, title_case
from medoracle.grade import evidence_table

__all__ = ["CORPUS", "FILES", "FORMAT", "read"]

FORMAT = "evidence-inference"
CORPUS = "evidence_inference"
FILES = ("rct_fulltext_articles.jsonl.gz", "rct_fulltext_articles.jsonl")

LICENCE = (
    "PubMed Central Open Access subset; each article keeps its own licence (CC BY, CC BY-NC, ...)"
)
_PMCID = re.compile(r"^PMC\d+$")
# A heading line: the part name, then optionally ".NAME[.SUBNAME...]" and a colon.
_HEADING = re.compile(r"^(TITLE|ABSTRACT|BODY)(?=[.:]|$)")
_NUMBERING = re.compile(r"^(?:\d+[A-Za-z]?|[IVX]+)$")
_LEADING_NUMBER = re.compile(r"^(?:\d+[A-Za-z]?|[IVX]+)[.)]\s+")

# Matched at the start of each heading part, so that "Results: Supplementary Analyses" and
# "Methods (see Supplementary Information)" stay while "Supplementary Material" goes.
_NOT_EVIDENCE = re.compile(
    r"^(?:list of |potential |study |role of (?:the )?|sources? of |declarations? of "
    r"|disclosure of (?:potential )?|duality of interest and )?"
    r"(?:competing interests?|conflicts?[ -]of[ -]interests?"
    r"|(?:declarations?|disclosures?) of interest"
    r"|disclosures?(?: statement)?$|authors?\S{0,2} contributions?|author contributions?"
    r"|contributions?(?: to authorship)?$|conflicts and contributions|contributors"
    r"|pre-?publication history|acknowledge?ments?|abbreviations?|funding|financial support"
    r"|(?:electronic )?supplementary (?:materials?|data|information|tables?|figures?)"
    r"|supporting information)"
)


class _Section(NamedTuple):
    part: str  # TITLE, ABSTRACT or BODY
    names: tuple[str, ...]  # the heading's readable parts, outermost first
    lines: list[str]


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    return read_records(path, _convert)


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    pmcid = str(record["pmcid"]).strip()
    if not _PMCID.match(pmcid):
        return Skipped(where, f"pmcid {pmcid!r} is not a PubMed Central id")
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        return Skipped(where, "article text is empty")
    drafts = _drafts(text)
    if not drafts:
        return Skipped(where, "article has no evidence sections with text")
    grade = evidence_table().grade(PubType.RANDOMIZED_TRIAL)
    doc_id = f"pmc:{pmcid}"
    extra = {key: str(record[key]) for key in ("split", "ei_version") if record.get(key)}
    document = Document(
        id=doc_id,
        title=str(record.get("title") or "").strip() or f"PubMed Central article {pmcid}",
        identifiers=Identifiers(
            pmcid=pmcid, url=f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/"
        ),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        licence=LICENCE,
        corpus=CORPUS,
        extra=extra,
    )
    return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))


def _drafts(text: str) -> list[PassageDraft]:
    """One draft per evidence section; a body subsection whose heading names no kind (e.g.
    "Surgical procedures" after "Methods") inherits the kind of the section before it,
    because the source flattens subsections into headings of their own."""
    drafts: list[PassageDraft] = []
    inherited = PassageKind.OTHER
    previous_part = ""
    for section in _split_title(_sections(text)):
        if section.part != previous_part:
            inherited, previous_part = PassageKind.OTHER, section.part
        kind = next(
            (k for k in (section_kind(n) for n in section.names) if k is not None),
            inherited if section.part == "BODY" else PassageKind.OTHER,
        )
        inherited = kind
        if section.part == "TITLE" or any(_NOT_EVIDENCE.match(n.lower()) for n in section.names):
            continue
        body = "\n\n".join(section.lines)
        if body:
            drafts.append(PassageDraft(_label(section), body, kind))
    return drafts


def _sections(text: str) -> Iterator[_Section]:
    """Split the text at heading lines; paragraphs are the non-blank lines between them."""
    current = _Section("BODY", (), [])
    for raw in text.split("\n"):
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading is None:
            if line:
                current.lines.append(line)
            continue
        yield current
        part, rest = heading.group(1), line[heading.end() :]
        if part == "TITLE":
            # The title may share the heading line; the TITLE section is only ever dropped.
            current = _Section(part, (), [rest.lstrip(": ")] if rest.strip(": ") else [])
        else:
            current = _Section(part, _heading_names(rest), [])
    yield current


def _split_title(sections: Iterator[_Section]) -> Iterator[_Section]:
    """The TITLE section holds one line, the title; some articles carry an abstract without
    a heading after it, which becomes an unlabelled "Abstract" section."""
    for section in sections:
        if section.part == "TITLE" and len(section.lines) > 1:
            yield _Section("TITLE", (), section.lines[:1])
            yield _Section("ABSTRACT", (), section.lines[1:])
        else:
            yield section


def _heading_names(rest: str) -> tuple[str, ...]:
    """ ".METHODS.STATISTICAL ANALYSIS:" -> ("Methods", "Statistical Analysis"); numbering
    ("2.", "3B.") goes, and so do the stray colons the conversion left inside headings
    ("I:NTRODUCTION") and lone letters whose heading was lost ("BODY.D:")."""
    names: list[str] = []
    for piece in rest.rstrip(": \t").replace(":", "").split("."):
        name = _LEADING_NUMBER.sub("", " ".join(piece.split()))
        if len(name) > 1 and not _NUMBERING.match(name) and name.upper() != "ABSTRACT":
            names.append(title_case(name))
    return tuple(names)


def _label(section: _Section) -> str:
    """ "Abstract: Results" for the abstract, the heading itself for the body."""
    if section.part == "ABSTRACT":
        return ": ".join(("Abstract", *section.names))
    return ": ".join(section.names) or "Main text"
