"""The classes a drug belongs to (`drug_classes.toml`), so that what a source says of
"statins" or "PPIs" counts for the drug asked about."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources

from medoracle.query.mesh import mesh_key

__all__ = ["drug_classes"]


@cache
def _class_table() -> dict[str, tuple[str, ...]]:
    """Generic name -> the names of its classes (`drug_classes.toml`)."""
    raw = resources.files("medoracle.query").joinpath("drug_classes.toml").read_text("utf-8")
    table: dict[str, list[str]] = {}
    for entry in tomllib.loads(raw)["class"]:
        for member in entry["members"]:
            table.setdefault(mesh_key(member), []).extend(mesh_key(n) for n in entry["names"])
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


def drug_classes(names: Sequence[str]) -> tuple[str, ...]:
    """The class names of any drug among `names` (keys); a combination ("fluticasone and
    salmeterol") has the classes of each of its drugs."""
    table = _class_table()
    parts = [p for name in names for p in (name, *_COMBINED.split(name)) if p]
    return tuple(dict.fromkeys(c for part in parts for c in table.get(part, ())))


_COMBINED = re.compile(r"\s+(?:and|plus|with)\s+|\s*[/+]\s*")
