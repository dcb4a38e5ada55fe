"""How a focus is written in a title: in title case with small words low and known
abbreviations capitalised ("Acute Otitis Media", "COPD"), in the question's own spelling
("community-acquired"), and an eponym's lost possessive dropped as the dictionary names it
("bells palsy" -> "Bell Palsy")."""

from __future__ import annotations

import re

from medoracle.query.focus import names_in

__all__ = ["apostrophe_restored", "as_written", "title_case"]


def as_written(text: str, key: str) -> str:
    """The words of `key` as the question writes them ("community-acquired pneumonia")."""
    words = key.split()
    if not words:
        return key
    pattern = r"[\s\-/]+".join(re.escape(w) for w in words)
    match = re.search(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", text, re.IGNORECASE)
    return match.group(0) if match else key


_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def apostrophe_restored(said: str, name: str) -> str:
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


def title_case(text: str) -> str:
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
