"""One loader per source format; `get_loader` maps a format name to its module.

Each module exposes `FORMAT`, `CORPUS`, `FILES` and `read(path)`; see `_common` for the
contract. Modules import lazily so that `medoracle ingest bioasq ...` loads nothing else.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from medoracle.corpus.loaders._common import Skipped
from medoracle.corpus.models import LoadedDocument
from medoracle.errors import SourceError, UnknownFormatError

__all__ = ["FORMATS", "Loader", "Skipped", "get_loader", "resolve_files"]

# format name on the command line -> module under medoracle.corpus.loaders
FORMATS: dict[str, str] = {
    "ngc": "ngc",
    "cochrane": "cochrane",
    "evidence-inference": "evidence_inference",
    "pubmedqa": "pubmedqa",
    "bioasq": "bioasq",
    "medquad": "medquad",
    "medquad-judged": "medquad_judged",
    "pubmed-xml": "pubmed_xml",
    "dailymed-spl": "dailymed_spl",
    "document": "document",
}


class Loader(Protocol):
    FORMAT: str
    CORPUS: str
    FILES: tuple[str, ...]

    def read(self, path: Path) -> Iterator[LoadedDocument | Skipped]: ...


def get_loader(name: str) -> Loader:
    """The loader module for `name`; raises `UnknownFormatError` naming the valid choices."""
    if name not in FORMATS:
        choices = ", ".join(sorted(FORMATS))
        raise UnknownFormatError(f"unknown format {name!r}; expected one of: {choices}")
    module: ModuleType = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    return cast(Loader, module)


def resolve_files(loader: Loader, path: Path) -> list[Path]:
    """A file stands for itself; a directory stands for the loader's files inside it."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise SourceError(f"{path}: no such file or directory")
    found = sorted({hit for pattern in loader.FILES for hit in path.glob(pattern)})
    if not found:
        patterns = ", ".join(loader.FILES)
        raise SourceError(f"{path}: no {loader.FORMAT} files found (expected {patterns})")
    return found
