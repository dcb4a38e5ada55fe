"""One answer, three readers: the clinician page as composed, the student page with terms
explained, and the patient page in plain words from the same evidence.

The patient page follows the plain-language practice of the CDC Plain Language Thesaurus and
NIH Clear Communication: no dosing, lab thresholds or statistics; hard terms replaced from
the lay glossary (`glossary.toml`) or explained on first use; long sentences split; a
"when to see a doctor" list (`see_doctor.toml`); and a Flesch-Kincaid grade of at most 8
(`medoracle.audience.readability`), reached by dropping the hardest statements.

Only `Statement.text` changes. Citations and the verified source quotes stay as they were,
and a simplified sentence that would lose or gain a number or a negation is shown in its
original words instead, so simplification cannot change what a statement claims.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from medoracle.answer.model import Answer, AnswerAudience, Section, Statement, TermNote
from medoracle.audience.readability import fk_grade, sentence_grade

__all__ = [
    "LayGlossary",
    "SeeDoctor",
    "has_dosing",
    "is_technical",
    "lay_glossary",
    "lay_text",
    "personalise",
    "see_doctor",
]

# A word: letters and digits, joined by inner hyphens or apostrophes ("Sjögren's", "X-ray").
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nor|neither|without|cannot|unless|nothing|avoid(?:s|ed|ing)?)\b"
    r"|n['’]t\b",
    re.IGNORECASE,
)
# " (SLE)", " (IVIG)", " (eGFR)": an abbreviation in brackets, two capitals or more.
_ABBREVIATION = re.compile(r"\s*\((?=(?:[^)]*[A-Z]){2})[A-Za-z][A-Za-z-]{1,11}\)")
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_SPLIT = re.compile(r"(;\s+|\s+[–—]\s+)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_AN_ARTICLE = re.compile(r"\b([Aa])n?(\s+)$")
_AN_SOUND = re.compile(
    r"^(?:[aei]|o(?!ne)|u(?!ni|s[eu]|r[eiou]|t[ei])|hour|honest|[AEFHILMNORSX][A-Z0-9]*\b)"
)


def _is_acronym(form: str) -> bool:
    upper = sum(ch.isupper() for ch in form)
    return upper >= 2 and upper >= sum(ch.islower() for ch in form)


def _key(form: str) -> tuple[str, ...]:
    words = tuple(match.group(0) for match in _TOKEN.finditer(form))
    return words if _is_acronym(form) else tuple(word.lower() for word in words)


def _meaning_markers(text: str) -> tuple[list[str], list[str]]:
    negations = [n.lower().replace("’", "'") for n in _NEGATION.findall(text)]
    return _NUMBER.findall(text), negations


class GlossaryTerm(BaseModel):
    """One medical term: its forms, its plain replacement and a one-line explanation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    forms: list[str] = Field(min_length=1)
    plurals: list[str] = Field(default_factory=list)
    plain: str | None = None
    plain_plural: str | None = None
    explain: str = Field(min_length=3)
    note: bool | None = None

    @property
    def patient_note(self) -> bool:
        """Explain the term on the patient page: kept terms, or when asked to."""
        return self.note if self.note is not None else self.plain is None


class PatientRules(BaseModel):
    """How the patient page is cut: see the `[patient]` table of `glossary.toml`."""

    model_config = ConfigDict(extra="forbid")

    max_grade: float = Field(8.0, gt=0, le=20)
    min_statements: int = Field(3, ge=0)
    split_min_words: int = Field(4, ge=1)
    drop_sections: list[str] = Field(default_factory=list)
    dosing: list[str]
    technical: list[str]
    rewrites: list[tuple[str, str]] = Field(default_factory=list)


class _Match(NamedTuple):
    start: int
    end: int
    entry: int  # index into LayGlossary.term; -1 for an everyday word swap
    replacement: str | None


