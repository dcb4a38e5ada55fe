"""A compact abbreviation lexicon built from the Medical Abbreviation Meta-Inventory sources.

Source: Grossman Liu et al., "A deep database of medical abbreviations and acronyms for natural
language processing", Scientific Data 2021;8:149 (doi:10.1038/s41597-021-00929-4); the source
inventories (ADAM, Berman, Vanderbilt, Wikipedia, Stetson, Columbia) as converted in
`../shared/data/clinical_abbreviations` (see its SOURCE.md). The lexicon keeps, per upper-case
short form, its clinical senses with a prior: the sense's share of the short form in each
source, averaged over the sources that list the short form, weighted by source.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

__all__ = ["FORMAT", "Lexicon", "Sense", "build_lexicon", "normalise_long_form", "sense_key"]

FORMAT = 1
SOURCE_FILE = Path("clinical_abbreviations") / "abbreviations.jsonl.gz"
CACHE_NAME = f"abbreviations-v{FORMAT}.json.gz"

# Source weights in the prior: frequency-bearing sources count fully; plain lists (one vote
# shared among their senses) count less; clinical-trial acronyms least.
_SOURCE_WEIGHT = {
    "ADAM": 1.0,
    "Vanderbilt-clinic-notes": 1.0,
    "Vanderbilt-discharge-summaries": 1.0,
    "Stetson": 1.0,
    "Wikipedia-medical-abbreviations": 1.0,
    "Berman": 0.5,
    "Columbia-obgyn": 0.5,
}
# Clinical-trial acronyms (DOSE, SPARCL, ...) are mostly English words: not used.
_SOURCE_CODE = {name: name[0] for name in _SOURCE_WEIGHT}
_SHORT_FORM = re.compile(r"^[A-Za-z][A-Za-z0-9\-]{1,9}$")
_NOT_SENSES = {"not an", "miss", "ms.", "female honori", "manusc"}
MIN_PRIOR = 0.01
# What reading a damaged cache file raises (bad gzip, truncated, bad JSON, wrong shape).
DAMAGED_CACHE_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, TypeError)
MAX_SENSES = 8


class Sense(NamedTuple):
    long: str
    prior: float
    sources: str


def normalise_long_form(text: str) -> str:
    """Lower-case, strip accents ("Barré" -> "barre"), hyphens to spaces, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[\-–—_/]", " ", plain.lower())
    return re.sub(r"\s+", " ", plain).strip()


def sense_key(long_form: str) -> str:
    """Merge key for spellings of one sense: normalised words cut to six letters, so
    "pulmonary embolism/embolus" and "group B streptococci/streptococcus" are one sense."""
    return " ".join(word[:6] for word in normalise_long_form(long_form).split())


def _plausible_short_form(sf: str, source: str) -> bool:
    """2-10 letters/digits/hyphens starting with a letter; mostly capitals where case is kept."""
    if not _SHORT_FORM.match(sf):
        return False
    if sf.islower():  # Berman, Vanderbilt and Stetson store short forms lower-cased.
        return source in (
            "Berman",
            "Vanderbilt-clinic-notes",
            "Vanderbilt-discharge-summaries",
            "Stetson",
        )
    capitals = sum(ch.isupper() or ch.isdigit() for ch in sf)
    return capitals / len(sf) > 0.5


def _shares(record: dict[str, Any]) -> Iterator[tuple[str, float]]:
    """(long form, weight within its source) for one record; lists give 1 per sense."""
    source = record["source"]
    if source == "ADAM":
        for variant in record.get("lf_variants") or [{"lf": record["lf"], "count": 1}]:
            yield variant["lf"], float(variant.get("count", 1))
    elif "frequency" in record and record["frequency"] is not None:
        yield record["lf"], float(record["frequency"])
    else:
        yield record["lf"], 1.0


