"""Library service functions: what the CLI (and later the web app) call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medoracle.corpus.build import plan_build
from medoracle.corpus.ingest import IngestReport, Reporter, ingest
from medoracle.corpus.loaders import Loader, get_loader, resolve_files
from medoracle.corpus.models import Document, Passage
from medoracle.corpus.schema import WriterLock
from medoracle.corpus.store import Library
from medoracle.errors import ConfigError, MedoracleError
from medoracle.settings import Settings

__all__ = ["build_library", "ingest_paths", "library_stats", "show_document"]


def build_library(
    settings: Settings,
    *,
    data_dir: Path | None,
    profile: str,
    limit: int | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Ingest a profile's datasets; returns the run summary with the library's counts."""
    plan = plan_build(data_dir or settings.resolved_data_dir(), profile)
    report = _run(settings, plan, f"library build --profile {profile}", limit, reporter)
    return {"profile": profile, **_summary(settings, report)}


def ingest_paths(
    settings: Settings,
    format_name: str,
    paths: Sequence[Path],
    *,
    limit: int | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Ingest files (or dataset folders) of one format."""
    loader = get_loader(format_name)
    if not paths:
        raise ConfigError("no input path given")
    plan = [(loader, file) for path in paths for file in resolve_files(loader, path)]
    report = _run(settings, plan, f"ingest {format_name}", limit, reporter)
    return {"format": format_name, **_summary(settings, report)}


def _run(
    settings: Settings,
    plan: list[tuple[Loader, Path]],
    command: str,
    limit: int | None,
    reporter: Reporter | None,
) -> IngestReport:
    with WriterLock(settings.library_path), Library.open(settings.library_path, create=True) as lib:
        return ingest(
            lib,
            plan,
            command=command,
            batch_size=settings.batch_size,
            limit=limit,
            max_messages=settings.max_messages,
            reporter=reporter,
        )


def _summary(settings: Settings, report: IngestReport) -> dict[str, Any]:
    with Library.open(settings.library_path) as lib:
        stats = lib.stats()
    return {
        "library": str(settings.library_path),
        **report.as_dict(),
        "library_documents": stats["documents"],
        "library_passages": stats["passages"],
    }


def library_stats(settings: Settings) -> dict[str, Any]:
    with Library.open(settings.library_path) as lib:
        return lib.stats()


def show_document(settings: Settings, doc_id: str) -> tuple[Document, list[Passage]]:
    with Library.open(settings.library_path) as lib:
        document = lib.document(doc_id)
        if document is None:
            raise MedoracleError(f"no document {doc_id!r} in the library at {lib.path}")
        return document, lib.passages(doc_id)