class LayGlossary(BaseModel):
    """The validated contents of `glossary.toml`, with its lookup tables."""

    model_config = ConfigDict(extra="forbid")

    term: list[GlossaryTerm]
    patient: PatientRules
    words: dict[str, str]
    _exact: dict[tuple[str, ...], _Match] = PrivateAttr(default_factory=dict)
    _folded: dict[tuple[str, ...], _Match] = PrivateAttr(default_factory=dict)
    _longest: int = PrivateAttr(default=1)
    _dosing: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _technical: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _rewrites: list[tuple[re.Pattern[str], str]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _build(self) -> LayGlossary:
        senses: list[tuple[str, _Match]] = [
            (form, _Match(0, 0, -1, plain)) for form, plain in self.words.items()
        ]
        for index, entry in enumerate(self.term):
            plural = entry.plain_plural or entry.plain
            senses += [(form, _Match(0, 0, index, entry.plain)) for form in entry.forms]
            senses += [(form, _Match(0, 0, index, plural)) for form in entry.plurals]
        for form, sense in senses:
            table = self._exact if _is_acronym(form) else self._folded
            key = _key(form)
            if not key or key in table:
                raise ValueError(f"glossary form {form!r} is empty or listed twice")
            if sense.replacement is not None and _meaning_markers(form) != _meaning_markers(
                sense.replacement
            ):
                raise ValueError(f"replacement for {form!r} changes a number or a negation")
            table[key] = sense
            self._longest = max(self._longest, len(key))
        try:
            flags = re.IGNORECASE
            self._dosing = [re.compile(p, flags) for p in self.patient.dosing]
            self._technical = [re.compile(p, flags) for p in self.patient.technical]
            self._rewrites = [(re.compile(p, flags), r) for p, r in self.patient.rewrites]
        except re.error as exc:
            raise ValueError(f"invalid pattern in glossary.toml: {exc}") from exc
        return self

    def has_dosing(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self._dosing)

    def is_technical(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self._technical)

    def rewrite(self, text: str) -> str:
        """`text` with the framing rewrites ("The GDG recommends" -> "Doctors recommend")."""
        for pattern, replacement in self._rewrites:
            text = pattern.sub(replacement, text)
        return text

    def matches(self, text: str) -> list[_Match]:
        """Glossary terms and word swaps in `text`, longest first, left to right."""
        tokens = list(_TOKEN.finditer(text))
        found: list[_Match] = []
        i = 0
        while i < len(tokens):
            run = 1  # tokens from i joined by whitespace only
            while (
                run < self._longest
                and i + run < len(tokens)
                and text[tokens[i + run - 1].end() : tokens[i + run].start()].isspace()
            ):
                run += 1
            for n in range(run, 0, -1):
                words = tuple(token.group(0) for token in tokens[i : i + n])
                sense = self._exact.get(words) or self._folded.get(tuple(w.lower() for w in words))
                if sense is not None:
                    found.append(
                        sense._replace(start=tokens[i].start(), end=tokens[i + n - 1].end())
                    )
                    i += n
                    break
            else:
                i += 1
        return found

    def substitute(self, text: str, *, title: bool = False) -> tuple[str, list[tuple[int, str]]]:
        """`text` with plain replacements, and (entry, shown term) for each term to explain."""
        out: list[str] = []
        notes: list[tuple[int, str]] = []
        cursor = 0
        for match in self.matches(text):
            before, surface = text[cursor : match.start], text[match.start : match.end]
            shown = surface
            if match.replacement is not None:
                shown = _cased(match.replacement, surface, at_start=not out and not before.strip())
                if title:
                    shown = " ".join(w[:1].upper() + w[1:] for w in shown.split(" "))
                before = _fix_article(before, shown)
            out += [before, shown]
            cursor = match.end
            if match.entry >= 0 and self.term[match.entry].patient_note:
                notes.append((match.entry, shown))
        out.append(text[cursor:])
        return "".join(out), notes


def _cased(replacement: str, surface: str, *, at_start: bool) -> str:
    if replacement[:1].isupper():
        return replacement
    if at_start or (surface[:1].isupper() and not _is_acronym(surface)):
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _fix_article(before: str, word: str) -> str:
    """Make "a"/"an" right before a replaced term agree with it ("an MRI scan")."""
    an = "n" if _AN_SOUND.match(word) or _AN_SOUND.match(word.lower()) else ""
    return _AN_ARTICLE.sub(lambda m: f"{m.group(1)}{an}{m.group(2)}", before)


class _SeeDoctorRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qtypes: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    lines: list[str] = Field(min_length=1)


class SeeDoctor(BaseModel):
    """The validated contents of `see_doctor.toml`."""

    model_config = ConfigDict(extra="forbid")

    max_lines: int = Field(6, ge=1)
    generic_min: int = Field(2, ge=0, description="generic lines always shown")
    generic: list[str] = Field(min_length=1)
    rule: list[_SeeDoctorRule] = Field(default_factory=list)
    _patterns: list[re.Pattern[str] | None] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _compile(self) -> SeeDoctor:
        for rule in self.rule:
            if not rule.qtypes and not rule.words:
                raise ValueError(f"see_doctor rule {rule.lines[0]!r} has no qtypes or words")
            words = "|".join(re.escape(w) for w in sorted(rule.words, key=len, reverse=True))
            self._patterns.append(re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.I) if words else None)
        return self

    def lines_for(self, qtype: str, text: str) -> list[str]:
        """Lines of the rules that fire on `qtype` or `text`, then the generic lines."""
        lines: list[str] = []
        for rule, pattern in zip(self.rule, self._patterns, strict=True):
            if qtype in rule.qtypes or (pattern is not None and pattern.search(text)):
                lines += [line for line in rule.lines if line not in lines]
        lines = lines[: max(0, self.max_lines - self.generic_min)]
        lines += [line for line in self.generic if line not in lines]
        return lines[: self.max_lines]


