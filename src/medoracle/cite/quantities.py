"""Quantities a statement claims and its quotes state: number-unit pairs in canonical form
("1,000 mg" = "1000 mg" = "1 g"), ranges with both ends, spelled-out numbers in quotes, and
whether the claimed ones are stated (the verifier's `numbers` signal). Units and their
conversions are data: `[units]` of `verify.toml`.
"""

from __future__ import annotations

import re
from functools import cache

from medoracle.cite.rules import rules

__all__ = ["Quantity", "number_agreement", "quantities"]

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_QUANTITY = re.compile(
    rf"(?<![\w.,/-])({_NUMBER})(?:\s*(?:-|–|—|to)\s*({_NUMBER}))?"
    r"(?:\s*(%|per ?cent\b|[a-zµμ°]+(?:/[a-zµμ0-9]+)*))?"
)
_PER = re.compile(r"(?<=[a-zµμ%]) per (?=[a-z])")  # "mg per day" -> "mg/day"
# Spelled-out numbers count in quotes only: a statement's "one of" is not a quantity claim.
_NUMBER_WORDS = re.compile(
    r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
    r"(?:\s+([a-z%]+(?:/[a-z]+)*))?"
)
_WORD_VALUES = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}


@cache
def _units() -> tuple[dict[str, str], dict[str, tuple[str, float]]]:
    table = rules().units
    spelled = {s.lower(): unit for unit, spellings in table.aliases.items() for s in spellings}
    return spelled, table.scale


Quantity = tuple[float, str]


def _quantity(value: str, unit: str | None) -> Quantity:
    """A number and its unit in canonical form: commas out, converted to the base unit."""
    spelled, scale = _units()
    number = float(value.replace(",", ""))
    parts = [spelled.get(part, "") for part in unit.split("/")] if unit else [""]
    if not parts[0]:
        return round(number, 9), ""
    base, factor = scale.get(parts[0], (parts[0], 1.0))
    return round(number * factor, 9), "/".join([base, *parts[1:]])


def quantities(text: str, *, spelled_numbers: bool = False) -> frozenset[Quantity]:
    """Number-unit pairs in `text`; a range gives both ends its unit ("5-10 mm")."""
    lowered = _PER.sub("/", text.lower())
    found: set[Quantity] = set()
    for match in _QUANTITY.finditer(lowered):
        first, second, unit = match.groups()
        unit = unit.replace(" ", "") if unit else None
        found.add(_quantity(first, unit))
        if second:
            found.add(_quantity(second, unit))
    if spelled_numbers:
        for match in _NUMBER_WORDS.finditer(lowered):
            found.add(_quantity(str(_WORD_VALUES[match.group(1)]), match.group(2)))
    return frozenset(found)


def number_agreement(claimed: frozenset[Quantity], stated: frozenset[Quantity]) -> float:
    """Share of the `claimed` quantities that are `stated`: the same value in the base
    unit, in an agreeing unit ("5 mm" rests on "5 or 10 mm"). 1.0 when none is claimed."""
    if not claimed:
        return 1.0
    found = sum(
        any(v == value and _same_unit(unit, u) for v, u in stated) for value, unit in claimed
    )
    return found / len(claimed)


def _same_unit(ours: str, theirs: str) -> bool:
    """Units agree when either is missing, or the numerators agree and so do the
    denominators where both give one ("10 mg/day" rests on "10 mg daily", not on
    "10 mg/kg")."""
    if not ours or not theirs:
        return True
    top, _, bottom = ours.partition("/")
    their_top, _, their_bottom = theirs.partition("/")
    return top == their_top and (bottom == their_bottom or not bottom or not their_bottom)
