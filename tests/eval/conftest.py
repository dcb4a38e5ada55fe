"""A fixed library for the eval tests: every real-format loader fixture in a tmp home, read
with no data folder and a cache of its own, in a fixed year, so what is measured on it does
not depend on `../shared/data`, the user's caches or the calendar."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path

import pytest

from medoracle.answer.service import Answerer
from medoracle.corpus.service import ingest_paths
from medoracle.retrieve.service import open_retriever
from medoracle.settings import Settings

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "corpus" / "fixtures"
# Every loader fixture: 25 documents, 60 passages.
SOURCES = (
    ("ngc", TESTS / "answer" / "fixtures" / "ngc_invented.jsonl"),
    ("ngc", FIXTURES / "ngc"),
    ("medquad", FIXTURES / "medquad"),
    ("medquad-judged", FIXTURES / "medquad_judged"),
    ("cochrane", FIXTURES / "cochrane"),
    ("pubmedqa", FIXTURES / "pubmedqa"),
    ("bioasq", FIXTURES / "bioasq"),
    ("evidence-inference", FIXTURES / "evidence_inference"),
    ("pubmed-xml", FIXTURES / "pubmed"),
)
YEAR = 2025  # recency weighs sources by their age: "now" is fixed for pinned figures


class _FixedYear(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _FixedYear:
        return cls(YEAR, 6, 1, tzinfo=tz)


@pytest.fixture(scope="module")
def fixed_answerer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answerer]:
    """An answerer (lexical search with question understanding, no dense index) over the
    fixture library; every loaded medoracle module reads the year as `YEAR` while the tests
    of the module that asked for it run, and only then: a session-long patch would freeze
    every later test's clock (timestamps that must move on never would)."""
    home = tmp_path_factory.mktemp("fixed")
    (home / "no-data").mkdir()
    settings = Settings(home=home, data_dir=home / "no-data", cache_dir=home / "cache")
    for name, path in SOURCES:
        ingest_paths(settings, name, [path])
    with pytest.MonkeyPatch.context() as patch:
        for module_name, module in list(sys.modules.items()):
            if (
                module_name.startswith("medoracle.")
                and getattr(module, "datetime", None) is datetime
            ):
                patch.setattr(module, "datetime", _FixedYear)
        retriever = open_retriever(settings, dense=False, understand=True)
        yield Answerer(settings, retriever, "fixed")
