"""Ingest: stream loader output into the library in batches, with progress and a summary.

Idempotent by content hash (an identical document is counted `unchanged` and not written),
transactional per batch (see `Library.write_batch`), and resumable: a re-run after a kill
skips what was committed and writes the rest, ending at the same counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from medoracle.corpus.loaders import Loader, Skipped
from medoracle.corpus.models import LoadedDocument
from medoracle.corpus.store import Library
from medoracle.errors import MedoracleError, SourceError

__all__ = [
    "COMPLETE",
    "WITH_ERRORS",
    "IngestInterrupted",
    "IngestReport",
    "Reporter",
    "SourceReport",
    "ingest",
]

MALFORMED = "malformed record"
DUPLICATE = "duplicate document id in this run (first kept)"
UNREADABLE = "unreadable file"
EMPTY = "empty file (0 bytes)"
# Whole files that gave nothing: the run still loads the rest, but ends "completed with
# errors" (and the CLI exits non-zero), since a missing file is not a skipped record.
FILE_ERRORS = (UNREADABLE, EMPTY)
COMPLETE = "complete"
WITH_ERRORS = "completed with errors"


class Reporter(Protocol):
    """Where progress goes: a terminal progress bar, or nowhere."""

    def begin(self, label: str) -> None: ...
    def advance(self, documents: int, skipped: int) -> None: ...
    def message(self, line: str) -> None: ...
    def end(self) -> None: ...


class _Silent:
    def begin(self, label: str) -> None:
        pass

    def advance(self, documents: int, skipped: int) -> None:
        pass

    def message(self, line: str) -> None:
        pass

    def end(self) -> None:
        pass


@dataclass
class SourceReport:
    """What one source file contributed."""

    format: str
    path: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "path": self.path,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skipped_reasons": dict(self.skipped),
            "seconds": round(self.seconds, 2),
        }


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0
    outcome: str = "running"

    def totals(self) -> dict[str, Any]:
        reasons: Counter[str] = Counter()
        for source in self.sources:
            reasons.update(source.skipped)
        return {
            "added": sum(s.added for s in self.sources),
            "updated": sum(s.updated for s in self.sources),
            "unchanged": sum(s.unchanged for s in self.sources),
            "skipped": sum(reasons.values()),
            "skipped_reasons": dict(reasons),
            "seconds": round(self.seconds, 2),
        }

    def file_errors(self) -> dict[str, int]:
        """How many files were unreadable or empty, by reason."""
        totals = self.totals()["skipped_reasons"]
        return {reason: totals[reason] for reason in FILE_ERRORS if totals.get(reason)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            **self.totals(),
            "sources": [s.as_dict() for s in self.sources],
        }


class IngestInterrupted(MedoracleError):
    """Ctrl-C or SIGTERM stopped an ingest; committed batches stay, the open one rolled back."""

    def __init__(self, report: IngestReport) -> None:
        totals = report.totals()
        super().__init__(
            f"interrupted after {totals['added'] + totals['updated']} documents were written "
            "in complete batches; the open batch was rolled back. Re-run to finish."
        )
        self.report = report


def ingest(
    library: Library,
    sources: Sequence[tuple[Loader, Path]],
    *,
    command: str,
    batch_size: int = 500,
    limit: int | None = None,
    max_messages: int = 100,
    reporter: Reporter | None = None,
) -> IngestReport:
    """Load every `(loader, file)` in order into `library`; see the module docstring."""
    reporter = reporter or _Silent()
    report = IngestReport()
    run_id = library.start_run(command, [f"{ld.FORMAT}:{path}" for ld, path in sources])
    started = time.perf_counter()
    seen: set[str] = set()
    messages = _MessageBudget(reporter, max_messages)
    try:
        for loader, path in sources:
            source = SourceReport(loader.FORMAT, str(path))
            report.sources.append(source)
            reporter.begin(f"{loader.FORMAT} {path.name}")
            source_started = time.perf_counter()
            if _empty(path):
                source.skipped[EMPTY] += 1
                reporter.message(f"skipped {path}: empty file (0 bytes)")
            else:
                records = _limited(loader.read(path), limit)
                _ingest_source(
                    library, records, source, run_id, batch_size, seen, reporter, messages
                )
            source.seconds = time.perf_counter() - source_started
            reporter.end()
        report.outcome = WITH_ERRORS if report.file_errors() else COMPLETE
    except KeyboardInterrupt:
        report.outcome = "interrupted"
        raise IngestInterrupted(report) from None
    except BaseException:
        report.outcome = "failed"
        raise
    finally:
        reporter.end()
        report.seconds = time.perf_counter() - started
        messages.close()
        library.finish_run(run_id, report.outcome, report.totals())
    return report


def _ingest_source(
    library: Library,
    records: Iterable[LoadedDocument | Skipped],
    source: SourceReport,
    run_id: int,
    batch_size: int,
    seen: set[str],
    reporter: Reporter,
    messages: _MessageBudget,
) -> None:
    batch: list[LoadedDocument] = []
    try:
        for record in records:
            if isinstance(record, Skipped):
                source.skipped[MALFORMED if record.malformed else record.reason] += 1
                if record.malformed:
                    messages.emit(f"skipped {record.where}: {record.reason}")
                reporter.advance(0, 1)
                continue
            if record.document.id in seen:
                source.skipped[DUPLICATE] += 1
                messages.emit(
                    f"skipped {Path(source.path).name}: duplicate id {record.document.id}"
                )
                continue
            seen.add(record.document.id)
            batch.append(record)
            if len(batch) >= batch_size:
                _flush(library, batch, source, run_id, reporter)
    except SourceError as exc:
        # An unreadable file is counted and said (always, whatever the message budget); the
        # run goes on with the next file and ends "completed with errors".
        source.skipped[UNREADABLE] += 1
        reporter.message(f"skipped {exc}")
    _flush(library, batch, source, run_id, reporter)


def _flush(
    library: Library,
    batch: list[LoadedDocument],
    source: SourceReport,
    run_id: int,
    reporter: Reporter,
) -> None:
    if not batch:
        return
    result = library.write_batch(batch, run_id)
    source.added += result.added
    source.updated += result.updated
    source.unchanged += result.unchanged
    reporter.advance(len(batch), 0)
    batch.clear()


def _empty(path: Path) -> bool:
    """A 0-byte file; one that cannot even be stat'ed is left to its loader to report."""
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _limited(
    records: Iterable[LoadedDocument | Skipped], limit: int | None
) -> Iterable[LoadedDocument | Skipped]:
    if limit is None:
        yield from records
        return
    taken = 0
    for record in records:
        if taken >= limit:
            return
        taken += isinstance(record, LoadedDocument)
        yield record


class _MessageBudget:
    """Print the first `limit` malformed-record lines, then only count the rest."""

    def __init__(self, reporter: Reporter, limit: int) -> None:
        self.reporter = reporter
        self.limit = limit
        self.suppressed = 0

    def emit(self, line: str) -> None:
        if self.limit > 0:
            self.limit -= 1
            self.reporter.message(line)
        else:
            self.suppressed += 1

    def close(self) -> None:
        if self.suppressed:
            self.reporter.message(f"... {self.suppressed} more skipped-record messages not shown")
