"""Fixtures for query understanding: the tiny invented inventories laid out like ../shared/data."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "fixtures"


@pytest.fixture
def query_data(tmp_path: Path) -> Path:
    """A data folder holding the fixtures in the real layout (gzipped JSONL)."""
    root = tmp_path / "data"
    layout = {
        "clinical_abbreviations/abbreviations.jsonl.gz": "abbreviations.jsonl",
        "mesh_tree_2017/mesh_tree_2017.jsonl.gz": "mesh_tree.jsonl",
    }
    for target, source in layout.items():
        path = root / target
        path.parent.mkdir(parents=True)
        path.write_bytes(gzip.compress((HERE / source).read_bytes()))
    return root


@pytest.fixture(scope="session")
def real_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, so the real lexicon is built once."""
    return tmp_path_factory.mktemp("query-cache")
