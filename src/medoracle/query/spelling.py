"""Spelling correction against the library's own vocabulary and the medical dictionaries.

A question word is corrected only when neither the library, its titles and topics, the
disease and drug dictionaries nor everyday English know it; then the closest known medical
word wins (symspellpy's symmetric-delete search, Garbe 2012, edit distance at most 2, the
most frequent of the closest). An English word that is a typo of a medical one ("hart
failure") is corrected only when the correction makes a known name with its neighbour.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from medoracle.corpus.store import Library
from medoracle.query.lexicon import write_atomic

__all__ = ["Correction", "Speller", "library_vocabulary"]

FORMAT = 1
VOCABULARY_NAME = f"vocabulary-v{FORMAT}.json.gz"
MIN_LENGTH = 4
# A word this many library passages hold is a word, not a typo.
KNOWN_IN_LIBRARY = 5
# A medical word this rare is checked against its neighbours like an everyday word.
RARE_MEDICAL = 20
# ... and is read as the word one letter away that is this many times commoner.
COMMONER = 50
# A glued word is at least this long; its parts are English words seen at least this often
# in symspellpy's frequency list, or medical words as common as `RARE_MEDICAL`.
GLUED_LEAST = 7
COMMON_ENGLISH = 20_000
# Words that start or end a sentence-joining glue ("abdomenthe", "thisdouble").
_FUNCTION_WORDS = frozenset(
    "the and also can may which when with from into other some more most only each both very "
    "even such than your this that these those their there then they them what while where "
    "will would should could often about after before between because".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


@dataclass(frozen=True)
class Correction:
    wrong: str
    right: str


def library_vocabulary(library: Library, path: Path, cursor: int) -> dict[str, int]:
    """Word counts over the library's titles and topics, cached in `path` for `cursor`."""
    try:
        payload = json.loads(gzip.decompress(path.read_bytes()))
        if payload.get("format") == FORMAT and payload.get("cursor") == cursor:
            return dict(payload["words"])
    except (OSError, ValueError, EOFError):
        pass
    counts: Counter[str] = Counter()
    for title, mesh in library.title_mesh_rows():
        counts.update(w.lower() for w in _WORD.findall(f"{title} {mesh}"))
    words = {w: n for w, n in counts.items() if len(w) >= 3}
    payload = {"format": FORMAT, "cursor": cursor, "words": words}
    write_atomic(path, gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 5))
    return words


