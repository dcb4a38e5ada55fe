"""One-line citations: what a reference list and `library show` print for a document."""

from __future__ import annotations

from medoracle.corpus.models import Document

__all__ = ["citation_line", "identifier_links"]


def identifier_links(doc: Document) -> list[str]:
    """Identifiers a reader can follow, most durable first."""
    ids = doc.identifiers
    links: list[str] = []
    if ids.pmid:
        links.append(f"PMID {ids.pmid}")
    if ids.pmcid:
        links.append(ids.pmcid)
    if ids.doi:
        links.append(f"doi:{ids.doi}")
    if ids.guideline_id:
        links.append(ids.guideline_id)
    if ids.url and not (ids.pmid or ids.doi):
        links.append(ids.url)
    return links


def citation_line(doc: Document) -> str:
    """`Title. Source; year. Identifiers. [Type, level N] Status.`"""
    title = doc.title.strip()
    where = "; ".join(part for part in (doc.source, str(doc.year) if doc.year else None) if part)
    parts = [title if title.endswith((".", "?", "!")) else f"{title}."]
    if where:
        parts.append(f"{where}.")
    links = identifier_links(doc)
    if links:
        parts.append(", ".join(links) + ".")
    parts.append(f"[{doc.evidence_label}, level {doc.evidence_level}]")
    status = doc.status.value.capitalize()
    note = doc.status_note or ""
    if note.lower().startswith(doc.status.value):
        parts.append(f"{note}.")
    else:
        parts.append(f"{status}: {note}." if note else f"{status}.")
    return " ".join(parts)
