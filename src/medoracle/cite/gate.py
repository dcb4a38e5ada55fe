"""The gate for statements a language model wrote: kept only when their sources hold them.

A written statement passes when it is a whole declarative sentence (not a question, not a
fragment opening with "..." or in lower case, no chat-template markup, no phrase repeated
over and over, not much longer than what it cites, not the asker's own words); when it
cites at least one evidence number it was given; and when, against the sentences it cites,
every number with its unit, every drug it names and every negated or asserted word it
shares with them agree (the verifier's `numbers`, `drugs` and `negation` signals at 1.0)
and its support score reaches the verifier's floor. Anything else is dropped with the
first reason that applies, so the page can say what was removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medoracle.cite.verify import Support, Verifier, analyse

__all__ = ["REASONS", "Verdict", "judge"]

# Why a statement is dropped, in the order the checks run.
REASONS = {
    "form": "not a whole statement: a question, a fragment, markup or a repeated phrase",
    "question_echo": "restates the question instead of the evidence",
    "length": "says more than the sentences it cites",
    "uncited": "cites no evidence",
    "unknown_citation": "cites evidence it was not given",
    "number": "a number, dose or unit its sources do not state",
    "drug": "a drug its sources do not name",
    "negation": "a negation its sources do not bear out",
    "support": "too little support in the sentences it cites",
}

_MARKUP = re.compile(r"<\|[^|>]*\|?>|</?s>|\[/?INST\]")
_WORD = re.compile(r"[^\W_]+")
REPEAT_WORDS = 5  # a run of this many words seen twice is degenerate repetition
LENGTH_SLACK = 1.5  # words a statement may have, times those of the sentences it cites
ECHO_SHARE = 0.8  # share of a statement's words taken from the question that makes an echo

# The signals that must agree fully, and the reason each gives.
_STRICT = (("numbers", "number"), ("drugs", "drug"), ("negation", "negation"))


@dataclass(frozen=True)
class Verdict:
    """One written statement's fate: kept, or the reason it was dropped."""

    text: str
    cites: tuple[int, ...]
    reason: str | None
    support: Support | None = None

    @property
    def kept(self) -> bool:
        return self.reason is None


def judge(
    written: Sequence[tuple[str, Sequence[int]]],
    evidence: Mapping[int, str],
    verifier: Verifier,
    floor: float,
    question: str = "",
) -> list[Verdict]:
    """A verdict for each (statement, cited numbers) against the numbered `evidence`;
    `question` is what was asked, so that a statement restating it is not taken for one
    the evidence makes."""
    verdicts: list[Verdict | None] = []
    pending: list[tuple[int, str, tuple[int, ...]]] = []
    asked = set(_words(question))
    for i, (text, cites) in enumerate(written):
        numbers = tuple(dict.fromkeys(cites))
        reason = _form(text, asked)
        if reason is not None:
            verdicts.append(Verdict(text, numbers, reason))
        elif not numbers:
            verdicts.append(Verdict(text, numbers, "uncited"))
        elif any(n not in evidence for n in numbers):
            verdicts.append(Verdict(text, numbers, "unknown_citation"))
        elif len(_words(text)) > LENGTH_SLACK * sum(len(_words(evidence[n])) for n in numbers) + 5:
            verdicts.append(Verdict(text, numbers, "length"))
        else:
            verdicts.append(None)
            pending.append((i, text, numbers))
    supports = verifier.score_many(
        [(text, [evidence[n] for n in cites]) for _, text, cites in pending]
    )
    for (i, text, cites), support in zip(pending, supports, strict=True):
        reason = None if analyse(text).stems else "support"  # nothing to check: "..."
        if reason is None:
            reason = next(
                (why for signal, why in _STRICT if support.signals.get(signal, 1.0) < 1.0), None
            )
        if reason is None and support.score < floor:
            reason = "support"
        verdicts[i] = Verdict(text, cites, reason, support)
    return [v for v in verdicts if v is not None]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _form(text: str, asked: set[str]) -> str | None:
    """Why `text` is not a statement to check at all, or None."""
    stripped = text.strip()
    if (
        not stripped
        or stripped.endswith("?")
        or stripped.startswith(("...", "…"))
        or stripped[0].islower()
        or _MARKUP.search(stripped)
        or _repeats(_words(stripped))
    ):
        return "form"
    words = _words(stripped)
    if asked and words and sum(w in asked for w in words) >= ECHO_SHARE * len(words):
        return "question_echo"
    return None


def _repeats(words: list[str]) -> bool:
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - REPEAT_WORDS + 1):
        run = tuple(words[i : i + REPEAT_WORDS])
        if run in seen:
            return True
        seen.add(run)
    return False
