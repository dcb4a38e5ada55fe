"""What every loader shares: reading JSONL safely and turning drafts into passages.

A loader is a module with `FORMAT` (its name on the command line), `CORPUS` (the corpus
name stored on its documents), `FILES` (glob patterns that find its files inside a
directory) and `read(path) -> Iterator[LoadedDocument | Skipped]`. A file that cannot be
read at all raises `SourceError`; a broken record is yielded as `Skipped(malformed=True)`
and the loader goes on.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

from pydantic import ValidationError

from medoracle.corpus.models import Audience, LoadedDocument, Passage, PassageKind
from medoracle.corpus.text import chunk_text, clean_text, split_sentences
from medoracle.errors import SourceError

__all__ = [
    "PassageDraft",
    "Skipped",
    "build_passages",
    "iter_jsonl",
    "open_text",
    "read_records",
    "safe_load",
]

MAX_PASSAGE_CHARS = 1200
# No dataset nests deeper than a few levels; a record deeper than this is refused before a
# converter (or str(), or pydantic) can recurse into it and hit Python's recursion limit.
MAX_DEPTH = 64


class Skipped(NamedTuple):
    """A record the loader did not turn into a document, and why."""

    where: str  # "file:line" or "file#record-id"
    reason: str
    malformed: bool = True  # False for expected skips, e.g. answers removed for copyright


class PassageDraft(NamedTuple):
    section: str
    text: str
    kind: PassageKind = PassageKind.OTHER
    grade: str | None = None
    strength: str | None = None
    audience: Audience = Audience.CLINICIAN
    max_chars: int = MAX_PASSAGE_CHARS


def open_text(path: Path) -> IO[str]:
    """Open a plain or gzipped text file by content, not by name."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def iter_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any] | Skipped]]:
    """Yield `(where, record)` per line; a line that is not a JSON object of at most
    MAX_DEPTH levels is `Skipped`, whatever its shape."""
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                where = f"{path.name}:{number}"
                if line.strip():
                    yield where, _parse(where, line)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: unreadable or truncated ({exc})") from None


def _parse(where: str, line: str) -> dict[str, Any] | Skipped:
    if line.count("[") + line.count("{") > MAX_DEPTH and _deeper_than(line, MAX_DEPTH):
        # Checked on the text: json.loads itself overflows the stack on '[' * 100000.
        return Skipped(where, f"nested deeper than {MAX_DEPTH} levels")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Skipped(where, f"not valid JSON ({exc.msg})")
    except ValueError as exc:  # an integer of over 4300 digits: its first clause says so
        return Skipped(where, f"not usable JSON ({str(exc).partition(':')[0]})")
    if not isinstance(record, dict):
        return Skipped(where, "not a JSON object")
    return record


def _deeper_than(line: str, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` deep; brackets
    inside strings do not count."""
    depth = 0
    for token in _STRUCTURE.finditer(line):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


# A JSON string (with its escapes) or one bracket: strings are matched whole, so their
# brackets are skipped (Friedl's "unrolled loop", linear on long strings).
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def build_passages(doc_id: str, drafts: Iterable[PassageDraft]) -> list[Passage]:
    """Clean, chunk and sentence-split drafts into numbered passages; drop empty ones."""
    passages: list[Passage] = []
    for draft in drafts:
        for chunk in chunk_text(clean_text(draft.text), draft.max_chars):
            spans = split_sentences(chunk)
            if not spans:
                continue
            passages.append(
                Passage(
                    doc_id=doc_id,
                    seq=len(passages),
                    section=draft.section,
                    kind=draft.kind,
                    text=chunk,
                    sentences=spans,
                    grade=draft.grade,
                    strength=draft.strength,
                    audience=draft.audience,
                )
            )
    return passages


Converter = Callable[[str, dict[str, Any]], "LoadedDocument | Skipped"]


def safe_load(convert: Converter, where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    """Run `convert(where, record)`; a missing field or invalid value becomes a `Skipped`."""
    try:
        return convert(where, record)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "record"
        return Skipped(where, f"invalid {field}: {first['msg']}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        return Skipped(where, detail or type(exc).__name__)
    except Exception as exc:
        # A record of a shape no converter expects must cost that record, not the run.
        return Skipped(where, f"cannot be converted ({type(exc).__name__}: {exc})")


def read_records(path: Path, convert: Converter) -> Iterator[LoadedDocument | Skipped]:
    """The usual JSONL loader: each line converted by `convert`, bad lines skipped."""
    for where, record in iter_jsonl(path):
        yield record if isinstance(record, Skipped) else safe_load(convert, where, record)
