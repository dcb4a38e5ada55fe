"""Service functions for a clinic's own documents: what `medoracle ingest document` calls.

`ingest_paths(settings, "document", paths)` already loads documents with their sidecar
metadata; `ingest_documents` does the same with metadata given on the command line
(`--title --body --year --type --audience --id`), which `document_meta` validates from the
words the CLI passes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from medoracle.corpus.ingest import Reporter, ingest
from medoracle.corpus.loaders import Skipped, resolve_files
from medoracle.corpus.loaders.document import FILES as DOCUMENT_FILES
from medoracle.corpus.loaders.document import DocumentMeta, read_document
from medoracle.corpus.models import Audience, LoadedDocument, PubType
from medoracle.corpus.schema import WriterLock
from medoracle.corpus.store import Library
from medoracle.errors import ConfigError
from medoracle.settings import Settings

__all__ = ["DocumentMeta", "document_meta", "ingest_documents"]


def document_meta(
    *,
    title: str | None = None,
    body: str | None = None,
    year: int | None = None,
    type: str | None = None,
    audience: str | None = None,
    id: str | None = None,
) -> DocumentMeta | None:
    """Metadata from command-line options; None when none is given. An invalid value raises
    `ConfigError` naming the valid choices."""
    given = {"title": title, "body": body, "year": year, "type": type, "audience": audience,
             "id": id}  # fmt: skip
    if all(value is None for value in given.values()):
        return None
    for name, choices in (("type", PubType), ("audience", Audience)):
        value = given[name]
        valid = sorted(choice.value for choice in choices)
        if value is not None and value not in valid:
            raise ConfigError(f"unknown {name} {value!r}; expected one of: {', '.join(valid)}")
    try:
        return DocumentMeta.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"invalid --{field}: {first['msg']}") from None


class _DocumentsWith:
    """The `document` loader with metadata options applied over each file's sidecar."""

    FORMAT: str = "document"
    CORPUS: str = "local"
    FILES: tuple[str, ...] = DOCUMENT_FILES

    def __init__(self, meta: DocumentMeta | None) -> None:
        self.meta = meta

    def read(self, path: Path) -> Iterator[LoadedDocument | Skipped]:
        yield read_document(path, self.meta)


def ingest_documents(
    settings: Settings,
    paths: Sequence[Path],
    meta: DocumentMeta | None = None,
    *,
    limit: int | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Ingest local documents (files, or folders of them) with `meta` over their sidecars;
    returns the same summary as `ingest_paths`."""
    if not paths:
        raise ConfigError("no input path given")
    loader = _DocumentsWith(meta)
    files = [file for path in paths for file in resolve_files(loader, path)]
    if meta is not None and (meta.id or meta.title) and len(files) > 1:
        raise ConfigError(f"--id and --title name one document; {len(files)} files were given")
    with WriterLock(settings.library_path), Library.open(settings.library_path, create=True) as lib:
        report = ingest(
            lib,
            [(loader, file) for file in files],
            command="ingest document",
            batch_size=settings.batch_size,
            limit=limit,
            max_messages=settings.max_messages,
            reporter=reporter,
        )
    with Library.open(settings.library_path) as lib:
        stats = lib.stats()
    return {
        "format": "document",
        "library": str(settings.library_path),
        **report.as_dict(),
        "library_documents": stats["documents"],
        "library_passages": stats["passages"],
    }
