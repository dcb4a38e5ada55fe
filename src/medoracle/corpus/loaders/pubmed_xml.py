"""MEDLINE/PubMed citations in NLM's PubmedArticleSet XML (`pubmed-xml`).

The same format comes from NLM's annual baseline and daily update files and from an
E-utilities `efetch` reply (db=pubmed, retmode=xml); element names below follow the NLM
PubMed DTD (https://dtd.nlm.nih.gov/ncbi/pubmed/). A baseline file holds ~30,000 records
and is several GB once unzipped, so the file is streamed with `iterparse` and each
top-level record is cleared as soon as it is read: memory stays flat whatever the size.

Each abstract section becomes one passage; the title is the document title, not a passage,
so a record without abstract text carries nothing to cite and is skipped.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from medoracle.corpus.loaders._common import PassageDraft, Skipped, build_passages
from medoracle.corpus.models import (
    Document,
    Identifiers,
    LoadedDocument,
    PassageKind,
    PubType,
    Status,
)
from medoracle.errors import SourceError
from medoracle.grade import Grade, evidence_table

FORMAT = "pubmed-xml"
CORPUS = "pubmed"
FILES = ("*.xml", "*.xml.gz")

LICENCE = (
    "MEDLINE/PubMed citation data courtesy of the U.S. National Library of Medicine; "
    "abstract copyright the publisher"
)
ROOT_TAG = "PubmedArticleSet"

# AbstractText/@NlmCategory (the DTD's closed list) -> what the passage is for.
_KINDS = {
    "CONCLUSIONS": PassageKind.CONCLUSION,
    "RESULTS": PassageKind.RESULT,
    "METHODS": PassageKind.METHOD,
    "BACKGROUND": PassageKind.BACKGROUND,
    "OBJECTIVE": PassageKind.BACKGROUND,
}
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_YEAR = re.compile(r"\d{4}")
_DOI = re.compile(r"^10\.\S+/\S+$")
_PMCID = re.compile(r"^PMC\d+$")


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    """Yield one result per top-level record; a parse error ends the file with a `Skipped`."""
    with _open_binary(path) as handle:
        root: ET.Element | None = None
        depth = 0
        position = 0
        try:
            for event, elem in ET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = _check_root(path, elem)
                    continue
                depth -= 1
                if depth != 1 or root is None:
                    continue
                position += 1
                result = _record(path.name, position, elem)
                elem.clear()
                root.clear()  # drop finished records so the tree never grows
                if result is not None:
                    yield result
        except ET.ParseError as exc:
            line, column = exc.position
            yield Skipped(
                f"{path.name}:{line}",
                f"{path.name}: not well-formed XML at line {line}, column {column}; "
                "reading stopped",
            )
        except (EOFError, zlib.error, OSError) as exc:  # a cut or damaged gzip stream
            yield Skipped(path.name, f"{path.name}: unreadable or truncated ({exc}); stopped")


def _open_binary(path: Path) -> gzip.GzipFile | io.BufferedReader:
    """Open by content: gzip magic bytes mean a gzipped file whatever its name."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
        if magic == b"\x1f\x8b":
            return gzip.open(path, "rb")
        return path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _check_root(path: Path, elem: ET.Element) -> ET.Element:
    if elem.tag != ROOT_TAG:
        raise SourceError(f"{path}: root element <{elem.tag}> is not <{ROOT_TAG}>")
    return elem


def _record(name: str, position: int, elem: ET.Element) -> LoadedDocument | Skipped | None:
    """Dispatch one child of the root; `DeleteCitation` (update files) yields nothing."""
    if elem.tag == "PubmedBookArticle":
        pmid = _text(elem.find("BookDocument/PMID")) or f"record-{position}"
        return Skipped(f"{name}#{pmid}", "book records are not loaded", malformed=False)
    if elem.tag != "PubmedArticle":
        return None
    try:
        return _convert(name, position, elem)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "record"
        return Skipped(f"{name}#record-{position}", f"invalid {field}: {first['msg']}")


def _convert(name: str, position: int, article: ET.Element) -> LoadedDocument | Skipped:
    citation = article.find("MedlineCitation")
    cited = citation.find("Article") if citation is not None else None
    pmid = _text(citation.find("PMID")) if citation is not None else ""
    title = _text(cited.find("ArticleTitle")) if cited is not None else ""
    if citation is None or cited is None or not pmid or not title:
        missing = "PMID" if not pmid else "ArticleTitle"
        return Skipped(f"{name}#record-{position}", f"{name} record {position}: no {missing}")
    where = f"{name}#{pmid}"
    drafts = _abstract_drafts(cited)
    if not drafts:
        return Skipped(where, "no abstract", malformed=False)
    pub_types = [_text(p) for p in cited.iterfind("PublicationTypeList/PublicationType")]
    grade = _grade(pub_types, title)
    status, note = _status(citation, pub_types)
    year, date = _publication_date(cited)
    doc_id = f"pubmed:{pmid}"
    document = Document(
        id=doc_id,
        title=title,
        source=_journal(citation, cited),
        authors=_authors(cited),
        date=date,
        year=year,
        identifiers=_identifiers(article, cited, pmid),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        status=status,
        status_note=note,
        licence=LICENCE,
        corpus=CORPUS,
        mesh=[_text(d) for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")],
        extra={"publication_types": pub_types},
    )
    return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))


