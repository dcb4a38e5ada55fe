"""The patient page: the composed page in plain words, from the same evidence.

It follows the plain-language practice of the CDC Plain Language Thesaurus and NIH Clear
Communication: no dosing, lab thresholds or statistics; hard terms replaced from the lay
glossary (`medoracle.audience.glossary`) or explained on first use; long sentences split; a
"when to see a doctor" list (`medoracle.audience.advice`); and a Flesch-Kincaid grade of at
most 8 (`medoracle.audience.readability`), reached by dropping the hardest statements.

Only `Statement.text` changes. Citations and the verified source quotes stay as they were,
and a simplified sentence that would lose or gain a number or a negation is shown in its
original words instead, so simplification cannot change what a statement claims. The
references are cut to those the remaining statements cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medoracle.answer.model import Answer, AnswerAudience, Section, Statement
from medoracle.audience.advice import see_doctor
from medoracle.audience.glossary import (
    TOKEN,
    LayGlossary,
    PatientRules,
    lay_glossary,
    meaning_markers,
    term_notes,
)
from medoracle.audience.readability import fk_grade, sentence_grade

__all__ = ["lay_text", "patient_page"]

# " (SLE)", " (IVIG)", " (eGFR)": an abbreviation in brackets, two capitals or more.
_ABBREVIATION = re.compile(r"\s*\((?=(?:[^)]*[A-Z]){2})[A-Za-z][A-Za-z-]{1,11}\)")
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_SPLIT = re.compile(r"(;\s+|\s+[–—]\s+)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")


def lay_text(text: str) -> str:
    """`text` (a title, heading or bottom line) with glossary terms in plain words."""
    glossary = lay_glossary()
    words = [w for w in TOKEN.findall(text) if len(w) > 3]
    title = len(words) > 1 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
    plain, _ = glossary.substitute(_ABBREVIATION.sub("", text), title=title)
    plain = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(plain.split()))
    return plain if meaning_markers(plain) == meaning_markers(text) else text


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
        long_enough = min(len(TOKEN.findall(parts[-1])), len(TOKEN.findall(piece)))
        if long_enough >= min_words and not parts[-1].rstrip().endswith(":"):
            parts.append(piece)
        else:
            parts[-1] += separator + piece
    return parts


def _simplify(part: str, glossary: LayGlossary) -> tuple[str, list[tuple[int, str]]]:
    text, notes = glossary.substitute(glossary.rewrite(_ABBREVIATION.sub("", part).strip()))
    text = _sentence(text)
    if meaning_markers(text) != meaning_markers(part):
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


def patient_page(answer: Answer) -> Answer:
    """The patient page of a composed page (see `medoracle.audience.readers.personalise`)."""
    glossary = lay_glossary()
    rules = glossary.patient
    bottom = [p for s in answer.bottom_line for p in _plain_statements(s, glossary)]
    kept = [section for section in answer.sections if section.key not in rules.drop_sections]
    sections = [[p for s in sec.statements for p in _plain_statements(s, glossary)] for sec in kept]
    if not bottom and (first := next((items for items in sections if items), None)):
        bottom.append(first.pop(0))  # the bottom line must answer; lead with the first point
    _make_readable(bottom, sections, rules)
    items = bottom + [p for section in sections for p in section]
    terms = term_notes((note for item in items for note in item.notes), glossary)
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