def _read_records(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def aggregate(records: Iterable[dict[str, Any]]) -> dict[str, list[list[Any]]]:
    """Per upper-case short form: its senses as [long form, prior, source codes], best first."""
    # votes[key][source][sense_key] = weight; surfaces[key][sense_key][surface] = weight
    votes: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    surfaces: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for record in records:
        sf, source = str(record.get("sf", "")), str(record.get("source", ""))
        if source not in _SOURCE_WEIGHT or not _plausible_short_form(sf, source):
            continue
        key = sf.upper()
        for long_form, weight in _shares(record):
            merged = sense_key(long_form)
            if not merged or merged.startswith(tuple(_NOT_SENSES)) or merged == key.lower():
                continue
            per_source = votes[key][source]
            per_source[merged] = per_source.get(merged, 0.0) + weight
            seen = surfaces[key][merged]
            seen[long_form] = seen.get(long_form, 0.0) + weight
    return {key: senses for key, per in votes.items() if (senses := _senses(per, surfaces[key]))}


def _senses(
    per_source: dict[str, dict[str, float]], surfaces: dict[str, dict[str, float]]
) -> list[list[Any]]:
    total_weight = sum(_SOURCE_WEIGHT[s] for s in per_source)
    prior: dict[str, float] = defaultdict(float)
    codes: dict[str, str] = defaultdict(str)
    for source, senses in per_source.items():
        mass = sum(senses.values()) or 1.0
        for merged, weight in senses.items():
            prior[merged] += _SOURCE_WEIGHT[source] * weight / mass / total_weight
            codes[merged] += _SOURCE_CODE[source]
    ranked = sorted(prior.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        [_display(surfaces[merged]), round(p, 4), "".join(sorted(set(codes[merged])))]
        for merged, p in ranked[:MAX_SENSES]
        if p >= MIN_PRIOR
    ]


def _display(surfaces: dict[str, float]) -> str:
    """The most-used spelling of a sense, as the source wrote it."""
    return max(sorted(surfaces), key=lambda s: surfaces[s])


def build_lexicon(data_dir: Path, out: Path) -> dict[str, int]:
    """Build the lexicon from `data_dir` and write it to `out` (gzip JSON); return counts."""
    source = data_dir / SOURCE_FILE
    if not source.is_file():
        raise FileNotFoundError(f"abbreviation inventory not found: {source}")
    entries = aggregate(_read_records(source))
    payload = {"format": FORMAT, "entries": entries}
    write_atomic(out, gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 6))
    return {"short_forms": len(entries), "senses": sum(len(v) for v in entries.values())}


def write_atomic(path: Path, data: bytes) -> None:
    """Write then rename, so a reader never sees half a cache file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(tmp, path)


class Lexicon:
    """Short form (upper-cased) -> senses, best prior first."""

    def __init__(self, entries: dict[str, list[list[Any]]]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, short_form: object) -> bool:
        return isinstance(short_form, str) and short_form.upper() in self._entries

    def senses(self, short_form: str) -> tuple[Sense, ...]:
        rows = self._entries.get(short_form.upper(), ())
        return tuple(Sense(str(r[0]), float(r[1]), str(r[2])) for r in rows)

    @classmethod
    def empty(cls) -> Lexicon:
        return cls({})

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        payload = json.loads(gzip.decompress(path.read_bytes()))
        if payload.get("format") != FORMAT:
            raise ValueError(f"{path} is lexicon format {payload.get('format')}, not {FORMAT}")
        return cls(payload["entries"])

    @classmethod
    def from_data_dir(cls, data_dir: Path, cache_dir: Path) -> Lexicon:
        """Load the cached lexicon, building it first when missing or older than its source."""
        return load_cached(
            cache_dir / CACHE_NAME,
            data_dir / SOURCE_FILE,
            lambda out: build_lexicon(data_dir, out),
            cls.load,
        )


_T = TypeVar("_T")


def load_cached(
    cache: Path, source: Path, build: Callable[[Path], object], load: Callable[[Path], _T]
) -> _T:
    """`load(cache)`, after `build(cache)` when the cache is missing, older than `source`,
    or unreadable (then it is rebuilt once)."""
    if not cache.is_file() or cache.stat().st_mtime < source.stat().st_mtime:
        build(cache)
    try:
        return load(cache)
    except DAMAGED_CACHE_ERRORS:
        build(cache)
        return load(cache)