def _text(elem: ET.Element | None) -> str:
    """All text inside `elem`, inline markup (<i>, <sup>, MathML) kept as plain text."""
    return " ".join("".join(elem.itertext()).split()) if elem is not None else ""


def _abstract_drafts(cited: ET.Element) -> list[PassageDraft]:
    """One draft per labelled AbstractText; unlabelled paragraphs merge into "Abstract".

    OtherAbstract (translations, plain-language versions by other owners) is not read.
    """
    drafts: list[PassageDraft] = []
    for part in cited.iterfind("Abstract/AbstractText"):
        text = "".join(part.itertext()).strip()
        if not text:
            continue
        label = (part.get("Label") or "").strip()
        section = (label.capitalize() if label.isupper() else label) or "Abstract"
        category = (part.get("NlmCategory") or label).upper()
        kind = _KINDS.get(category, PassageKind.OTHER) if label else PassageKind.OTHER
        if drafts and drafts[-1].section == section:
            drafts[-1] = drafts[-1]._replace(text=f"{drafts[-1].text}\n\n{text}")
        else:
            drafts.append(PassageDraft(section, text, kind))
    return drafts


def _grade(pub_types: list[str], title: str) -> Grade:
    """Grade by publication type; a bare "Journal Article" falls back to the title's design."""
    table = evidence_table()
    grade = table.from_medline(pub_types)
    if grade.pub_type is PubType.RESEARCH:
        return table.from_title(title, default=PubType.RESEARCH)
    return grade


def _status(citation: ET.Element, pub_types: list[str]) -> tuple[Status, str | None]:
    """Retracted if typed "Retracted Publication" or linked by CommentsCorrections RetractionIn."""
    notice = citation.find("CommentsCorrectionsList/CommentsCorrections[@RefType='RetractionIn']")
    status = evidence_table().status_from_medline(pub_types)
    if notice is None and status is not Status.RETRACTED:
        return status, None
    notice_pmid = _text(notice.find("PMID")) if notice is not None else ""
    return Status.RETRACTED, f"Retracted (see PMID {notice_pmid})" if notice_pmid else "Retracted"


def _publication_date(cited: ET.Element) -> tuple[int | None, str | None]:
    """Issue date (Year/Month/Day, else MedlineDate's first year), else the e-pub ArticleDate."""
    pub_date = cited.find("Journal/JournalIssue/PubDate")
    if pub_date is not None and pub_date.find("Year") is not None:
        return _iso_date(pub_date)
    match = _YEAR.search(_text(pub_date.find("MedlineDate")) if pub_date is not None else "")
    if match and 1800 <= int(match.group()) <= 2100:
        return int(match.group()), match.group()
    article_date = cited.find("ArticleDate")
    return _iso_date(article_date) if article_date is not None else (None, None)


def _iso_date(elem: ET.Element) -> tuple[int | None, str | None]:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' as far as the parts are present and valid."""
    year_text = _text(elem.find("Year"))
    if not year_text.isdigit() or not 1800 <= int(year_text) <= 2100:
        return None, None
    year = int(year_text)
    month_text = _text(elem.find("Month")).lower()
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3], 0)
    if not 1 <= month <= 12:
        return year, f"{year:04d}"
    day_text = _text(elem.find("Day"))
    try:
        return year, dt.date(year, month, int(day_text)).isoformat()
    except ValueError:
        return year, f"{year:04d}-{month:02d}"


def _journal(citation: ET.Element, cited: ET.Element) -> str | None:
    for found in (
        cited.find("Journal/Title"),
        cited.find("Journal/ISOAbbreviation"),
        citation.find("MedlineJournalInfo/MedlineTA"),
    ):
        if _text(found):
            return _text(found)
    return None


def _authors(cited: ET.Element) -> list[str]:
    """ "LastName Initials" (Vancouver style) or a group's CollectiveName."""
    names: list[str] = []
    for author in cited.iterfind("AuthorList/Author"):
        if author.get("ValidYN") == "N":
            continue
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials")) or _text(author.find("ForeName"))
        name = f"{last} {initials}".strip() if last else _text(author.find("CollectiveName"))
        if name:
            names.append(name)
    return names


def _identifiers(article: ET.Element, cited: ET.Element, pmid: str) -> Identifiers:
    """DOI from PubmedData's ArticleIdList, else the ELocationID; PMC id from the same list.

    Only the article's own ArticleIdList is read, not those inside its ReferenceList.
    """
    own_ids = "PubmedData/ArticleIdList/ArticleId"
    doi = _text(article.find(f"{own_ids}[@IdType='doi']"))
    if not _DOI.match(doi):
        doi = _text(cited.find("ELocationID[@EIdType='doi']"))
    pmcid = _text(article.find(f"{own_ids}[@IdType='pmc']"))
    return Identifiers(
        pmid=pmid,
        doi=doi if _DOI.match(doi) else None,
        pmcid=pmcid if _PMCID.match(pmcid) else None,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
    )
