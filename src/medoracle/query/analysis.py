"""Understand what is asked: the question's focus and its ask, from any wording.

    question -> chat lead-ins out -> spelling against the library and the dictionaries
             -> lay phrases and brand names mapped to the sources' terms
             -> focus: the condition, symptom, drug, procedure or population asked about,
                each with the names sources use for it
             -> ask: treatment, dose, adverse effects, a test, yes or no, ...

`Analyser.analyse` is the one place a question is read; retrieval searches `search_text`,
and the composer keeps only evidence about `focus` that answers `ask`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
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
from medoracle.query.entities import EntityDictionary, EntityMatch, english_words
from medoracle.query.mesh import american, mesh_key, natural_order
from medoracle.query.presentations import find_presentations
from medoracle.query.spelling import Correction, Speller
from medoracle.query.understand import ParsedQuery, QueryResources, understand

__all__ = ["Analyser", "FocusTerm", "QuestionAnalysis", "names_in"]

# Kinds of focus, most central first: a question about a condition is about it, whatever
# drug or population it also names.
KIND_ORDER = ("condition", "lay", "symptom", "procedure", "drug", "topic", "term")
# Asks about a drug itself: the drug, not the condition it treats, is the page's subject.
DRUG_ASKS = (Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS)
# Words that narrow a condition and belong in its name ("acute otitis media").
_MODIFIERS = frozenset(
    "acute chronic severe mild moderate recurrent refractory persistent uncomplicated "
    "complicated early advanced metastatic gestational congenital juvenile adult childhood "
    "community-acquired hospital-acquired primary secondary resistant nonvalvular "
    "non-valvular postpartum postoperative neonatal diabetic progressive sudden worsening "
    "new recent frequent ongoing".split()
)
MAX_NAMES = 24
# An English word this common stands for a heading it begins only when it is that heading.
EVERYDAY_WORD = 100_000_000
MAX_NAME_WORDS = 5
# MeSH categories of procedures (E) and of diseases (C, F03) found through the tree file.
_PROCEDURE_TREES = ("E",)
_DISEASE_TREES = ("C", "F03")
# Words that say what kind of answer is wanted, or who asks, never what it is about.
INTENT_WORDS = frozenset(
    """what whats is are was were the a an of in on for to with and or about appropriate best
    correct proper current standard recommended recommendation recommend management manage
    managing managed treatment treatments treat treated treating therapy therapies option
    options approach patient patients person people someone adult adults individual who which
    how should can could would will do does did may might must have has having had experiencing
    medication medications medicine medicines drug drugs used use using given first line new
    latest evidence guideline guidelines know tell explain please me my i you your type types
    kind way need get list role effect effects main common usual typical dose dosage dosing
    side adverse diagnose diagnosed diagnosis test tests testing prognosis outlook prevent
    prevention symptoms signs cause causes causing risk factors when long often time take
    taking safe there this that these those it its they them their he she his her we our
    just really also any some than then into from after before during year years old month
    months week weeks day days difference between versus better compared protein
    wat wot r u ur pls plz thx ty abt bc cuz coz idk im dont cant wont hi hello hey thanks
    doctor doc dr question help tonight today yesterday tomorrow morning night yet now soon
    affects affect really normal okay ok bad good worse not no yes all very more most less
    other such only own same so too but if because as until while at by into through again
    further once anyway still even ever never every everything something anything nothing
    like got confirm confirmed confirms detect detected check checked checking work works
    working helps helping cure cured happen happens mean means meaning indicate indicated
    required needed need suggest suggested start started starting stop stopped begin
    recommend recommends done doing does avoid avoided avoiding used given taken prescribed
    recommended preferred indicated allowed safe describe explain list role function
    calculated defined overview""".split()
)
_NON_SUBJECT = frozenset(
    "pregnancy humans patients adult aged child infant women men female male mothers".split()
)


@dataclass(frozen=True)
class FocusTerm:
    """One thing the question is about, with every name a source may use for it."""

    label: str  # for titles: "Acute Otitis Media", "Amoxicillin"
    kind: str  # one of KIND_ORDER
    names: tuple[str, ...]  # matching keys (mesh_key form), the question's own words first
    trees: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()  # names of what it is a kind of ("pneumonia" for CAP)
    position: int = 10_000  # the word of the question where it is first named

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(dict.fromkeys(map(american, self.names))))
        object.__setattr__(self, "broader", tuple(dict.fromkeys(map(american, self.broader))))

    def named_in(self, key: str) -> bool:
        """Whether a text, as a matching key padded with spaces, names this term; a long
        one-word name also names the compounds that end in it ("dialysis" in
        "hemodialysis", "sepsis" in "urosepsis")."""
        return any(
            f" {name} " in key or (len(name) >= 7 and " " not in name and f"{name} " in key)
            for name in self.names
        )

    def broadly_named_in(self, key: str) -> bool:
        return any(f" {name} " in key for name in self.broader)


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
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def names_in(text: str) -> str:
    """A text as the matching key `FocusTerm.named_in` expects: `mesh_key`, padded with
    spaces (a fast path for plain ASCII text, which most passages are)."""
    lowered = _POSSESSIVE.sub("", text.lower())
    if not lowered.isascii():  # accents off ("Barré" -> "barre"), other signs dropped
        lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return f" {american(_NOT_ALNUM.sub(' ', lowered).strip())} "


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
        self._text = ""

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
        self._text = text
        parsed = understand(text, self.resources, cooccurs=self.library_count)
        lay = find_lay_terms(text)
        populations = find_populations(text)
        consumer = looks_consumer(question, stripped, lay, len(corrections))
        focus = self._focus(parsed, lay, populations)
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

    def _focus(
        self, parsed: ParsedQuery, lay: list[LayMatch], populations: list[Population]
    ) -> list[FocusTerm]:
        terms: list[FocusTerm] = []
        words = mesh_key(parsed.text).split()
        matches = self.entities.find(parsed.text)
        for expansion in parsed.expansions:  # "SLE" names what its long form names
            at = _word_at(words, expansion.short)
            for match in self.entities.find(expansion.long):
                term = self._entity_term(match, [], expansion.short.lower())
                terms.append(replace(term, position=at))
        for match in matches:
            terms.append(self._entity_term(match, words))
        for item in lay:
            names = [mesh_key(t) for t in item.terms] + [mesh_key(item.words)]
            at = len(mesh_key(parsed.text[: item.start]).split())
            kind = item.kind
            if kind == "lay":  # a complaint in lay words ranks as a complaint
                known = self.entities.lookup(item.terms[0])
                kind = "symptom" if known is not None and known[1] == "symptom" else "lay"
            terms.append(FocusTerm(item.label, kind, tuple(dict.fromkeys(names)), position=at))
        for presentation, said in find_presentations(parsed.text):
            names = [mesh_key(said), *(mesh_key(t) for t in presentation.terms)]
            at = _word_at(words, said)
            label = _title(presentation.phrase)
            terms.append(FocusTerm(label, "symptom", tuple(names), position=at))
        english = english_words()
        for mesh in parsed.mesh:
            if mesh.how == "head" and english.get(mesh_key(mesh.matched), 0) >= EVERYDAY_WORD:
                continue  # "down" his arm is not Down syndrome
            if any(t.startswith(_PROCEDURE_TREES) for t in mesh.trees):
                kind = "procedure"
            elif any(t.startswith(_DISEASE_TREES) for t in mesh.trees):
                kind = "condition"
            elif any(t.startswith(("D",)) for t in mesh.trees):
                kind = "drug"
            else:
                continue  # anatomy, organisms, phenomena: words of the question, not its subject
            name = natural_order(mesh.heading)
            matched = mesh_key(mesh.matched)
            if mesh_key(name) in _NON_SUBJECT or matched in _NON_SUBJECT:
                continue
            if matched in _GENERIC_NAMES or mesh_key(name) in _GENERIC_NAMES:
                continue
            if all(word in _MODIFIERS or word in _NON_SUBJECT for word in matched.split()):
                continue  # "acute" is no subject, whatever MeSH heading holds it
            heading_names = (mesh.matched, mesh_key(name))
            at = _word_at(words, mesh.matched)
            terms.append(
                FocusTerm(_title(mesh.matched), kind, heading_names, mesh.trees, position=at)
            )
        population_words = {mesh_key(p.words) for p in populations}
        terms = [t for t in terms if t.names and t.names[0] not in population_words]
        terms = _merged(terms)
        claimed = {w for t in terms for name in t.names for w in name.split()}
        for term in self._treatment_terms(parsed, claimed):
            terms.append(term)
            claimed.update(w for name in term.names for w in name.split())
        for term in self._word_terms(parsed, claimed):
            if not terms or term.kind == "condition":  # "Varnell syndrome" no dictionary names
                terms.append(term)
        # The main subject: the most central kind (a condition named in lay words counts as
        # a condition), then not a comorbidity ("a woman with hypertension has new AF"),
        # then the first named.
        subjects = [t for t in terms if t.kind in ("condition", "lay")]
        demoted = {id(t) for t in subjects if _comorbidity(words, t, subjects)}
        terms.sort(key=lambda t: (_TIER[t.kind], id(t) in demoted, t.position))
        return terms

    def _entity_term(self, match: EntityMatch, words: list[str], short: str = "") -> FocusTerm:
        start = match.start
        while start > 0 and words and words[start - 1] in _MODIFIERS:
            start -= 1
        synonyms = [
            s
            for s in self.entities.synonyms(match.canonical)
            if len(s.split()) <= MAX_NAME_WORDS and self._in_library(s)
        ]
        broader: tuple[str, ...] = ()
        if words and match.surface in _HEAD_NOUNS:
            # "imaginary knee cancer": a bare head noun names its kind; the words before it
            # name the condition, and the dictionary's names become the broader ones.
            while (
                start > 0
                and match.start - start < 3
                and words[start - 1] not in INTENT_WORDS
                and len(words[start - 1]) >= 3
                and not words[start - 1].isdigit()
            ):
                start -= 1
            if start < match.start:
                broader, synonyms = tuple(dict.fromkeys([match.surface, *synonyms])), []
        surface = " ".join(words[start : match.end]) if words else match.surface
        names = [surface, *([] if broader else [match.surface]), *([short] if short else [])]
        names.extend(synonyms)
        if match.kind == "drug":
            broader = tuple(dict.fromkeys([*broader, *drug_classes(names)]))
            generic = _title(natural_order(match.name))
            said = _title(match.surface)
            label = generic if mesh_key(generic) == match.surface else f"{generic} ({said})"
        elif short:  # "STEMI" as the question writes it, after its long form
            label = f"{_title(natural_order(match.name))} ({short.upper()})"
        else:
            label = _title(_apostrophe_restored(_as_written(self._text, surface), match.name))
        unique = tuple(dict.fromkeys(n for n in names if n))[:MAX_NAMES]
        return FocusTerm(label, match.kind, unique, match.trees, broader, start)

    def _in_library(self, phrase: str) -> bool:
        return self.library_count is None or self.library_count(phrase) > 0

    def _treatment_terms(self, parsed: ParsedQuery, claimed: set[str]) -> list[FocusTerm]:
        """Treatments no dictionary names, as the library writes them: the longest phrase of
        up to four words ending in a treatment noun that the library holds often ("long term
        oxygen therapy", "fertility preservation", "compression stockings")."""
        if self.library_count is None:
            return []
        words = mesh_key(parsed.text).split()
        found: list[FocusTerm] = []
        for end, word in enumerate(words):
            if word not in _TREATMENT_NOUNS:
                continue
            names = [
                " ".join(words[start : end + 1])
                for start in range(max(0, end - 3), end)
                if _opens_a_name(words, start)
                and self.library_count(" ".join(words[start : end + 1])) >= TREATMENT_SEEN
            ]
            if not names or all(w in claimed for w in names[0].split()):
                continue
            found.append(FocusTerm(_title(names[0]), "procedure", tuple(names), position=end))
        return found

    def _word_terms(self, parsed: ParsedQuery, claimed: set[str]) -> list[FocusTerm]:
        """Subjects no dictionary names, from the question's runs of content words that no
        named term claims: a run ending in a disease noun is a condition ("neurological
        Varnell syndrome"); otherwise the run around the rarest word is a term ("papilin")."""
        words = mesh_key(parsed.text).split()
        content = [
            w not in INTENT_WORDS
            and w not in _MODIFIERS
            and w not in claimed
            and len(w) >= 3
            and not w.isdigit()
            for w in words
        ]
        runs: list[list[str]] = []
        current: list[str] = []
        for word, keep in zip(words, content, strict=True):
            if keep:
                current.append(word)
            elif current:
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        if not runs:
            return []
        for run in runs:
            run = run[-4:]
            if len(run) > 1 and _DISEASE_NOUN.search(" ".join(run)):
                # Named by the phrase and its shorter endings ("varnell syndrome"), never
                # by one adjective of it.
                names = tuple(" ".join(run[i:]) for i in range(len(run) - 1))
                return [FocusTerm(_title(" ".join(run)), "condition", names)]
        candidates = [w for run in runs for w in run]
        counts = {w: self.library_count(w) if self.library_count else 1 for w in candidates}
        rarest = min(candidates, key=lambda w: counts[w])  # unknown to the library: rarest
        run = next(r for r in runs if rarest in r)[:4]
        phrase = " ".join(run)
        return [FocusTerm(_title(phrase), "term", tuple(dict.fromkeys([phrase, rarest])))]


_TIER = {
    "condition": 0, "lay": 0, "symptom": 1, "procedure": 2, "drug": 3, "topic": 4, "term": 5
}  # fmt: skip
# "a 74-year-old woman with hypertension": a condition that describes the patient.
_PATIENT_NOUNS = frozenset(
    "patient patients woman women man men adult adults child children person people boy girl "
    "infant infants baby someone individual individuals old who".split()
)


def _compound(word: str, english: dict[str, int]) -> bool:
    """Whether a word is two common English words run together ("bullseye")."""
    return any(
        english.get(word[:i], 0) > 1_000_000 and english.get(word[i:], 0) > 1_000_000
        for i in range(3, len(word) - 2)
    )


def _word_at(words: list[str], phrase: str) -> int:
    """The index of the first word of `phrase` in `words` (10,000 when absent)."""
    target = mesh_key(phrase).split()
    for index in range(len(words) - len(target) + 1):
        if target and words[index : index + len(target)] == target:
            return index
    return 10_000


@cache
def _class_table() -> dict[str, tuple[str, ...]]:
    """Generic name -> the names of its classes (`drug_classes.toml`)."""
    raw = resources.files("medoracle.query").joinpath("drug_classes.toml").read_text("utf-8")
    table: dict[str, list[str]] = {}
    for entry in tomllib.loads(raw)["class"]:
        for member in entry["members"]:
            table.setdefault(mesh_key(member), []).extend(mesh_key(n) for n in entry["names"])
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


def drug_classes(names: Sequence[str]) -> tuple[str, ...]:
    """The class names of any drug among `names` (keys); a combination ("fluticasone and
    salmeterol") has the classes of each of its drugs."""
    table = _class_table()
    parts = [p for name in names for p in (name, *_COMBINED.split(name)) if p]
    return tuple(dict.fromkeys(c for part in parts for c in table.get(part, ())))


_COMBINED = re.compile(r"\s+(?:and|plus|with)\s+|\s*[/+]\s*")


def _comorbidity(words: list[str], term: FocusTerm, subjects: list[FocusTerm]) -> bool:
    """A condition after "<patient> with" when another condition is named later."""
    at = term.position
    if at < 2 or at >= len(words) or words[at - 1] not in ("with", "has", "having"):
        return False
    if words[at - 2] not in _PATIENT_NOUNS and words[at - 1] == "with":
        return False
    # A condition named later as an outcome ("he has afib: what is his risk of a stroke?")
    # does not make the first one a comorbidity.
    return any(
        other.position > at
        and not _OUTCOME_WORDS & set(words[max(0, other.position - 3) : other.position])
        for other in subjects
        if other is not term
    )


_OUTCOME_WORDS = frozenset(
    "risk risks chance chances odds likelihood prevent preventing prevention cause causes "
    "causing lead leads develop developing get getting".split()
)


def _merged(terms: list[FocusTerm]) -> list[FocusTerm]:
    """Terms that share a name are one term (the more central kind, the longer label); a term
    whose name lies inside another's ("pneumonia" in "community acquired pneumonia") becomes
    that term's broader name."""
    merged: list[FocusTerm] = []
    for term in terms:
        for index, other in enumerate(merged):
            if set(term.names) & set(other.names):
                kind = min(term.kind, other.kind, key=KIND_ORDER.index)
                label = max(term.label, other.label, key=len)
                if {term.kind, other.kind} <= {"lay", "drug"} or kind == "lay":
                    label = (term if term.kind == "lay" else other).label
                elif "lay" in (term.kind, other.kind):  # the dictionary's name for it
                    label = (other if term.kind == "lay" else term).label
                names = tuple(dict.fromkeys([*other.names, *term.names]))[:MAX_NAMES]
                broader = tuple(dict.fromkeys([*other.broader, *term.broader]))
                at = min(term.position, other.position)
                merged[index] = FocusTerm(
                    label, kind, names, other.trees or term.trees, broader, at
                )
                break
            wider, narrower = _wider(term, other)
            if wider is not None and narrower is not None:
                if wider.names[0] in _GENERIC_NAMES:  # "infection" is no kind of anything
                    merged[index] = narrower
                    break
                broader = tuple(dict.fromkeys([*narrower.broader, *wider.names]))
                merged[index] = FocusTerm(
                    narrower.label,
                    narrower.kind,
                    narrower.names,
                    narrower.trees,
                    broader,
                    min(term.position, other.position),
                )
                break
        else:
            merged.append(term)
    return merged


def _opens_a_name(words: list[str], start: int) -> bool:
    """Whether a treatment's name may start at `words[start]`: a content word, or the
    "long"/"short" of "long term"."""
    word = words[start]
    if word in ("long", "short"):
        return start + 1 < len(words) and words[start + 1] == "term"
    if word == "term" and start and words[start - 1] in ("long", "short"):
        return False
    return word not in INTENT_WORDS and word not in _MODIFIERS and not word.isdigit()


# Nouns that end the name of a treatment ("oxygen therapy", "platelet transfusion"); such a
# phrase names a focus when the library holds it at least `TREATMENT_SEEN` times.
_TREATMENT_NOUNS = frozenset(
    "therapy therapies transfusion transfusions preservation cryopreservation stockings "
    "rehabilitation rehab prophylaxis replacement ablation ventilation supplementation "
    "supplements training".split()
)
TREATMENT_SEEN = 20
_DISEASE_NOUN = re.compile(
    r"\b(?:syndrome|disease|disorder|deficiency|fever|infection|cancer|carcinoma|tumou?r|"
    r"an(?:a)?emia|palsy|dystrophy|atrophy|sclerosis|\w+itis|\w+osis|\w+opathy)$"
)
# Dictionary names that only say what kind of condition it is.
_HEAD_NOUNS = frozenset(
    "cancer cancers tumor tumors tumour tumours disease diseases syndrome infection infections "
    "deficiency fever neoplasm neoplasms carcinoma lymphoma leukemia anemia dermatitis "
    "arthritis hepatitis ulcer ulcers metastasis metastases recurrence".split()
)
_GENERIC_NAMES = frozenset(
    "infection infections disease diseases disorder disorders syndrome pain inflammation "
    "bone bones blood heart skin lung lungs liver kidney brain cancer neoplasms recurrence "
    "neoplasm metastasis metastases laboratories laboratory virus viruses bacteria "
    "bacterial infections emergencies wounds and injuries".split()
)


def _wider(a: FocusTerm, b: FocusTerm) -> tuple[FocusTerm | None, FocusTerm | None]:
    """(wider, narrower) when one term's first name lies inside the other's."""
    first_a, first_b = f" {a.names[0]} ", f" {b.names[0]} "
    if first_a in first_b:
        return a, b
    if first_b in first_a:
        return b, a
    return None, None


def _as_written(text: str, key: str) -> str:
    """The words of `key` as the question writes them ("community-acquired pneumonia")."""
    words = key.split()
    if not words:
        return key
    pattern = r"[\s\-/]+".join(re.escape(w) for w in words)
    match = re.search(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", text, re.IGNORECASE)
    return match.group(0) if match else key


def _no_cue_ask(ask: Ask, text: str, focus: list[FocusTerm]) -> Ask:
    """A consumer's bare complaint ("burning when i pee") asks what to do about it."""
    from medoracle.query.asks import ask_rules

    if any(ask_rules().scores(text).values()):
        return ask
    if focus and focus[0].kind in ("symptom", "lay"):
        return Ask.WHAT_TO_DO
    return ask


_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def _apostrophe_restored(said: str, name: str) -> str:
    """The question's words with an eponym's lost possessive dropped, as the dictionary's
    name spells it ("bells palsy" -> "bell palsy", "hodgkins lymphoma" -> "hodgkin
    lymphoma"): a word one "s" longer than a word of the name, before another word."""
    proper = set(names_in(name).split())
    words = said.split()
    return " ".join(
        word[:-1]
        if index < len(words) - 1
        and word.lower().endswith("s")
        and word.lower()[:-1] in proper
        and word.lower() not in proper
        else word
        for index, word in enumerate(words)
    )


def _title(text: str) -> str:
    words = re.sub(r"\s+", " ", text).strip().split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        if word.isupper() and len(word) > 1:
            out.append(word)
        elif index and word.lower() in _SMALL:
            out.append(word.lower())
        elif len(word) <= 5 and word.lower() in _ABBREVIATED:
            out.append(word.upper())
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in word.split("-")))
    return " ".join(out)


_ABBREVIATED = frozenset(
    "sle copd gerd hiv aids adhd ptsd ibs ibd dvt uti tia cap aom ckd mi ms als "
    "pcos bph ocd nafld ards hpv rsv mrsa".split()
)
