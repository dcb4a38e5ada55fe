"""The verifier's fit and measure on HealthVer (`eval.verifier`, `eval.fitting`): the
fitting maths on invented data, the plain entry points on a tiny HealthVer-format file, and
the real split where `../shared/data` is present."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medoracle.cite.verify import Verifier
from medoracle.errors import ConfigError
from medoracle.eval.fitting import average_precision, choose_floor, fit_logistic, pr_curve
from medoracle.eval.verifier import compare_verifier, evaluate_verifier, load_pairs, tune_verifier
from medoracle.settings import Settings, default_data_dir

PAIRS = [  # split, claim, evidence, label
    ("dev", "Vitamin D lowers infection risk.", "Vitamin D lowers infection risk in adults.",
     "Supports"),
    ("dev", "Masks reduce spread.", "Masks reduced spread in households.", "Supports"),
    ("dev", "Zinc cures the disease.", "Zinc had no effect on recovery.", "Refutes"),
    ("dev", "The virus came from a laboratory.", "The infection began in 2019.", "Neutral"),
    ("test", "Handwashing reduces infection.", "Handwashing reduced infection.", "Supports"),
    ("test", "Garlic prevents infection.", "Garlic was not studied here.", "Neutral"),
]  # fmt: skip


@pytest.fixture
def tiny_healthver(tmp_path: Path) -> Path:
    folder = tmp_path / "healthver"
    folder.mkdir()
    lines = [
        json.dumps({"split": split, "claim": claim, "evidence": evidence, "label": label})
        for split, claim, evidence, label in PAIRS
    ]
    (folder / "healthver_dev_test.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return tmp_path


def test_fit_logistic_respects_lower_bounds() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((400, 2))
    y = (x[:, 0] + 0.1 * rng.standard_normal(400) > 0.5).astype(np.float64)
    _, free = fit_logistic(x, y, [0.0, 0.0])
    _, bounded = fit_logistic(x, y, [0.0, 3.0])
    assert free[0] > 2.0 and free[1] < 1.0
    assert bounded[1] == pytest.approx(3.0)


def test_choose_floor_takes_the_most_recall_at_the_precision() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = np.array([True, True, False, True, False, False])
    assert choose_floor(scores, labels, 0.75, min_recall=0.0) == (0.6, True)
    assert choose_floor(scores, labels, 0.99, min_recall=0.5) == (0.8, True)
    assert choose_floor(scores, labels, 1.1, min_recall=0.0) == (0.9, False)


def test_curve_and_average_precision() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    labels = np.array([True, False, True, False])
    assert average_precision(scores, labels) == pytest.approx((1 + 2 / 3) / 2)
    assert pr_curve(scores, labels, recalls=(0.5, 1.0)) == [
        {"recall": 0.5, "precision": 1.0, "floor": 0.9},
        {"recall": 1.0, "precision": 0.6667, "floor": 0.7},
    ]


def test_compare_and_tune_return_reports(tiny_healthver: Path, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", data_dir=None)
    compared = compare_verifier(settings, encoders=["none"], split="test", data_dir=tiny_healthver)
    assert list(compared) == ["none"]
    assert compared["none"]["pairs"] == 2 and compared["none"]["supports"] == 1
    tuned = tune_verifier(  # write=False: the packaged verify.toml stays as it is
        settings, encoders=["none"], data_dir=tiny_healthver, default_encoder="none", write=False
    )
    assert tuned["evidence"] in ("sentences", "whole")
    assert set(tuned["models"]) == {"none"}


def test_entry_points_refuse_bad_input_before_loading(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", data_dir=None)
    with pytest.raises(ConfigError, match="unknown encoder"):
        compare_verifier(settings, encoders=["bert"], data_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown split"):
        compare_verifier(settings, split="train", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="default encoder"):
        tune_verifier(settings, encoders=["none", "minilm"], data_dir=tmp_path)
    with pytest.raises(ConfigError, match="HealthVer"):
        tune_verifier(settings, encoders=["none"], default_encoder="none", data_dir=tmp_path)


@pytest.fixture
def healthver() -> Path:
    data = default_data_dir()
    if data is None or not (data / "healthver" / "healthver_dev_test.jsonl").is_file():
        pytest.skip("HealthVer not found (needs ../shared/data/healthver beside the project)")
    return data


def test_healthver_splits_load(healthver: Path) -> None:
    dev, test = load_pairs(healthver, "dev"), load_pairs(healthver, "test")
    assert (len(dev), len(test)) == (1917, 1823)
    assert sum(p.supports for p in test) == 671
    assert all(p.quotes for p in test)


def test_healthver_test_precision_without_encoder(healthver: Path) -> None:
    # Pins what word-level signals reach on HealthVer test at the fitted floor (precision
    # 0.49, recall 0.10); the 0.80 precision target is not reached (see
    # medoracle.eval.verifier), so this guards against regressions only. Its speed
    # (`ms_per_pair`) is a measurement, reported by `medoracle eval verifier`, not a test.
    report = evaluate_verifier(healthver, None, "test")
    base_rate = report["supports"] / report["pairs"]
    assert report["pairs"] == 1823 and report["floor"] == Verifier().floor
    assert report["precision"] >= base_rate + 0.08
    assert report["recall"] >= 0.05
