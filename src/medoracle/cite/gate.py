"""The gate for statements a language model wrote: kept only when their sources hold them.

A written statement passes when it cites at least one evidence number it was given, and,
against the sentences it cites, every number with its unit, every drug it names and every
negated or asserted word it shares with them agree (the verifier's `numbers`, `drugs` and
`negation` signals at 1.0), and its support score reaches the verifier's floor. Anything
else is dropped with the first reason that applies, so the page can say what was removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medoracle.cite.verify import Support, Verifier, analyse

__all__ = ["REASONS", "Verdict", "judge"]

# Why a statement is dropped, in the order the checks run.
REASONS = {
    "uncited": "cites no evidence",
    "unknown_citation": "cites evidence it was not given",
    "number": "a number, dose or unit its sources do not state",
    "drug": "a drug its sources do not name",
    "negation": "a negation its sources do not bear out",
    "support": "too little support in the sentences it cites",
}

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
) -> list[Verdict]:
    """A verdict for each (statement, cited numbers) against the numbered `evidence`."""
    verdicts: list[Verdict | None] = []
    pending: list[tuple[int, str, tuple[int, ...]]] = []
    for i, (text, cites) in enumerate(written):
        numbers = tuple(dict.fromkeys(cites))
        if not numbers:
            verdicts.append(Verdict(text, numbers, "uncited"))
        elif any(n not in evidence for n in numbers):
            verdicts.append(Verdict(text, numbers, "unknown_citation"))
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
