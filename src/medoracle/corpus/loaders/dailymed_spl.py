"""FDA drug labels in HL7 Structured Product Labeling (SPL) XML, as DailyMed serves them
(`dailymed-spl`).

One SPL file is one label: `<document xmlns="urn:hl7-org:v3">` with `setId` (the label's
identity across versions), `versionNumber`, `effectiveTime`, the labeller under
`author/assignedEntity/representedOrganization`, the products under
`manufacturedProduct`, and the body as nested `section`s, each named by a LOINC section code
(`code/@code`, code system 2.16.840.1.113883.6.1). Element names follow the FDA SPL
implementation guide (https://www.fda.gov/industry/fda-data-standards-advisory-board/
structured-product-labeling-resources). DailyMed's downloads are single `.xml` files or zip
archives; its bulk "full release" zips hold one zip per label, so one level of nested zips
is read too.

Only the sections a prescriber looks up are kept (`SECTIONS`): indications, dosage, boxed
warning, contraindications, warnings, adverse reactions, interactions and use in specific
populations. Their untitled-code subsections ("SPL unclassified section") inherit the
parent's code; `extra["loinc"]` records the code of every passage section, so retrieval can
prefer, say, the dosage section for a dose question. Highlights (`excerpt`) repeat the full
text and are not read.

XML is parsed with `defusedxml`, which refuses entity declarations: an SPL file never
declares entities, and a file that does is an XML bomb or an external-entity probe.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from pydantic import ValidationError

from medoracle.corpus.loaders._common import PassageDraft, Skipped, build_passages
from medoracle.corpus.loaders._spl_products import drug_names, label_title, read_products
from medoracle.corpus.loaders._spl_text import (
    attribute,
    element_text,
    local_name,
    section_text,
    spoken_title,
)
from medoracle.corpus.models import Document, Identifiers, LoadedDocument, PassageKind, PubType
from medoracle.errors import SourceError
from medoracle.grade import evidence_table

FORMAT = "dailymed-spl"
CORPUS = "dailymed"
FILES = ("*.xml", "*.zip")

NS = "urn:hl7-org:v3"
_V3 = {"v3": NS}
LICENCE = (
    "FDA Structured Product Labeling from DailyMed (U.S. National Library of Medicine), "
    "as submitted by the labeller"
)
LOOKUP_URL = "https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={}"
# Real labels are at most a few MB; anything far larger is refused before it is parsed.
MAX_XML_BYTES = 50 * 1024 * 1024
MAX_NESTED_ZIP_BYTES = 256 * 1024 * 1024  # a per-label zip, images included
MAX_SECTION_DEPTH = 24


class SectionType(NamedTuple):
    label: str
    kind: PassageKind


# LOINC section codes (FDA SPL section headings, https://www.fda.gov/industry/
# structured-product-labeling-resources/section-headings-loinc) kept as passages.
BOXED_WARNING = "34066-1"
INDICATIONS = "34067-9"
DOSAGE = "34068-7"
DOSAGE_FORMS = "43678-2"
CONTRAINDICATIONS = "34070-3"
WARNINGS_AND_PRECAUTIONS = "43685-7"
WARNINGS = "34071-1"
PRECAUTIONS = "42232-9"  # older (non-PLR) labels: holds pregnancy, nursing, interactions
ADVERSE_REACTIONS = "34084-4"
INTERACTIONS = "34073-7"
SPECIFIC_POPULATIONS = "43684-0"
PREGNANCY = "42228-7"
LACTATION = "77290-5"
NURSING_MOTHERS = "34080-2"  # the older heading that lactation replaced
PEDIATRIC = "34081-0"
GERIATRIC = "34082-8"
# Renal and hepatic impairment (8.6, 8.7) got LOINC codes in 2018; many labels still code
# them as "SPL unclassified section", so a subsection of a kept section is also recognised
# by its title (`_TITLE_CODES`) inside the sections that hold them; "Dosage adjustment in
# renal impairment" under dosage stays dosage. (88829-0 fails the LOINC check digit.)
RENAL_IMPAIRMENT = "88828-9"
HEPATIC_IMPAIRMENT = "88829-7"

_ADVICE = PassageKind.RECOMMENDATION
SECTIONS: dict[str, SectionType] = {
    BOXED_WARNING: SectionType("Boxed warning", _ADVICE),
    INDICATIONS: SectionType("Indications and usage", _ADVICE),
    DOSAGE: SectionType("Dosage and administration", _ADVICE),
    DOSAGE_FORMS: SectionType("Dosage forms and strengths", PassageKind.OTHER),
    CONTRAINDICATIONS: SectionType("Contraindications", _ADVICE),
    WARNINGS_AND_PRECAUTIONS: SectionType("Warnings and precautions", _ADVICE),
    WARNINGS: SectionType("Warnings", _ADVICE),
    PRECAUTIONS: SectionType("Precautions", _ADVICE),
    # Frequencies observed in trials: results, not advice.
    ADVERSE_REACTIONS: SectionType("Adverse reactions", PassageKind.RESULT),
    INTERACTIONS: SectionType("Drug interactions", _ADVICE),
    SPECIFIC_POPULATIONS: SectionType("Use in specific populations", _ADVICE),
    PREGNANCY: SectionType("Pregnancy", _ADVICE),
    LACTATION: SectionType("Lactation", _ADVICE),
    NURSING_MOTHERS: SectionType("Nursing mothers", _ADVICE),
    PEDIATRIC: SectionType("Pediatric use", _ADVICE),
    GERIATRIC: SectionType("Geriatric use", _ADVICE),
    RENAL_IMPAIRMENT: SectionType("Renal impairment", _ADVICE),
    HEPATIC_IMPAIRMENT: SectionType("Hepatic impairment", _ADVICE),
}
_TITLE_CODES = (
    (re.compile(r"\b(renal|kidney) impairment\b", re.IGNORECASE), RENAL_IMPAIRMENT),
    (re.compile(r"\b(hepatic|liver) impairment\b", re.IGNORECASE), HEPATIC_IMPAIRMENT),
)
_BY_TITLE_IN = (SPECIFIC_POPULATIONS, PRECAUTIONS)
_SET_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_LABELLER = "v3:author/v3:assignedEntity/v3:representedOrganization/v3:name"


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    """A zip (by content, not name) yields each label inside it; a bad member is skipped.
    A bare file that is not an SPL label raises `SourceError`."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(4)
        size = path.stat().st_size
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if magic in _ZIP_MAGIC:
        yield from _read_zip(path)
        return
    if size > MAX_XML_BYTES:
        raise SourceError(f"{path}: {size:,} bytes is over the {MAX_XML_BYTES:,}-byte limit")
    yield label(str(path), path.read_bytes())


