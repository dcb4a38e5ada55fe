"""What a question is about: `FocusTerm`, a subject with every name a source may use for it
(its kind, its tree numbers, the broader names of what it is a kind of), the matching key
`names_in` that texts are compared in, and `merged`, which makes terms sharing a name one
term and a term named inside another that term's broader name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from medoracle.query.focus_words import GENERIC_NAMES
from medoracle.query.mesh import american

__all__ = ["KIND_ORDER", "MAX_NAMES", "FocusTerm", "merged", "names_in"]

# Kinds of focus, most central first: a question about a condition is about it, whatever
# drug or population it also names.
KIND_ORDER = ("condition", "lay", "symptom", "procedure", "drug", "topic", "term")
# Names kept per term.
MAX_NAMES = 24


@dataclass(frozen=True)
class FocusTerm:
    """One thing the question is about, with every name a source may use for it."""

    label: str  # for titles: "Acute Otitis Media", "Amoxicillin"
    kind: str  # one of KIND_ORDER
    names: tuple[str, ...]  # matching keys (mesh_key form), the question's own words first
    trees: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()  # names of what it is a kind of ("pneumonia" for CAP)
    position: int = 10_000  # the word of the question where it is first named

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(dict.fromkeys(map(american, self.names))))
        object.__setattr__(self, "broader", tuple(dict.fromkeys(map(american, self.broader))))

    def named_in(self, key: str) -> bool:
        """Whether a text, as a matching key padded with spaces, names this term; a long
        one-word name also names the compounds that end in it ("dialysis" in
        "hemodialysis", "sepsis" in "urosepsis")."""
        return any(
            f" {name} " in key or (len(name) >= 7 and " " not in name and f"{name} " in key)
            for name in self.names
        )

    def broadly_named_in(self, key: str) -> bool:
        return any(f" {name} " in key for name in self.broader)


_POSSESSIVE = re.compile(r"['\u2019]s\b")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def names_in(text: str) -> str:
    """A text as the matching key `FocusTerm.named_in` expects: `mesh_key`, padded with
    spaces (a fast path for plain ASCII text, which most passages are)."""
    lowered = _POSSESSIVE.sub("", text.lower())
    if not lowered.isascii():  # accents off ("Barré" -> "barre"), other signs dropped
        lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return f" {american(_NOT_ALNUM.sub(' ', lowered).strip())} "


def merged(terms: list[FocusTerm]) -> list[FocusTerm]:
    """Terms that share a name are one term (the more central kind, the longer label); a term
    whose name lies inside another's ("pneumonia" in "community acquired pneumonia") becomes
    that term's broader name."""
    merged: list[FocusTerm] = []
    for term in terms:
        for index, other in enumerate(merged):
            if set(term.names) & set(other.names):
                kind = min(term.kind, other.kind, key=KIND_ORDER.index)
                label = max(term.label, other.label, key=len)
                if {term.kind, other.kind} <= {"lay", "drug"} or kind == "lay":
                    label = (term if term.kind == "lay" else other).label
                elif "lay" in (term.kind, other.kind):  # the dictionary's name for it
                    label = (other if term.kind == "lay" else term).label
                names = tuple(dict.fromkeys([*other.names, *term.names]))[:MAX_NAMES]
                broader = tuple(dict.fromkeys([*other.broader, *term.broader]))
                at = min(term.position, other.position)
                merged[index] = FocusTerm(
                    label, kind, names, other.trees or term.trees, broader, at
                )
                break
            wider, narrower = _wider(term, other)
            if wider is not None and narrower is not None:
                if wider.names[0] in GENERIC_NAMES:  # "infection" is no kind of anything
                    merged[index] = narrower
                    break
                broader = tuple(dict.fromkeys([*narrower.broader, *wider.names]))
                merged[index] = FocusTerm(
                    narrower.label,
                    narrower.kind,
                    narrower.names,
                    narrower.trees,
                    broader,
                    min(term.position, other.position),
                )
                break
        else:
            merged.append(term)
    return merged


def _wider(a: FocusTerm, b: FocusTerm) -> tuple[FocusTerm | None, FocusTerm | None]:
    """(wider, narrower) when one term's first name lies inside the other's."""
    first_a, first_b = f" {a.names[0]} ", f" {b.names[0]} "
    if first_a in first_b:
        return a, b
    if first_b in first_a:
        return b, a
    return None, None