def _load(name: str) -> dict[str, object]:
    return tomllib.loads(resources.files("medoracle.audience").joinpath(name).read_text("utf-8"))


@cache
def lay_glossary() -> LayGlossary:
    """The packaged lay glossary, parsed and validated once."""
    return LayGlossary.model_validate(_load("glossary.toml"))


@cache
def see_doctor() -> SeeDoctor:
    """The packaged "when to see a doctor" rules, parsed and validated once."""
    return SeeDoctor.model_validate(_load("see_doctor.toml"))


def has_dosing(text: str) -> bool:
    """Whether `text` gives a dose, a dose rate or a dosing schedule ("1 g/day", "twice daily")."""
    return lay_glossary().has_dosing(text)


def is_technical(text: str) -> bool:
    """Whether `text` rests on a lab threshold or a statistic ("<1.0 x 10^9/L", "95% CI")."""
    return lay_glossary().is_technical(text)


def lay_text(text: str) -> str:
    """`text` (a title, heading or bottom line) with glossary terms in plain words."""
    glossary = lay_glossary()
    words = [w for w in _TOKEN.findall(text) if len(w) > 3]
    title = len(words) > 1 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
    plain, _ = glossary.substitute(_ABBREVIATION.sub("", text), title=title)
    plain = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(plain.split()))
    return plain if _meaning_markers(plain) == _meaning_markers(text) else text


@dataclass(frozen=True)
class _Plain:
    """A patient-page statement and the terms (glossary entry, shown form) it explains."""

    statement: Statement
    notes: list[tuple[int, str]]


def _sentence(text: str) -> str:
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split())).strip(" ,;–—")
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _split(text: str, min_words: int) -> list[str]:
    """Split at ";" and spaced dashes where both sides are real clauses of `min_words`+."""
    pieces = _SPLIT.split(text)
    parts = [pieces[0]]
    for separator, piece in zip(pieces[1::2], pieces[2::2], strict=True):
        long_enough = min(len(_TOKEN.findall(parts[-1])), len(_TOKEN.findall(piece)))
        if long_enough >= min_words and not parts[-1].rstrip().endswith(":"):
            parts.append(piece)
        else:
            parts[-1] += separator + piece
    return parts


