"""A small real-format library, built once per test module from the loader fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import write_cochrane
from medoracle.corpus.service import ingest_paths
from medoracle.retrieve.search import Retriever
from medoracle.retrieve.service import open_retriever
from medoracle.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "corpus" / "fixtures"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, data_dir=None)
    ingest_paths(settings, "ngc", [FIXTURES / "ngc"])
    ingest_paths(settings, "medquad", [FIXTURES / "medquad"])
    ingest_paths(settings, "cochrane", [write_cochrane(home / "reviews.jsonl", 40)])
    return settings


@pytest.fixture(scope="module")
def retriever(settings: Settings) -> Iterator[Retriever]:
    yield open_retriever(settings, dense=False, understand=False)
