"""One answer, three readers: the clinician page as composed, the student page with terms
explained, and the patient page in plain words from the same evidence
(`medoracle.audience.plain`). `personalise` makes the page for a reader.
"""

from __future__ import annotations

from medoracle.answer.model import Answer, AnswerAudience
from medoracle.audience.glossary import lay_glossary, term_notes
from medoracle.audience.plain import patient_page

__all__ = ["personalise"]


def _for_student(answer: Answer) -> Answer:
    glossary = lay_glossary()
    found = (
        (m.entry, s.text[m.start : m.end])
        for s in answer.statements()
        for m in glossary.matches(s.text)
    )
    update = {"audience": AnswerAudience.STUDENT, "terms": term_notes(found, glossary)}
    return answer.model_copy(deep=True, update=update)


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
        return patient_page(answer)
    return answer.model_copy(deep=True, update={"audience": AnswerAudience.CLINICIAN})
