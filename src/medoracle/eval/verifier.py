"""HealthVer as a supports / not-supports test of the statement verifier, and the fit of the
verifier's weights and floor on its dev split.

HealthVer (Sarrouti et al. 2021, "Evidence-based Fact-Checking of Health-related Claims",
Findings of EMNLP, https://aclanthology.org/2021.findings-emnlp.297/) pairs a health claim
with a scientific abstract passage, labelled Supports, Refutes or Neutral. Here the claim is
the statement, the passage its quotes (split into sentences, or whole: `tune` picks on dev),
and the label Supports is the positive class. Claims are lay paraphrases (on dev, a
Supports claim has 24% of its content words in the evidence, a Refutes claim 23%, a
Neutral one 15%), so this is far harder than checking the composer's extracted statements,
and word-level signals without inference separate Supports from Refutes poorly.

`tune` fits one logistic model per encoder on dev only: the weights by L2-regularised
maximum likelihood under the lower bounds in `verify.toml` `[fit]` (every signal may only
raise support; a number, negation or drug mismatch keeps a strong weight even where
HealthVer rarely shows one), then the floor with the most dev recall at a precision of at
least `min_precision` plus `margin`, or, where no floor reaches it, the floor of highest dev
precision (see `medoracle.eval.fitting.choose_floor`, where the fitting maths live).

Entry points: `evaluate_verifier` (one encoder, what `medoracle eval verifier` runs),
`compare_verifier` (several encoders on one split) and `tune_verifier` (fit and write),
plain functions that return the report as a dict.

Measured (evidence whole, at each model's fitted floor; test precision / recall): no encoder
0.49 / 0.10, static 0.52 / 0.06, MiniLM 0.65 / 0.06, against a base rate of 0.37. The 0.80
precision target is not reached: the best test precision at 5% recall is 0.77 (MiniLM).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from medoracle.cite.rules import Model, rules
from medoracle.cite.verify import SIGNALS, Verifier
from medoracle.corpus.text import split_sentences
from medoracle.embed.encoders import Encoder
from medoracle.errors import ConfigError
from medoracle.eval.fitting import (
    average_precision,
    choose_floor,
    fit_logistic,
    logistic_scores,
    pr_curve,
    precision_recall,
)
from medoracle.settings import Settings

__all__ = [
    "ENCODER_KINDS",
    "EVIDENCE_MODES",
    "HEALTHVER",
    "Pair",
    "compare_verifier",
    "evaluate_verifier",
    "load_pairs",
    "tune",
    "tune_verifier",
]

HEALTHVER = Path("healthver") / "healthver_dev_test.jsonl"
#: How a HealthVer evidence passage becomes quotes.
EVIDENCE_MODES = ("sentences", "whole")
#: The verifier's embedding signal: none, the distilled static encoder, or MiniLM.
ENCODER_KINDS = ("none", "static", "minilm")
_FITTED_MARKER = "# ---- fitted:"
_FITTED_NOTE = "everything below is written by `medoracle.eval.verifier.tune` ----"


class Pair(NamedTuple):
    statement: str
    quotes: tuple[str, ...]
    supports: bool


def evidence_quotes(evidence: str, mode: str) -> tuple[str, ...]:
    """The evidence passage as quotes: its sentences, or the passage whole."""
    if mode not in EVIDENCE_MODES:
        raise ValueError(f"unknown evidence mode {mode!r}; choose one of {EVIDENCE_MODES}")
    text = evidence.strip()
    if mode == "whole":
        return (text,) if text else ()
    return tuple(text[start:end] for start, end in split_sentences(text))


def load_pairs(data_dir: Path, split: str, *, evidence: str = "sentences") -> list[Pair]:
    """HealthVer pairs of one split ("dev" or "test") from `data_dir`."""
    if split not in ("dev", "test"):
        raise ConfigError(f"unknown split {split!r}; expected dev or test")
    path = data_dir / HEALTHVER
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read HealthVer at {path}: {exc}") from None
    records = (json.loads(line) for line in lines if line.strip())
    return [
        Pair(r["claim"].strip(), evidence_quotes(r["evidence"], evidence), r["label"] == "Supports")
        for r in records
        if r["split"] == split
    ]


def _features(
    verifier: Verifier, pairs: Sequence[Pair]
) -> tuple[list[str], NDArray[np.float64], float]:
    """Signal matrix (pairs x signals) and the milliseconds per pair it took."""
    started = time.perf_counter()
    supports = verifier.score_many([(p.statement, p.quotes) for p in pairs])
    ms = (time.perf_counter() - started) * 1000 / max(1, len(pairs))
    names = [name for name in SIGNALS if name in supports[0].signals] if supports else []
    matrix = np.array([[s.signals[name] for name in names] for s in supports], dtype=np.float64)
    return names, matrix.reshape(len(supports), len(names)), ms


def evaluate_verifier(
    data_dir: Path, encoder: Encoder | None, split: str = "test", floor: float | None = None
) -> dict[str, Any]:
    """Precision, recall, F1 and accuracy of "supports" on a HealthVer split, at `floor`
    (default: the fitted floor of the encoder's model), with the precision-recall curve."""
    verifier = Verifier(encoder)
    pairs = load_pairs(data_dir, split, evidence=rules().fitted.evidence)
    started = time.perf_counter()
    scores = np.array(
        [s.score for s in verifier.score_many([(p.statement, p.quotes) for p in pairs])]
    )
    ms = (time.perf_counter() - started) * 1000 / max(1, len(pairs))
    labels = np.array([p.supports for p in pairs], dtype=bool)
    used = verifier.floor if floor is None else floor
    metrics = precision_recall(scores, labels, used)
    return {
        "dataset": "healthver",
        "split": split,
        "pairs": len(pairs),
        "supports": int(labels.sum()),
        "floor": round(used, 4),
        **{name: round(value, 4) for name, value in metrics.items()},
        "ms_per_pair": round(ms, 3),
        "encoder": "none" if encoder is None else encoder.name,
        "evidence": rules().fitted.evidence,
        "curve": pr_curve(scores, labels),
    }


def _fit_one(encoder: Encoder | None, pairs: Sequence[Pair]) -> tuple[Model, dict[str, Any]]:
    """The model fitted on dev `pairs` for one encoder, and its dev figures."""
    fit = rules().fit
    names, features, ms = _features(Verifier(encoder), pairs)
    labels = np.array([p.supports for p in pairs], dtype=bool)
    lower = [fit.lower.get(name, 0.0) for name in names]
    bias, weights = fit_logistic(features, labels.astype(np.float64), lower, l2=fit.l2)
    scores = logistic_scores(bias, weights, features)
    floor, reached = choose_floor(scores, labels, fit.min_precision + fit.margin)
    model = Model(
        bias=round(bias, 4),
        floor=round(floor, 4),
        weights={name: round(float(w), 4) for name, w in zip(names, weights, strict=True)},
    )
    report = {
        "dev_ap": round(average_precision(scores, labels), 4),
        "dev": {k: round(v, 4) for k, v in precision_recall(scores, labels, floor).items()},
        "precision_target_reached": reached,
        "ms_per_pair": round(ms, 3),
        "curve": pr_curve(scores, labels),
    }
    return model, report


def tune(
    data_dir: Path,
    encoders: Mapping[str, Encoder | None],
    *,
    default_encoder: str = "static",
    write: bool = True,
) -> dict[str, Any]:
    """Fit a model per encoder (keys: "none", "static", "minilm") on HealthVer dev only,
    for each evidence mode; keep the mode with the higher mean dev average precision and,
    when `write`, replace the fitted part of `verify.toml` with it (so tune every encoder
    the package should keep a model for)."""
    if default_encoder not in encoders:
        raise ConfigError(f"default encoder {default_encoder!r} is not among those tuned")
    results: dict[str, dict[str, tuple[Model, dict[str, Any]]]] = {}
    for mode in EVIDENCE_MODES:
        pairs = load_pairs(data_dir, "dev", evidence=mode)
        results[mode] = {key: _fit_one(encoder, pairs) for key, encoder in encoders.items()}
    mean_ap = {
        mode: sum(report["dev_ap"] for _, report in fitted.values()) / len(fitted)
        for mode, fitted in results.items()
    }
    evidence = max(mean_ap, key=lambda mode: mean_ap[mode])
    chosen = results[evidence]
    if write:
        _write_fitted(evidence, default_encoder, {key: model for key, (model, _) in chosen.items()})
    return {
        "evidence": evidence,
        "mean_dev_ap": mean_ap,
        "default_encoder": default_encoder,
        "models": {key: {"model": m.model_dump(), **report} for key, (m, report) in chosen.items()},
    }


def _write_fitted(evidence: str, default_encoder: str, models: Mapping[str, Model]) -> None:
    """Rewrite the part of `verify.toml` below the fitted marker (the rules above stay)."""
    path = Path(str(resources.files("medoracle.cite").joinpath("verify.toml")))
    text = path.read_text("utf-8")
    head = text[: text.index(_FITTED_MARKER)]
    lines = [
        f"{_FITTED_MARKER} {_FITTED_NOTE}",
        "[fitted]",
        f'default_encoder = "{default_encoder}"',
        f'evidence = "{evidence}"',
    ]
    for key, model in models.items():
        weights = ", ".join(f"{name} = {value!r}" for name, value in model.weights.items())
        lines += [
            "",
            f"[fitted.models.{key}]",
            f"bias = {model.bias!r}",
            f"floor = {model.floor!r}",
            f"weights = {{ {weights} }}",
        ]
    path.write_text(head + "\n".join(lines) + "\n", "utf-8")
    rules.cache_clear()


def tune_verifier(
    settings: Settings,
    *,
    encoders: Sequence[str] = ENCODER_KINDS,
    data_dir: Path | None = None,
    models_dir: Path | None = None,
    default_encoder: str = "static",
    write: bool = True,
) -> dict[str, Any]:
    """`tune` on HealthVer dev for each encoder kind in `encoders` ("none", "static",
    "minilm"), from `data_dir` (default: the settings' data folder) with static tables in
    `models_dir` (default: `cache_dir/models`); writes `verify.toml` when `write`, with
    `default_encoder` (one of `encoders`) as the verifier's default."""
    if default_encoder not in encoders:
        raise ConfigError(f"default encoder {default_encoder!r} is not among those tuned")
    data, loaded = _inputs(settings, encoders, data_dir, models_dir)
    return tune(data, loaded, default_encoder=default_encoder, write=write)


def compare_verifier(
    settings: Settings,
    *,
    encoders: Sequence[str] = ENCODER_KINDS,
    split: str = "test",
    data_dir: Path | None = None,
    models_dir: Path | None = None,
    floor: float | None = None,
) -> dict[str, Any]:
    """`evaluate_verifier` on a HealthVer split for each encoder kind, keyed by kind."""
    if split not in ("dev", "test"):
        raise ConfigError(f"unknown split {split!r}; expected dev or test")
    data, loaded = _inputs(settings, encoders, data_dir, models_dir)
    return {kind: evaluate_verifier(data, e, split, floor) for kind, e in loaded.items()}


def _inputs(
    settings: Settings,
    encoders: Sequence[str],
    data_dir: Path | None,
    models_dir: Path | None,
) -> tuple[Path, dict[str, Encoder | None]]:
    """The data folder and each named encoder, loaded once; refused before any loading."""
    unknown = [kind for kind in encoders if kind not in ENCODER_KINDS]
    if unknown or not encoders:
        raise ConfigError(f"unknown encoder(s) {unknown}; expected some of {ENCODER_KINDS}")
    data = data_dir or settings.resolved_data_dir()
    if data is None:
        raise ConfigError("no data folder: pass data_dir or set MEDORACLE_DATA_DIR")
    models = models_dir or settings.cache_dir / "models"
    return data, {kind: _load(kind, models) for kind in dict.fromkeys(encoders)}


def _load(kind: str, cache_dir: Path) -> Encoder | None:
    from medoracle.embed.encoders import load_encoder

    return None if kind == "none" else load_encoder(kind, cache_dir)
