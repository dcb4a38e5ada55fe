"""What the composer may use on text: the index's tokenizer and IDF, the encoder, the drug
dictionary's words and a test for words run together. None of these searches or reads the
library; `medoracle.answer.service` builds them from the open retriever."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from medoracle.answer.pages import PageSpec

__all__ = ["TextTools"]

# Suffixes of operations: a sentence naming one names a procedure.
_OPERATIONS = ("ectomy", "plasty", "otomy", "ostomy", "pexy", "rrhaphy")


@dataclass
class TextTools:
    """What the composer may use on text: the index's tokenizer and IDF, and the encoder.
    None of these searches or reads the library."""

    tokens: Callable[[str], frozenset[str]]
    idf: Callable[[frozenset[str]], dict[str, float]]
    encode: Callable[[list[str]], np.ndarray] | None = None
    drug_words: frozenset[str] = frozenset()
    glued: Callable[[str], bool] | None = None  # two words run together ("effectsoccur")

    def names_drug(self, key: str) -> bool:
        """Whether a sentence (as a matching key) names a drug from the dictionary."""
        return any(word in self.drug_words for word in key.split())

    def intervenes(self, key: str, text: str, page: PageSpec) -> bool:
        """Whether a sentence names a drug (dictionary), a class of drugs or a procedure
        (an operation's suffix, or the page's `intervention` cues)."""
        words = key.split()
        if any(w in self.drug_words or w.endswith(_OPERATIONS) for w in words):
            return True
        return bool(page.intervention.search(key))
