"""Flesch-Kincaid grade of page text, offline and fast.

The grade is Kincaid, Fishburne, Rogers & Chissom (1975), "Derivation of new readability
formulas for Navy enlisted personnel", Research Branch Report 8-75:

    grade = 0.39 * words / sentences + 11.8 * syllables / words - 15.59

Words and sentences are counted by textstat (`lexicon_count`, `sentence_count`), whose
conventions the fast per-sentence path copies. Syllables are not: for English textstat looks
every word up in CMUdict through `nltk`, and when that corpus is not installed it calls
`nltk.download("cmudict")`, which goes to the network and, offline, fails with a
`LookupError` on every call. Its fallback, pyphen hyphenation points, counts 11-21 % too few
syllables on clinical words ("medicine" 1, "methylprednisolone" 3), which would report a
page as about two grades easier than it is. So syllables come from `count_syllables`, a
vowel-group counter with corrections, checked against hand-counted words in the tests.
Nothing here reads a network or an nltk corpus.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from types import ModuleType

__all__ = ["count_syllables", "fk_grade", "sentence_grade", "words"]

# Dots that do not end a sentence; textstat would count "1.5 mg" or "e.g. this" as two.
_NON_FINAL_DOTS = re.compile(r"(?<=\d)\.(?=\d)|\b(?:e\.g|i\.e|vs|et al|approx|cf)\.", re.I)
# textstat's `remove_punctuation(rm_apostrophe=False)`: drop punctuation, keep the
# apostrophe of contractions ("don't"), drop other single quotes.
_QUOTE_NOT_CONTRACTION = re.compile(r"'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s']")

# Syllable corrections in the manner of Greg Fast's Lingua::EN::Syllable (CPAN): count
# vowel groups, then subtract silent endings and add vowel pairs that are two syllables.
_SILENT = [
    re.compile(p)
    for p in (
        r"cia(?!t)",
        r"tia",
        r"cious",
        r"cius",
        r"[^aeiou]giu",
        r"[aeiouy][^aeiouy]e(?:ly|ness|ment|ful|less)$",
        r"^(?:some|life|time|home|care|safe|base)(?=[a-z]{2})",
    )
]
_SPLIT = [
    re.compile(p)
    for p in (
        r"[aeiouy]ings?$",
        r"[^ctsgx]ia",
        r"[^tcsgx]io",
        r"iu",
        r"eo(?![up])",
        r"ua",
        r"uo",
        r"oe(?!s?$)",
        r"ii",
        r"iet",
        r"ien(?!t)",
        r"ea$",
        r"[^aeiouy]ism$",
        r"[^aeiouy]les?$",
        r"^re[iou]",
        r"ya",
        r"eu(?=[aeiou])",
    )
]
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_FINAL_E = re.compile(r"[^aeiouy]e$")
_FINAL_ES = re.compile(r"(?<!ch)(?<!sh)(?<![scgzx])(?<=[^aeiouy])es$")
_FINAL_ED = re.compile(r"(?<![td])(?<=[^aeiouy])ed$")
_NOT_LETTER = re.compile(r"[^a-z]")


@lru_cache(maxsize=65536)
def count_syllables(word: str) -> int:
    """Syllables in one English word (at least 1 for any word with a letter or digit)."""
    letters = _NOT_LETTER.sub("", word.lower())
    if not letters:
        return 1 if any(ch.isalnum() for ch in word) else 0
    if len(letters) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(letters.removeprefix("y")))
    if _FINAL_E.search(letters) or _FINAL_ES.search(letters) or _FINAL_ED.search(letters):
        count -= 1
    count -= sum(1 for pattern in _SILENT if pattern.search(letters))
    count += sum(1 for pattern in _SPLIT if pattern.search(letters))
    return max(1, count)


def _normalise(text: str) -> str:
    return _NON_FINAL_DOTS.sub(lambda m: m.group(0).replace(".", ""), text)


def words(text: str) -> list[str]:
    """The words textstat's `lexicon_count` counts, in order."""
    return _PUNCTUATION.sub("", _QUOTE_NOT_CONTRACTION.sub("", text)).split()


@cache
def _textstat() -> ModuleType:
    # Imported on first use: textstat imports nltk, about 0.5 s. Only its counting of
    # words and sentences is called, never a syllable function (see the module docstring).
    import textstat

    module: ModuleType = textstat
    return module


def _grade(word_count: int, sentence_count: int, syllable_count: int) -> float:
    if word_count == 0 or sentence_count == 0:
        return 0.0
    return 0.39 * word_count / sentence_count + 11.8 * syllable_count / word_count - 15.59


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade of `text` (0.0 for text without words), rounded to 2 places."""
    text = _normalise(text)
    textstat = _textstat()
    word_count = int(textstat.lexicon_count(text, removepunct=True))
    sentence_count = int(textstat.sentence_count(text))
    syllable_count = sum(count_syllables(word) for word in words(text))
    return round(_grade(word_count, sentence_count, syllable_count), 2)


@lru_cache(maxsize=16384)
def sentence_grade(text: str) -> float:
    """Flesch-Kincaid grade of one sentence, for ranking sentences; cached, no textstat.

    Equal to `fk_grade(text)` when `text` is one sentence.
    """
    found = words(_normalise(text))
    return round(_grade(len(found), 1, sum(count_syllables(word) for word in found)), 2)
