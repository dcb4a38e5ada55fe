"""A terminal progress bar for ingest: documents, skips, rate and elapsed time, on stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["RichReporter"]


class RichReporter:
    """Implements `medoracle.corpus.ingest.Reporter` with one progress line per source."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<36}"),
            TextColumn("{task.completed:>9,.0f} docs"),
            TextColumn("{task.fields[skipped]:>7,} skipped"),
            TextColumn("{task.fields[rate]:>8,.0f} docs/s"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.task: TaskID | None = None

    def begin(self, label: str) -> None:
        # Off a terminal (CI, pipes) live bars only add noise; the summary says it all.
        if not self.console.is_terminal:
            return
        if not self.progress.live.is_started:
            self.progress.start()
        self.task = self.progress.add_task(label, total=None, skipped=0, rate=0.0)

    def advance(self, documents: int, skipped: int) -> None:
        if self.task is None:
            return
        task = self.progress.tasks[self.task]
        elapsed = task.elapsed or 0.0
        done = task.completed + documents
        self.progress.update(
            self.task,
            advance=documents,
            skipped=task.fields["skipped"] + skipped,
            rate=done / elapsed if elapsed > 0 else 0.0,
        )

    def message(self, line: str) -> None:
        self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def end(self) -> None:
        if self.task is not None:
            self.progress.stop_task(self.task)
            self.task = None

    def close(self) -> None:
        self.end()
        self.progress.stop()
