"""BioASQ Task B gold snippets, regrouped as one document per PubMed article (`bioasq`).

The file holds questions: body, type, documents, snippets, ideal_answer, exact_answer, ...
Each snippet is a span of a PubMed title or abstract: {document (PubMed URL), text,
offsetInBeginSection, offsetInEndSection, beginSection, endSection}. Later work evaluates
retrieval and answers on these questions, so documents keep only the article text the
snippets quote: no question body, answer or question id is stored. Since one article is
quoted by many questions, the whole file is read before any document is built.
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
    iter_jsonl,
    safe_load,
)
from medoracle.corpus.models import (
    Document,
    Identifiers,
    LoadedDocument,
    PassageKind,
    PubType,
)
from medoracle.grade import evidence_table

__all__ = ["CORPUS", "FILES", "FORMAT", "read"]

FORMAT = "bioasq"
CORPUS = "bioasq"
FILES = ("bioasq_taskb_golden_*.jsonl.gz", "*.jsonl")

SOURCE = "PubMed"
LICENCE = "BioASQ gold snippets (research use); text from PubMed/MEDLINE"
_PUBMED_URL = re.compile(r"^https?://\S+/(\d{1,9})/?$")
_SECTIONS = ("title", "abstract")  # sort order: title snippets first


class _Snippet(NamedTuple):
    section: str
    begin: int
    end: int
    text: str


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    articles: dict[str, set[_Snippet]] = {}
    for where, record in iter_jsonl(path):
        if isinstance(record, Skipped):
            yield record
        else:
            yield from _collect(where, record, articles)
    for pmid, snippets in articles.items():
        yield safe_load(_convert, f"{path.name}#{pmid}", {"pmid": pmid, "snippets": snippets})


def _collect(
    where: str, record: dict[str, Any], articles: dict[str, set[_Snippet]]
) -> Iterator[Skipped]:
    """Add a question's snippets to `articles` (a set per PMID, so repeats collapse)."""
    snippets = record.get("snippets")
    if not isinstance(snippets, list):
        yield Skipped(where, "snippets is missing or not a list")
        return
    for index, raw in enumerate(snippets):
        parsed = _snippet(raw)
        if isinstance(parsed, str):
            yield Skipped(f"{where}#snippet-{index}", parsed)
        else:
            pmid, snippet = parsed
            articles.setdefault(pmid, set()).add(snippet)


def _snippet(raw: object) -> tuple[str, _Snippet] | str:
    """(PMID, snippet), or the reason the snippet cannot be used."""
    if not isinstance(raw, dict):
        return "snippet is not a JSON object"
    match = _PUBMED_URL.match(str(raw.get("document") or "").strip())
    if match is None:
        return f"document {raw.get('document')!r} is not a PubMed article URL"
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        return "snippet text is empty"
    section = raw.get("beginSection")
    if section not in _SECTIONS:
        return f"beginSection {section!r} is neither title nor abstract"
    begin, end = raw.get("offsetInBeginSection"), raw.get("offsetInEndSection")
    if not isinstance(begin, int) or not isinstance(end, int):
        return "snippet offsets are not integers"
    return match.group(1), _Snippet(section, begin, end, text.strip())


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    pmid: str = record["pmid"]
    snippets = sorted(record["snippets"], key=_order)
    titles = [s for s in snippets if s.section == "title"]
    abstract = [s for s in snippets if s.section == "abstract"]
    whole_titles = [s.text for s in titles if s.begin == 0]
    title = max(whole_titles, key=len) if whole_titles else None
    grade = (
        evidence_table().from_title(title) if title else evidence_table().grade(PubType.RESEARCH)
    )
    drafts = [PassageDraft("Abstract", s.text, PassageKind.SNIPPET) for s in abstract]
    if not drafts:  # a title is the only text quoted: keep it as the one passage
        drafts = [PassageDraft("Title", s.text, PassageKind.SNIPPET) for s in titles]
    doc_id = f"bioasq:{pmid}"
    document = Document(
        id=doc_id,
        title=title or f"PubMed article PMID {pmid}",
        source=SOURCE,
        identifiers=Identifiers(pmid=pmid, url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        licence=LICENCE,
        corpus=CORPUS,
    )
    return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))


def _order(snippet: _Snippet) -> tuple[int, int, int, str]:
    """Title first, then by position in the abstract: the order a reader meets them."""
    return (_SECTIONS.index(snippet.section), snippet.begin, snippet.end, snippet.text)
