"""Understand what is asked: the question's focus and its ask, from any wording.

    question -> chat lead-ins out -> spelling against the library and the dictionaries
             -> lay phrases and brand names mapped to the sources' terms
             -> focus: the condition, symptom, drug, procedure or population asked about,
                each with the names sources use for it
             -> ask: treatment, dose, adverse effects, a test, yes or no, ...

`Analyser.analyse` is the one place a question is read; retrieval searches `search_text`,
and the composer keeps only evidence about `focus` that answers `ask`. This module owns the
reading and its result, `QuestionAnalysis`; the focus terms are found in
`medoracle.query.finder` (`FocusTerm` itself in `medoracle.query.focus`), titles written with
`medoracle.query.labels`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medoracle.query.asks import Ask, classify_ask, other_asks
from medoracle.query.consumer import (
    LayMatch,
    Population,
    find_lay_terms,
    find_populations,
    looks_consumer,
    strip_chat,
)
from medoracle.query.entities import EntityDictionary, english_words
from medoracle.query.finder import FocusFinder
from medoracle.query.focus import FocusTerm
from medoracle.query.focus_words import INTENT_WORDS
from medoracle.query.mesh import mesh_key
from medoracle.query.spelling import Correction, Speller
from medoracle.query.understand import ParsedQuery, QueryResources, understand

__all__ = ["DRUG_ASKS", "Analyser", "QuestionAnalysis"]

# Asks about a drug itself: the drug, not the condition it treats, is the page's subject.
DRUG_ASKS = (Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS)


@dataclass(frozen=True)
class QuestionAnalysis:
    original: str
    text: str  # lead-ins out, spelling corrected
    ask: Ask
    consumer: bool
    focus: tuple[FocusTerm, ...]  # the main subject first
    also: tuple[Ask, ...] = ()  # the other asks of a compound question
    unknown: tuple[str, ...] = ()  # things it names that the library never mentions
    populations: tuple[Population, ...] = ()
    corrections: tuple[Correction, ...] = ()
    lay: tuple[LayMatch, ...] = ()
    parsed: ParsedQuery | None = field(default=None, compare=False)

    @property
    def main(self) -> FocusTerm | None:
        return self.focus[0] if self.focus else None

    @property
    def drugs(self) -> tuple[FocusTerm, ...]:
        return tuple(f for f in self.focus if f.kind == "drug")

    @property
    def search_text(self) -> str:
        """What retrieval searches: the cleaned question and the sources' terms for its lay
        phrases and brand names."""
        extra: list[str] = []
        for lay in self.lay:
            extra.extend(lay.terms[:3])
        for term in self.focus:
            if term.kind == "symptom":  # the syndromes behind a complaint
                extra.extend(term.names[1:4])
        for term in self.focus:
            if term.kind == "drug" and term.names and term.names[0] not in mesh_key(self.text):
                extra.append(term.names[0])
        return " ".join(dict.fromkeys([self.text, *extra]))

    def with_context(self, parent: QuestionAnalysis) -> QuestionAnalysis:
        """A follow-up read in its parent's context: the parent's subject when the follow-up
        names none of its own ("What about during pregnancy?"), and both populations."""
        own = [t for t in self.focus if t.kind != "term"]
        focus = tuple(own) if own else parent.focus
        names = {p.name for p in self.populations}
        populations = (*self.populations, *(p for p in parent.populations if p.name not in names))
        return QuestionAnalysis(
            original=self.original,
            text=self.text,
            ask=self.ask,
            also=self.also,
            unknown=self.unknown,
            consumer=self.consumer,
            focus=focus,
            populations=populations,
            corrections=self.corrections,
            lay=self.lay if own else (*self.lay, *parent.lay),
            parsed=self.parsed,
        )

    def treatment(self) -> FocusTerm | None:
        """A treatment the question names beside its condition, when it asks about the
        treatment (its use, timing, dose or evidence) rather than the condition."""
        if self.ask not in _TREATMENT_ASKS:
            return None
        return next((f for f in self.focus[1:4] if f.kind == "procedure"), None)

    def title_subject(self) -> str:
        """The focus as a title names it: "Acute Otitis Media in Children"."""
        main = self.main
        if main is None:
            return ""
        subject = main.label
        others = [f for f in self.focus[1:3] if f.kind in ("drug", "symptom", "lay")]
        if (
            self.ask in (Ask.DOSE, Ask.COMPARISON, Ask.TIMING, Ask.PREVENTION)
            and self.drugs
            and main.kind != "drug"
        ):
            subject = f"{self.drugs[0].label} for {subject}"
        elif main.kind == "drug" and others and others[0].kind != "drug":
            subject = f"{subject} for {others[0].label}"
        elif main.kind == "condition" and others and others[0].kind in ("symptom", "lay"):
            if main.label.lower() in others[0].label.lower():  # "Blood Clot in the Leg"
                subject = others[0].label
            else:
                subject = f"{others[0].label} in {subject}"
        elif main.kind not in ("drug", "procedure") and (treatment := self.treatment()):
            subject = f"{treatment.label} in {subject}"  # "Oxygen Therapy in COPD"
        population = next((p for p in self.populations if p.name not in ("women", "men")), None)
        if (
            population is not None
            and population.name not in subject.lower()
            and " in " not in subject
        ):
            subject = f"{subject} in {population.name.title()}"
        return subject


_TREATMENT_ASKS = (
    Ask.TREATMENT, Ask.TIMING, Ask.DOSE, Ask.YES_NO, Ask.PREVENTION, Ask.ADVERSE_EFFECTS
)  # fmt: skip


class Analyser:
    """Reads questions; holds the dictionaries, the speller and the query resources."""

    def __init__(
        self,
        resources: QueryResources,
        entities: EntityDictionary,
        speller: Speller | None = None,
        library_count: Callable[[str], int] | None = None,
    ) -> None:
        self.resources = resources
        self.entities = entities
        self.speller = speller
        self.library_count = library_count

    @classmethod
    def load(
        cls,
        data_dir: Path | None,
        cache_dir: Path,
        vocabulary: dict[str, int] | None = None,
        library_count: Callable[[str], int] | None = None,
    ) -> Analyser:
        resources = QueryResources.load(data_dir, cache_dir / "query")
        entities = EntityDictionary.open(cache_dir / "query")
        medical = entities.words()
        for word, count in (vocabulary or {}).items():
            medical[word] = medical.get(word, 0) + count
        speller = Speller(medical, english_words(), entities.is_name, library_count)
        return cls(resources, entities, speller, library_count)

    def analyse(self, question: str) -> QuestionAnalysis:
        """Raises ValueError for a question with no visible text (as `understand` does)."""
        stripped = strip_chat(question)
        lay_words = frozenset(w for t in find_lay_terms(stripped) for w in t.words.lower().split())
        text, corrections = (
            self.speller.correct(stripped, lay_words)
            if self.speller is not None
            else (stripped, [])
        )
        parsed = understand(text, self.resources, cooccurs=self.library_count)
        lay = find_lay_terms(text)
        populations = find_populations(text)
        consumer = looks_consumer(question, stripped, lay, len(corrections))
        focus = FocusFinder(self.entities, self.library_count, text).find(parsed, lay, populations)
        drugs = sum(1 for f in focus if f.kind == "drug")
        ask = classify_ask(text, drugs)
        if ask in DRUG_ASKS or (ask is Ask.DOSE and not any(f.kind == "condition" for f in focus)):
            focus = sorted(focus, key=lambda f: f.kind != "drug")
        ask = _no_cue_ask(ask, text, focus)
        return QuestionAnalysis(
            original=question,
            text=text,
            ask=ask,
            also=other_asks(text, ask, drugs),
            consumer=consumer,
            focus=tuple(focus),
            populations=tuple(populations),
            corrections=tuple(corrections),
            lay=tuple(lay),
            parsed=parsed,
            unknown=self._unknown(text, focus),
        )

    def _unknown(self, text: str, focus: list[FocusTerm]) -> tuple[str, ...]:
        """What the question names that no library passage mentions: a drug or procedure
        none of whose names occurs, or a word neither English nor in the library
        ("oropouche", "zurzuvae"). A page cannot answer a question about it."""
        if self.library_count is None:
            return ()
        count = self.library_count
        found = [
            term.label
            for index, term in enumerate(focus)
            if (term.kind in ("drug", "procedure") or (term.kind == "term" and index == 0))
            and not any(count(name) for name in term.names if name)
        ]
        english = english_words()
        claimed = {w for t in focus for n in t.names for w in n.split()}
        for word in dict.fromkeys(mesh_key(text).split()):
            if (
                len(word) >= 5
                and word.isalpha()
                and word not in INTENT_WORDS
                and word not in english
                and word not in claimed
                and not _compound(word, english)
                and count(word) == 0
            ):
                found.append(word)
        return tuple(dict.fromkeys(found))


def _compound(word: str, english: dict[str, int]) -> bool:
    """Whether a word is two common English words run together ("bullseye")."""
    return any(
        english.get(word[:i], 0) > 1_000_000 and english.get(word[i:], 0) > 1_000_000
        for i in range(3, len(word) - 2)
    )


def _no_cue_ask(ask: Ask, text: str, focus: list[FocusTerm]) -> Ask:
    """A consumer's bare complaint ("burning when i pee") asks what to do about it."""
    from medoracle.query.asks import ask_rules

    if any(ask_rules().scores(text).values()):
        return ask
    if focus and focus[0].kind in ("symptom", "lay"):
        return Ask.WHAT_TO_DO
    return ask