def _read_zip(path: Path) -> Iterator[LoadedDocument | Skipped]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"{path}: not a readable zip archive ({exc}); truncated?") from None
    with archive:
        yield from _members(archive, path.name, nested=False)


def _members(
    archive: zipfile.ZipFile, where: str, *, nested: bool
) -> Iterator[LoadedDocument | Skipped]:
    """The labels in `archive`: its `.xml` members and, one level down, those of its zips."""
    for info in archive.infolist():
        name = info.filename.lower()
        inner = f"{where}/{info.filename}"
        if info.is_dir() or not name.endswith((".xml", ".zip")):
            continue  # images and stylesheets travel with the labels
        if name.endswith(".zip") and nested:
            yield Skipped(inner, "zip nested more than one level deep; not read", malformed=False)
            continue
        limit = MAX_NESTED_ZIP_BYTES if name.endswith(".zip") else MAX_XML_BYTES
        data = _member_bytes(archive, info, inner, limit)
        if isinstance(data, Skipped):
            yield data
        elif name.endswith(".xml"):
            try:
                yield label(inner, data)
            except SourceError as exc:
                yield Skipped(inner, str(exc))
        else:
            try:
                child = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as exc:
                yield Skipped(inner, f"{inner}: not a readable zip archive ({exc})")
                continue
            with child:
                yield from _members(child, inner, nested=True)


def _member_bytes(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limit: int
) -> bytes | Skipped:
    """The member's bytes, or why not; a size header that lies is caught by the bounded read."""
    if info.file_size > limit:
        return Skipped(where, f"{where}: {info.file_size:,} bytes is over the {limit:,}-byte limit")
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError) as exc:  # fmt: skip
        return Skipped(where, f"{where}: damaged or unsupported zip member ({exc})")
    if len(data) > limit:
        return Skipped(where, f"{where}: over the {limit:,}-byte limit once unpacked")
    return data