def _simplify(part: str, glossary: LayGlossary) -> tuple[str, list[tuple[int, str]]]:
    text, notes = glossary.substitute(glossary.rewrite(_ABBREVIATION.sub("", part).strip()))
    text = _sentence(text)
    if _meaning_markers(text) != _meaning_markers(part):
        # Keep the source wording; explain the terms it would have replaced instead.
        kept = [m for m in glossary.matches(part) if m.entry >= 0]
        return _sentence(part), [
            (m.entry, part[m.start : m.end])
            for m in kept
            if m.replacement is not None or glossary.term[m.entry].patient_note
        ]
    return text, notes


def _plain_statements(statement: Statement, glossary: LayGlossary) -> list[_Plain]:
    rules = glossary.patient
    dosing, technical = glossary.has_dosing, glossary.is_technical
    text = _PARENTHESIS.sub(lambda m: "" if dosing(m.group(1)) else m.group(0), statement.text)
    plain: list[_Plain] = []
    for part in _split(text, rules.split_min_words):
        if not part.strip() or dosing(part) or technical(part):
            continue
        simple, notes = _simplify(part, glossary)
        if simple:
            plain.append(_Plain(statement.model_copy(update={"text": simple}), notes))
    return plain


def _prose(items: list[_Plain]) -> str:
    return " ".join(item.statement.text for item in items)


def _make_readable(bottom: list[_Plain], sections: list[list[_Plain]], rules: PatientRules) -> None:
    """Drop the hardest section statements until the grade is reached or little is left."""
    while fk_grade(_prose(bottom + [p for s in sections for p in s])) > rules.max_grade:
        if sum(map(len, sections)) <= rules.min_statements:
            return
        # Keep each section's easiest point while any section still has more than one.
        crowded = [s for s, items in enumerate(sections) if len(items) > 1]
        ranked = [
            (sentence_grade(item.statement.text), s, i)
            for s in crowded or range(len(sections))
            for i, item in enumerate(sections[s])
        ]
        _, s, i = max(ranked)
        del sections[s][i]


def _term_notes(items: list[_Plain], glossary: LayGlossary) -> list[TermNote]:
    seen: set[int] = set()
    notes: list[TermNote] = []
    for item in items:
        for entry, shown in item.notes:
            if entry >= 0 and entry not in seen:
                seen.add(entry)
                notes.append(TermNote(term=shown, explanation=glossary.term[entry].explain))
    return notes


def _for_student(answer: Answer) -> Answer:
    glossary = lay_glossary()
    items = [
        _Plain(s, [(m.entry, s.text[m.start : m.end]) for m in glossary.matches(s.text)])
        for s in answer.statements()
    ]
    update = {"audience": AnswerAudience.STUDENT, "terms": _term_notes(items, glossary)}
    return answer.model_copy(deep=True, update=update)


def _for_patient(answer: Answer) -> Answer:
    glossary = lay_glossary()
    rules = glossary.patient
    bottom = [p for s in answer.bottom_line for p in _plain_statements(s, glossary)]
    kept = [section for section in answer.sections if section.key not in rules.drop_sections]
    sections = [[p for s in sec.statements for p in _plain_statements(s, glossary)] for sec in kept]
    if not bottom and (first := next((items for items in sections if items), None)):
        bottom.append(first.pop(0))  # the bottom line must answer; lead with the first point
    _make_readable(bottom, sections, rules)
    items = bottom + [p for section in sections for p in section]
    terms = _term_notes(items, glossary)
    prose = _prose(items)
    # Advice follows what the page still says, not what was dropped for readability.
    advice = see_doctor().lines_for(answer.qtype, f"{answer.question} {answer.title} {prose}")
    shown = " ".join([prose, *(note.explanation for note in terms), *advice])
    fields = answer.model_dump() | {
        "audience": AnswerAudience.PATIENT,
        "title": lay_text(answer.title),
        "bottom_line": [item.statement for item in bottom],
        "sections": [
            Section(
                key=sec.key, heading=lay_text(sec.heading), statements=[p.statement for p in ps]
            )
            for sec, ps in zip(kept, sections, strict=True)
            if ps
        ],
        "terms": terms,
        "see_doctor": advice,
        "readability": {
            "fk_grade": fk_grade(prose),
            "fk_grade_shown": fk_grade(shown),
            "fk_grade_source": fk_grade(answer.text()),
        },
    }
    return _cited_only(Answer.model_validate(fields))


