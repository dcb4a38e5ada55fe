"""A clinic's own documents: PDF, HTML and Markdown files (`document`).

Each file is one document. Its headings name the sections; its paragraphs and list items
become passages with sentence offsets. What the file cannot say about itself (who issued
it, when, what kind of evidence it is, who it is for) comes from a sidecar TOML file beside
it, `NAME.meta.toml` (`protocol.meta.toml` or `protocol.pdf.meta.toml` for
`protocol.pdf`), overridden in turn by a `DocumentMeta` the caller passes
(`medoracle ingest document --body ... --year ...`):

    title = "Adult asthma protocol"   # else the file's own title, else its name
    body = "Riverside Clinic"         # the issuing body
    year = 2024
    type = "guideline"                # a publication type; graded by medoracle.grade
    audience = "clinician"            # or "patient"
    id = "asthma-adult"               # the document id is "local:<id>"; else from the name

Local documents are labelled as such: corpus "local", source "Local document: <body>", so
a reference reads "Local document: Riverside Clinic, 2024". A file that cannot be loaded
whole (no text layer, a password, over `MAX_BYTES`, not valid text in its encoding, a
broken sidecar) raises `SourceError` with a one-line reason: ingest reports it and goes on
with the next file, and nothing of it is written.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medoracle.corpus.loaders._common import Skipped, build_passages
from medoracle.corpus.loaders._doc_blocks import Parsed, decode, drafts_from
from medoracle.corpus.models import Audience, Document, LoadedDocument, PubType
from medoracle.errors import SourceError
from medoracle.grade import evidence_table

__all__ = ["CORPUS", "FILES", "FORMAT", "MAX_BYTES", "DocumentMeta", "read", "read_document"]

FORMAT = "document"
CORPUS = "local"
FILES = ("*.pdf", "*.html", "*.htm", "*.md", "*.markdown")
# A clinic protocol or leaflet is well under this; a larger file is a scan or a book.
MAX_BYTES = 50 * 1024 * 1024
SOURCE = "Local document"
LICENCE = "Local document, as supplied by its issuing body"
_KINDS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
}
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class DocumentMeta(BaseModel):
    """What a local document does not say about itself; every field optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = Field(None, min_length=1, max_length=2000, description="title override")
    body: str | None = Field(None, min_length=1, max_length=300, description="issuing body")
    year: int | None = Field(None, ge=1800, le=2100, description="year issued")
    type: PubType | None = Field(None, description="publication type; default guideline")
    audience: Audience | None = Field(None, description="clinician (default) or patient")
    id: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9._-]{0,80}$", description='the id after "local:"'
    )

    def over(self, base: DocumentMeta) -> DocumentMeta:
        """`base` with the fields set here taking precedence."""
        return base.model_copy(update=self.model_dump(exclude_none=True))


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    yield read_document(path)


def read_document(path: Path, meta: DocumentMeta | None = None) -> LoadedDocument:
    """One local document, its sidecar's metadata overridden by `meta`'s set fields."""
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        expected = ", ".join(sorted(_KINDS))
        raise SourceError(f"{path}: not a document type medoracle reads (expected {expected})")
    data = _bytes(path)
    chosen = (meta or DocumentMeta()).over(sidecar(path))
    parsed = _parse(path, kind, data)
    title = chosen.title or parsed.title or _from_name(path)
    audience = chosen.audience or Audience.CLINICIAN
    drafts = drafts_from(parsed.blocks, title, audience)
    if not drafts:
        raise SourceError(f"{path}: no text to load")
    doc_id = f"{CORPUS}:{chosen.id or _slug(path)}"
    grade = evidence_table().grade(chosen.type or PubType.GUIDELINE)
    try:
        document = Document(
            id=doc_id,
            title=title[:2000],
            source=f"{SOURCE}: {chosen.body}" if chosen.body else SOURCE,
            year=chosen.year,
            pub_type=grade.pub_type,
            evidence_level=grade.level,
            evidence_label=grade.label,
            audience=audience,
            licence=LICENCE,
            corpus=CORPUS,
            extra={"file": path.name, "format": kind, "sha256": hashlib.sha256(data).hexdigest()},
        )
        return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "document"
        raise SourceError(f"{path}: invalid {field}: {first['msg']}") from None


def sidecar(path: Path) -> DocumentMeta:
    """The metadata in `NAME.pdf.meta.toml` or `NAME.meta.toml` beside `path`, if either
    exists; raises `SourceError` naming the sidecar when it is broken."""
    for candidate in (path.with_name(f"{path.name}.meta.toml"), path.with_suffix(".meta.toml")):
        if candidate.is_file():
            return _read_sidecar(candidate)
    return DocumentMeta()


def _read_sidecar(path: Path) -> DocumentMeta:
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
        return DocumentMeta.model_validate(raw)
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "file"
        raise SourceError(f"{path}: invalid {field}: {first['msg']}") from None


def _bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceError(f"{path}: {size:,} bytes is over the {MAX_BYTES:,}-byte limit")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _parse(path: Path, kind: str, data: bytes) -> Parsed:
    """The reader for `kind`, imported when first needed; text errors become SourceError."""
    try:
        if kind == "pdf":
            if not data.lstrip()[:5] == b"%PDF-":
                raise SourceError(f"{path}: not a PDF (no %PDF- header)")
            from medoracle.corpus.loaders._doc_pdf import parse_pdf

            return parse_pdf(path)
        if kind == "html":
            from medoracle.corpus.loaders._doc_html import parse_html

            return parse_html(data)
        from medoracle.corpus.loaders._doc_markdown import parse_markdown

        return parse_markdown(decode(data))
    except ValueError as exc:
        raise SourceError(f"{path}: {exc}") from None
    except RecursionError:
        raise SourceError(f"{path}: markup nested too deeply to read") from None


def _slug(path: Path) -> str:
    """The file name as an id: "Adult Asthma (v2).pdf" -> "adult-asthma-v2"."""
    slug = _NOT_SLUG.sub("-", path.stem.lower()).strip("-")[:80]
    return slug or hashlib.sha256(path.name.encode()).hexdigest()[:12]


def _from_name(path: Path) -> str:
    return " ".join(path.stem.replace("_", " ").replace("-", " ").split()) or path.name
