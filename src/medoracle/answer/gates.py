"""Whether a sentence of the evidence is about what was asked: the focus (by name, by its
source, or by class for a drug's harms), not a sibling condition ("hospital-acquired
pneumonia" on a page about CAP), not another age group, not another organ's complaint, the
drugs asked about, and a dose that is the asked drug's own. Each test reads matching keys
(`medoracle.query.focus.names_in`), never the library.
"""

from __future__ import annotations

import re

from medoracle.answer.pages import PageSpec
from medoracle.query.analysis import QuestionAnalysis
from medoracle.query.asks import Ask
from medoracle.query.focus import FocusTerm, names_in
from medoracle.query.mesh import mesh_key
from medoracle.query.presentations import presentations
from medoracle.retrieve.evidence import EvidenceDocument

__all__ = [
    "about_elsewhere",
    "about_focus",
    "dose_of_another",
    "names_drugs",
    "other_manifestations",
    "other_population",
]

_ABOUT_A_DRUG = (Ask.PREVENTION, Ask.YES_NO, Ask.COMPARISON)
# Age groups that exclude each other: a sentence only about children does not answer a
# question about adults.
_YOUNG = re.compile(
    r"\b(?:child|children|childhood|paediatric|pediatric|infants?|neonat\w*|newborns?|"
    r"toddlers?|babies|baby|adolescents?|teenagers?|school[- ]age\w*)\b",
    re.IGNORECASE,
)
_GROWN = re.compile(r"\b(?:adults?|men|elderly|older (?:adults|people|patients)|aged \d\d)\b")


def dose_of_another(drug: FocusTerm, text: str, page: PageSpec, drug_words: frozenset[str]) -> bool:
    """Whether the first dose a sentence gives is another drug's: the last drug it names
    before the dose is not the one asked ("if allergic to amoxicillin, azithromycin
    30 mg/kg" on an amoxicillin dose page)."""
    dose = next((m for cue in page.bottom if (m := cue.search(text))), None)
    if dose is None:
        return False
    words = names_in(text[: dose.start()]).split()
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i] in drug_words), None)
    if last is None:
        return False
    return not drug.named_in(f" {' '.join(words[last:])} ")


def other_manifestations(analysis: QuestionAnalysis) -> tuple[str, ...]:
    """When the question names a complaint of one organ ("leg weakness in SLE"), the words
    of the other organs' complaints (`presentations.toml`, focus entries): a sentence about
    lupus nephritis is not about lupus with leg weakness."""
    asked = {name for t in analysis.focus if t.kind == "symptom" for name in t.names}
    if not asked:
        return ()
    others = {
        mesh_key(term)
        for presentation in presentations()
        if presentation.focus
        for term in presentation.terms
    }
    return tuple(sorted(others - asked))


def about_elsewhere(analysis: QuestionAnalysis, others: tuple[str, ...], key: str) -> bool:
    """The sentence names another organ's complaint (`others`) and no complaint asked."""
    if not others or not any(f" {name} " in key for name in others):
        return False
    return not any(t.named_in(key) for t in analysis.focus if t.kind == "symptom")


def other_population(analysis: QuestionAnalysis, key: str) -> bool:
    """The sentence is about another age group than the one asked about, and not this one."""
    asked = {p.name for p in analysis.populations}
    young = bool(asked & {"children", "infants", "adolescents"})
    grown = bool(asked & {"adults", "older adults"})
    if young == grown:  # none asked, or both
        return False
    names_young = bool(_YOUNG.search(key))
    names_grown = bool(_GROWN.search(key))
    return (names_grown and not names_young) if young else (names_young and not names_grown)


def about_focus(
    main: FocusTerm | None,
    document: EvidenceDocument,
    key: str,
    passage_key: str,
    by_class: bool = False,
) -> bool:
    """The source is about the focus, or the sentence names it (a drug by its class too,
    with `by_class`). A question with no named subject ("term" focus) needs the words
    nearby."""
    if main is None:
        return True
    if main.kind == "term":
        return main.named_in(key) or main.named_in(passage_key) or document.focus > 0
    if main.named_in(key):
        return True
    if by_class and main.kind == "drug" and main.broadly_named_in(key):
        return True
    if _sibling(main, key):  # "hospital-acquired pneumonia" on a page about CAP
        return False
    if not document.titled and main.named_in(passage_key):
        return True  # an abstract with no title: its own text says what it is about
    if document.focus >= 1.0:
        # A guideline, review or patient page named for the focus is about it throughout; a
        # study naming it in its title may be about something else in it, so its passage
        # must name the focus too.
        return document.level <= 2 or document.patient or main.named_in(passage_key)
    return document.focus >= 0.5 and main.broadly_named_in(key)


# Words that may stand before a broader name without making it another condition.
_NEUTRAL = frozenset(
    "a an the of with for and or in to on by from at as is are was were had has have without "
    "severe mild moderate low high severity acute chronic suspected confirmed possible "
    "probable uncomplicated complicated recurrent early late adult adults child children "
    "patients patient people women men elderly older young treated untreated".split()
)


def _sibling(main: FocusTerm, key: str) -> bool:
    """Whether the sentence names a different kind of the focus's broader condition and not
    the focus itself: "ventilator associated pneumonia" when CAP is asked about."""
    names = [f" {name}" for name in main.names]
    for broader in main.broader:
        start = key.find(f" {broader} ")
        while start >= 0:
            before = key[:start].split()[-2:]
            if before and before[-1] not in _NEUTRAL:
                phrase = " ".join([*before, broader])
                if not any(n.endswith(f" {phrase}") or n == f" {phrase}" for n in names):
                    return True
            start = key.find(f" {broader} ", start + 1)
    return False


def names_drugs(analysis: QuestionAnalysis, key: str, passage_key: str, doc_key: str) -> bool:
    """A dose, harm or interaction page is about the drugs asked: each must be named in the
    sentence, its passage or its source's title. A prevention, yes/no or comparison question
    naming a drug ("should I take aspirin to prevent...") is about it too: its passage or
    source must name it."""
    if not analysis.drugs:
        return True
    nearby = f"{key} {passage_key} {doc_key}"

    def near(drug: FocusTerm, text: str) -> bool:  # by name, or by class ("statins")
        return drug.named_in(text) or drug.broadly_named_in(text)

    if analysis.ask in _ABOUT_A_DRUG:
        return any(near(d, nearby) for d in analysis.drugs)
    if analysis.ask is Ask.DOSE:  # a dose is the dose of the drug itself
        return analysis.drugs[0].named_in(nearby)
    if analysis.ask is Ask.ADVERSE_EFFECTS:
        return near(analysis.drugs[0], nearby) and near(analysis.drugs[0], f"{key} {doc_key}")
    if analysis.ask is not Ask.INTERACTIONS:
        return True
    # An interaction: two of the drugs (one, when only one is named) nearby, one of them
    # in the sentence itself.
    named = [d for d in analysis.drugs if near(d, nearby)]
    return len(named) >= min(2, len(analysis.drugs)) and any(near(d, key) for d in named)
