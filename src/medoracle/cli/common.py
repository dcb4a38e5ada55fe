"""What every command shares: one-line errors with their exit codes, progress, reports.

Exit codes: 0 success, 1 a medoracle error (one line on stderr), 2 usage error,
130 interrupted. Tracebacks are shown only with MEDORACLE_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from medoracle.corpus.ingest import IngestInterrupted
from medoracle.corpus.progress import RichReporter
from medoracle.errors import MedoracleError

__all__ = ["errors", "fail", "print_report", "with_progress"]


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"medoracle: error: {message}", err=True)
    sys.exit(code)


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def errors() -> Iterator[None]:
    """Map medoracle's exceptions to one-line messages and exit codes."""
    previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        yield
    except IngestInterrupted as exc:
        click.echo(f"medoracle: {exc}", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("medoracle: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except MedoracleError as exc:
        fail(str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        fail(f"invalid setting {where}: {first['msg']}")
    except Exception as exc:
        if os.environ.get("MEDORACLE_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} (set MEDORACLE_DEBUG=1 for details)")
    finally:
        signal.signal(signal.SIGTERM, previous)


def with_progress(run: Callable[[RichReporter], dict[str, Any]]) -> dict[str, Any]:
    reporter = RichReporter()
    try:
        return run(reporter)
    finally:
        reporter.close()


def print_report(report: dict[str, Any], as_json: bool) -> None:
    """An evaluation report: JSON, or one `key: value` line per entry (nested flattened)."""
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for key, value in report.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items())
            click.echo(f"{key}: {shown}")
        elif isinstance(value, list) and len(value) > 5:
            click.echo(f"{key}: {len(value)} items (see --json)")
        else:
            click.echo(f"{key}: {value}")