class Speller:
    """Corrects question words; the symspell index is built on the first unknown word."""

    def __init__(
        self,
        medical: Mapping[str, int],
        english: Mapping[str, int],
        is_name: Callable[[str], bool],
        library_count: Callable[[str], int] | None = None,
    ) -> None:
        self.medical = medical
        self.english = english
        self.is_name = is_name
        self.library_count = library_count
        self._symspell: object | None = None

    def correct(
        self, text: str, keep: frozenset[str] = frozenset()
    ) -> tuple[str, list[Correction]]:
        """`text` with misspelt words replaced, and the replacements made; words in `keep`
        (lay words the consumer vocabulary knows, "afib") are left as written."""
        matches = list(_WORD.finditer(text))
        words = [m.group(0).lower() for m in matches]
        replaced: dict[int, str] = {}
        for index, word in enumerate(words):
            if len(word) < MIN_LENGTH or "'" in word or word in keep:
                continue
            if self._medical(word):
                # A rare medical word ("hart", a brand "infecton") may still be a slip for a
                # far commoner word one letter away, or for the word that makes a known name
                # with its neighbour.
                if self.medical.get(word, 0) < RARE_MEDICAL:
                    commoner = None if word in self.english else self._commoner(word)
                    if commoner is None and self._stray(word):
                        commoner = self._name_nearby(word)
                    fixed = commoner or self._in_context(words, index)
                    if fixed and fixed != word:
                        replaced[index] = fixed
                continue
            if word in self.english:
                fixed = self._in_context(words, index)
            else:
                # A capitalised word may be a name the dictionaries lack ("Papilin"): only a
                # one-letter slip is corrected in it, and not when the library knows it.
                named = matches[index].group(0)[:1].isupper() and index > 0
                known = self._known_in_library(word)
                if named and known:
                    continue
                near = named or known or len(word) < 8
                fixed = self._closest(word, 1 if near else 2)
            if fixed and fixed != word:
                replaced[index] = fixed
        if not replaced:
            return text, []
        pieces: list[str] = []
        last = 0
        corrections: list[Correction] = []
        for index, match in enumerate(matches):
            if index in replaced:
                pieces.append(text[last : match.start()])
                pieces.append(replaced[index])
                last = match.end()
                corrections.append(Correction(match.group(0), replaced[index]))
        pieces.append(text[last:])
        return "".join(pieces), corrections

    def _medical(self, word: str) -> bool:
        return word in self.medical or (word.endswith("s") and word[:-1] in self.medical)

    def _known_in_library(self, word: str) -> bool:
        return self.library_count is not None and self.library_count(word) >= KNOWN_IN_LIBRARY

    def _in_context(self, words: list[str], index: int) -> str | None:
        """An English word's medical correction that forms a known name with a neighbour
        ("hart failure" -> "heart failure"), where the word itself forms none."""
        word = words[index]
        pairs: list[tuple[str | None, str | None]] = []
        if index + 1 < len(words):
            pairs.append((None, words[index + 1]))
        if index > 0:
            pairs.append((words[index - 1], None))
        for before, after in pairs:
            original = " ".join(w for w in (before, word, after) if w)
            if self.is_name(original):
                return None
            for candidate in self._candidates(word, 1):
                phrase = " ".join(w for w in (before, candidate, after) if w)
                if self.is_name(phrase):
                    return candidate
        return None

    def _commoner(self, word: str) -> str | None:
        """A word one edit away that the medical vocabulary holds far more often."""
        own = self.medical.get(word, 0)
        for candidate in self._candidates(word, 1):
            if candidate != word and self.medical.get(candidate, 0) >= COMMONER * max(1, own):
                return candidate
        return None

    def is_glued(self, word: str) -> bool:
        """Whether a word is two run together by a lost space or line break ("effectsoccur",
        "hypoglycemiavery"): unknown itself, two known words when split, one of them a
        function word or the first a plural. Prefix compounds ("chemoradiotherapy",
        "contralateral") are neither, so they stay."""
        if len(word) < GLUED_LEAST or not word.isalpha() or not word.islower():
            return False
        if word in self.english or self.medical.get(word, 0):
            return False
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if not (self._common(left) and self._common(right)):
                continue
            if left in _FUNCTION_WORDS and len(right) >= 5:
                return True
            if right in _FUNCTION_WORDS and len(left) >= 5:
                return True
            if len(left) >= 5 and len(right) >= 5 and left.endswith("s") and left[-2] != "s":
                return True
        return False

    def _common(self, word: str) -> bool:
        return (
            self.english.get(word, 0) >= COMMON_ENGLISH or self.medical.get(word, 0) >= RARE_MEDICAL
        )

    def _stray(self, word: str) -> bool:
        """A word of the vocabulary that is neither a name nor in the library: a misspelling
        some source made ("acutane")."""
        return (
            word not in self.english and not self.is_name(word) and not self._known_in_library(word)
        )

    def _name_nearby(self, word: str) -> str | None:
        """A dictionary name one edit away ("accutane" for "acutane")."""
        for candidate in self._candidates(word, 1):
            if candidate != word and self.is_name(candidate):
                return candidate
        return None

    def _closest(self, word: str, distance: int) -> str | None:
        candidates = self._candidates(word, distance)
        return candidates[0] if candidates else None

    def _candidates(self, word: str, distance: int) -> list[str]:
        from symspellpy import SymSpell, Verbosity

        if self._symspell is None:
            speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=5)
            for term, count in self.medical.items():
                if len(term) >= MIN_LENGTH:
                    speller.create_dictionary_entry(term, count)
            self._symspell = speller
        assert isinstance(self._symspell, SymSpell)
        found = self._symspell.lookup(word, Verbosity.ALL, max_edit_distance=distance)
        return [item.term for item in sorted(found, key=lambda s: (s.distance, -s.count))]
