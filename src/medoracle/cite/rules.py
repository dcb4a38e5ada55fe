"""The verifier's data: `verify.toml` (stop words, units, how models are fitted, and the
fitted models) and `drugs.toml`, validated once, and the model for an encoder. Its negation
cues are the `scope` and `post` subsets of the one vocabulary, `medoracle.cite.negation`.

The hand-written rules sit above the "fitted" marker of `verify.toml`; everything below it is
written by `medoracle eval verifier-fit` (see `medoracle.cite.verify`).
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from medoracle.embed.encoders import Encoder

__all__ = ["DEFAULT_FLOOR", "Model", "Rules", "model_for", "rules"]


class Model(BaseModel):
    """A fitted logistic model: score = sigmoid(bias + sum of weight x signal)."""

    model_config = ConfigDict(extra="forbid")

    bias: float
    floor: float = Field(ge=0, le=1, description="lowest score a shown statement may have")
    weights: dict[str, float] = Field(description="weight per signal name; absent means 0")

    def score(self, values: dict[str, float]) -> float:
        z = self.bias + sum(w * values.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


class _Units(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aliases: dict[str, list[str]] = Field(description="canonical unit -> its spellings")
    scale: dict[str, tuple[str, float]] = Field(description="unit -> (base unit, factor)")


class _Drugs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    min_length: int = Field(ge=3)
    suffixes: tuple[str, ...]
    exceptions: frozenset[str]
    names: frozenset[str]


class _Fit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lower: dict[str, float] = Field(description="least weight per signal (default 0)")
    l2: float = Field(ge=0, description="L2 penalty on the weights")
    min_precision: float = Field(ge=0, le=1, description="dev precision the floor must reach")
    margin: float = Field(ge=0, le=0.2, description="added to min_precision on dev")


class _Fitted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_encoder: str = Field(description="encoder family whose floor is DEFAULT_FLOOR")
    evidence: str = Field(description="HealthVer evidence as quotes: sentences or whole")
    models: dict[str, Model] = Field(description='"none" and one model per encoder family')


class Rules(BaseModel):
    """The validated contents of `verify.toml` (with `drugs.toml` as `drugs`)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    stop_words: frozenset[str]
    units: _Units
    drugs: _Drugs
    fit: _Fit
    fitted: _Fitted

    def is_drug(self, word: str) -> bool:
        """A drug name: listed, or long enough, with an INN stem and not an exception."""
        drugs = self.drugs
        if word in drugs.names:
            return True
        if len(word) < drugs.min_length or word in drugs.exceptions:
            return False
        return word.endswith(drugs.suffixes)


@cache
def rules() -> Rules:
    """The verifier's rules and models, read once from the package data."""
    files = resources.files("medoracle.cite")
    raw = tomllib.loads(files.joinpath("verify.toml").read_text("utf-8"))
    raw["drugs"] = tomllib.loads(files.joinpath("drugs.toml").read_text("utf-8"))
    return Rules.model_validate(raw)


def model_for(encoder: Encoder | None) -> Model:
    """The fitted model for an encoder: by its name ("static-256"), then its family
    ("static"), else the default encoder's; "none" when there is no encoder."""
    fitted = rules().fitted
    if encoder is None:
        return fitted.models["none"]
    family = encoder.name.split("-")[0]
    default = fitted.models[fitted.default_encoder]
    return fitted.models.get(encoder.name) or fitted.models.get(family) or default


#: The floor of the default encoder's model, tuned on HealthVer dev.
DEFAULT_FLOOR: float = rules().fitted.models[rules().fitted.default_encoder].floor