def _cited_only(answer: Answer) -> Answer:
    """The page with its references cut to those its remaining statements cite, renumbered
    by first use; a warning keeps only those numbers, and goes when none is left."""
    order: dict[int, int] = {}
    for statement in answer.statements():
        for number in (*statement.citations, *(q.reference for q in statement.quotes)):
            order.setdefault(number, len(order) + 1)
    if len(order) == len(answer.references):
        return answer

    def cited(statement: Statement) -> Statement:
        quotes = [q.model_copy(update={"reference": order[q.reference]}) for q in statement.quotes]
        citations = [order[n] for n in statement.citations]
        return statement.model_copy(update={"citations": citations, "quotes": quotes})

    references = sorted(
        (
            r.model_copy(update={"number": order[r.number]})
            for r in answer.references
            if r.number in order
        ),
        key=lambda r: r.number,
    )
    warnings = [
        w.model_copy(update={"references": [order[n] for n in w.references if n in order]})
        for w in answer.warnings
        if not w.references or any(n in order for n in w.references)
    ]
    sections = [
        sec.model_copy(update={"statements": [cited(s) for s in sec.statements]})
        for sec in answer.sections
    ]
    fields = answer.model_dump() | {
        "bottom_line": [cited(s).model_dump() for s in answer.bottom_line],
        "sections": [sec.model_dump() for sec in sections],
        "references": [r.model_dump() for r in references],
        "warnings": [w.model_dump() for w in warnings],
    }
    return Answer.model_validate(fields)


_ALIASES = {"caregiver": AnswerAudience.PATIENT, "carer": AnswerAudience.PATIENT}


def _audience(audience: AnswerAudience | str) -> AnswerAudience:
    if isinstance(audience, AnswerAudience):
        return audience
    name = audience.strip().lower()
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        return AnswerAudience(name)
    except ValueError:
        choices = ", ".join([*(a.value for a in AnswerAudience), *_ALIASES])
        raise ValueError(f"unknown audience {audience!r}; choose one of: {choices}") from None


def personalise(answer: Answer, audience: AnswerAudience | str) -> Answer:
    """A new page for `audience` from the composed page `answer` (which is not changed).

    `answer` is taken as composed, in the clinician's words, whatever its `audience` field
    says (the composer already marks the audience it retrieved for). clinician: the page
    as it is. student: the same page with `terms` explaining glossary terms in first-use
    order. patient: plain statements without dosing or lab thresholds, plain title and
    headings, `terms`, `see_doctor` and `readability`; references keep their numbers even
    when no shown statement cites them any more. A page personalised once (with terms,
    advice or a grade) raises ValueError: its wording is no longer the composed one.
    """
    chosen = _audience(audience)
    if answer.terms or answer.see_doctor or answer.readability:
        raise ValueError(
            f"this {answer.audience} page is already personalised; personalise the composed page"
        )
    if chosen is AnswerAudience.STUDENT:
        return _for_student(answer)
    if chosen is AnswerAudience.PATIENT:
        return _for_patient(answer)
    return answer.model_copy(deep=True, update={"audience": AnswerAudience.CLINICIAN})
