"""Finding what a question is about: its focus terms, from the entity dictionary, lay
phrases, presentations, MeSH headings, treatments the library names often, and runs of
words no dictionary names; merged (`medoracle.query.focus.merged`) and ranked, the main
subject first (the most central kind, not a comorbidity, the first named)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from medoracle.query.consumer import LayMatch, Population
from medoracle.query.drug_classes import drug_classes
from medoracle.query.entities import EntityDictionary, EntityMatch, english_words
from medoracle.query.focus import MAX_NAMES, FocusTerm, merged
from medoracle.query.focus_words import (
    DISEASE_NOUN,
    GENERIC_NAMES,
    HEAD_NOUNS,
    INTENT_WORDS,
    MODIFIERS,
    NON_SUBJECT,
    OUTCOME_WORDS,
    PATIENT_NOUNS,
    TREATMENT_NOUNS,
)
from medoracle.query.labels import apostrophe_restored, as_written, title_case
from medoracle.query.mesh import mesh_key, natural_order
from medoracle.query.presentations import find_presentations
from medoracle.query.understand import ParsedQuery

__all__ = ["EVERYDAY_WORD", "MAX_NAME_WORDS", "TREATMENT_SEEN", "FocusFinder"]

# An English word this common stands for a heading it begins only when it is that heading.
EVERYDAY_WORD = 100_000_000
# Words at most in a dictionary synonym kept as a name.
MAX_NAME_WORDS = 5
# A phrase ending in a treatment noun names a focus when the library holds it this often.
TREATMENT_SEEN = 20
# MeSH categories of procedures (E) and of diseases (C, F03) found through the tree file.
_PROCEDURE_TREES = ("E",)
_DISEASE_TREES = ("C", "F03")


class FocusFinder:
    """The focus of one question (`text`, lead-ins out and spelling corrected), from the
    entity dictionary and, when given, how often the library holds a phrase."""

    def __init__(
        self,
        entities: EntityDictionary,
        library_count: Callable[[str], int] | None,
        text: str,
    ) -> None:
        self.entities = entities
        self.library_count = library_count
        self.text = text

    def find(
        self, parsed: ParsedQuery, lay: list[LayMatch], populations: list[Population]
    ) -> list[FocusTerm]:
        """The focus terms, the main subject first."""
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
            label = title_case(presentation.phrase)
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
            if mesh_key(name) in NON_SUBJECT or matched in NON_SUBJECT:
                continue
            if matched in GENERIC_NAMES or mesh_key(name) in GENERIC_NAMES:
                continue
            if all(word in MODIFIERS or word in NON_SUBJECT for word in matched.split()):
                continue  # "acute" is no subject, whatever MeSH heading holds it
            heading_names = (mesh.matched, mesh_key(name))
            at = _word_at(words, mesh.matched)
            terms.append(
                FocusTerm(title_case(mesh.matched), kind, heading_names, mesh.trees, position=at)
            )
        population_words = {mesh_key(p.words) for p in populations}
        terms = [t for t in terms if t.names and t.names[0] not in population_words]
        terms = merged(terms)
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
        while start > 0 and words and words[start - 1] in MODIFIERS:
            start -= 1
        synonyms = [
            s
            for s in self.entities.synonyms(match.canonical)
            if len(s.split()) <= MAX_NAME_WORDS and self._in_library(s)
        ]
        broader: tuple[str, ...] = ()
        if words and match.surface in HEAD_NOUNS:
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
            generic = title_case(natural_order(match.name))
            said = title_case(match.surface)
            label = generic if mesh_key(generic) == match.surface else f"{generic} ({said})"
        elif short:  # "STEMI" as the question writes it, after its long form
            label = f"{title_case(natural_order(match.name))} ({short.upper()})"
        else:
            label = title_case(apostrophe_restored(as_written(self.text, surface), match.name))
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
            if word not in TREATMENT_NOUNS:
                continue
            names = [
                " ".join(words[start : end + 1])
                for start in range(max(0, end - 3), end)
                if _opens_a_name(words, start)
                and self.library_count(" ".join(words[start : end + 1])) >= TREATMENT_SEEN
            ]
            if not names or all(w in claimed for w in names[0].split()):
                continue
            found.append(FocusTerm(title_case(names[0]), "procedure", tuple(names), position=end))
        return found

    def _word_terms(self, parsed: ParsedQuery, claimed: set[str]) -> list[FocusTerm]:
        """Subjects no dictionary names, from the question's runs of content words that no
        named term claims: a run ending in a disease noun is a condition ("neurological
        Varnell syndrome"); otherwise the run around the rarest word is a term ("papilin")."""
        words = mesh_key(parsed.text).split()
        content = [
            w not in INTENT_WORDS
            and w not in MODIFIERS
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
            if len(run) > 1 and DISEASE_NOUN.search(" ".join(run)):
                # Named by the phrase and its shorter endings ("varnell syndrome"), never
                # by one adjective of it.
                names = tuple(" ".join(run[i:]) for i in range(len(run) - 1))
                return [FocusTerm(title_case(" ".join(run)), "condition", names)]
        candidates = [w for run in runs for w in run]
        counts = {w: self.library_count(w) if self.library_count else 1 for w in candidates}
        rarest = min(candidates, key=lambda w: counts[w])  # unknown to the library: rarest
        run = next(r for r in runs if rarest in r)[:4]
        phrase = " ".join(run)
        return [FocusTerm(title_case(phrase), "term", tuple(dict.fromkeys([phrase, rarest])))]


_TIER = {
    "condition": 0, "lay": 0, "symptom": 1, "procedure": 2, "drug": 3, "topic": 4, "term": 5
}  # fmt: skip


def _word_at(words: list[str], phrase: str) -> int:
    """The index of the first word of `phrase` in `words` (10,000 when absent)."""
    target = mesh_key(phrase).split()
    for index in range(len(words) - len(target) + 1):
        if target and words[index : index + len(target)] == target:
            return index
    return 10_000


def _comorbidity(words: list[str], term: FocusTerm, subjects: list[FocusTerm]) -> bool:
    """A condition after "<patient> with" when another condition is named later."""
    at = term.position
    if at < 2 or at >= len(words) or words[at - 1] not in ("with", "has", "having"):
        return False
    if words[at - 2] not in PATIENT_NOUNS and words[at - 1] == "with":
        return False
    # A condition named later as an outcome ("he has afib: what is his risk of a stroke?")
    # does not make the first one a comorbidity.
    return any(
        other.position > at
        and not OUTCOME_WORDS & set(words[max(0, other.position - 3) : other.position])
        for other in subjects
        if other is not term
    )


def _opens_a_name(words: list[str], start: int) -> bool:
    """Whether a treatment's name may start at `words[start]`: a content word, or the
    "long"/"short" of "long term"."""
    word = words[start]
    if word in ("long", "short"):
        return start + 1 < len(words) and words[start + 1] == "term"
    if word == "term" and start and words[start - 1] in ("long", "short"):
        return False
    return word not in INTENT_WORDS and word not in MODIFIERS and not word.isdigit()