def label(where: str, data: bytes) -> LoadedDocument | Skipped:
    """One SPL label from its bytes; raises `SourceError` when they are not an SPL label."""
    root = _parse(where, data)
    name = where.rsplit("/", 1)[-1]
    set_id = attribute(root.find("v3:setId", _V3), "root").lower()
    if not _SET_ID.match(set_id):
        return Skipped(name, f"{where}: no setId (a UUID) in the label")
    try:
        return _convert(root, set_id)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "label"
        return Skipped(f"{name}#{set_id}", f"invalid {field}: {first['msg']}")
    except RecursionError:
        return Skipped(f"{name}#{set_id}", "sections or markup nested too deeply to read")


def _parse(where: str, data: bytes) -> ET.Element:
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise SourceError(
            f"{where}: refused: the XML declares entities ({type(exc).__name__}); SPL labels "
            "never do, so this is an XML bomb or an external-entity probe"
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise SourceError(f"{where}: not well-formed XML at line {line}, column {column}") from None
    except (ValueError, LookupError) as exc:  # an encoding expat cannot read
        raise SourceError(f"{where}: unreadable XML ({exc})") from None
    if root.tag != f"{{{NS}}}document":
        raise SourceError(
            f"{where}: root element <{local_name(root.tag)}> is not an SPL <document> in {NS}"
        )
    return root


def _convert(root: ET.Element, set_id: str) -> LoadedDocument | Skipped:
    doc_id = f"dailymed:{set_id}"
    drafts, codes = _drafts(root)
    if not drafts:
        reason = "no prescribing sections (indications, dosage, warnings...)"
        return Skipped(doc_id, reason, malformed=False)
    products = read_products(root)
    labeller = element_text(root.find(_LABELLER, _V3))
    doc_type = root.find("v3:code", _V3)
    grade = evidence_table().grade(PubType.DRUG_LABEL)
    document = Document(
        id=doc_id,
        title=label_title(root, products, set_id),
        source=f"DailyMed: {labeller}" if labeller else "DailyMed",
        date=_date(attribute(root.find("v3:effectiveTime", _V3), "value")),
        identifiers=Identifiers(url=LOOKUP_URL.format(set_id)),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        licence=LICENCE,
        corpus=CORPUS,
        mesh=drug_names(products),
        extra={
            "set_id": set_id,
            "version": attribute(root.find("v3:versionNumber", _V3), "value"),
            "labeller": labeller,
            "document_type": attribute(doc_type, "displayName") or attribute(doc_type, "code"),
            "loinc": [f"{code} {section}" for section, code in codes.items()],
        },
    )
    return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))


def _drafts(root: ET.Element) -> tuple[list[PassageDraft], dict[str, str]]:
    """One draft per kept section with text, and each draft's section name -> LOINC code."""
    drafts: list[PassageDraft] = []
    codes: dict[str, str] = {}
    for section in root.iterfind("v3:component/v3:structuredBody/v3:component/v3:section", _V3):
        _walk(section, None, (), drafts, codes, 0)
    return drafts, codes


def _walk(
    section: ET.Element,
    inherited: str | None,
    path: tuple[str, ...],
    drafts: list[PassageDraft],
    codes: dict[str, str],
    depth: int,
) -> None:
    """Keep `section` if its code is kept or it sits inside a kept section; then its
    subsections. Sections outside kept ones are walked only for kept codes of their own, so
    "Renal impairment" under pharmacokinetics is not read as dosing advice."""
    if depth > MAX_SECTION_DEPTH:
        return
    code = attribute(section.find("v3:code", _V3), "code")
    title = spoken_title(element_text(section.find("v3:title", _V3)))
    kept = code if code in SECTIONS else None
    if kept is None and inherited in _BY_TITLE_IN:
        kept = next((c for pattern, c in _TITLE_CODES if pattern.search(title)), inherited)
    elif kept is None:
        kept = inherited
    if title or kept:
        path = (*path, title or SECTIONS[kept or ""].label)
    if kept is not None:
        text = section_text(section.find("v3:text", _V3))
        name = " / ".join(path)
        if text:
            codes.setdefault(name, kept)
            drafts.append(PassageDraft(name, text, SECTIONS[kept].kind))
    for child in section.iterfind("v3:component/v3:section", _V3):
        _walk(child, kept, path, drafts, codes, depth + 1)


def _date(value: str) -> str | None:
    """SPL's effectiveTime is YYYYMMDD (sometimes with a time): an ISO date, or None."""
    if not re.match(r"^\d{8}", value):
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8])).isoformat()
    except ValueError:
        return None
