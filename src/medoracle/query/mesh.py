"""MeSH headings in a question, with their natural-order synonyms and tree neighbours.

Source: NLM Medical Subject Headings 2017 tree file (descriptor UI, preferred heading, tree
numbers), as converted in `../shared/data/mesh_tree_2017` (Courtesy of the U.S. National
Library of Medicine). The file has no entry terms, so synonyms are only the natural-order form
of inverted headings ("Lupus Erythematosus, Systemic" -> "systemic lupus erythematosus"), and
expansion follows the tree: a heading's parents are the headings one level up in each of its
trees (https://www.nlm.nih.gov/mesh/intro_trees.html).
"""

from __future__ import annotations

import bisect
import gzip
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from medoracle.query.lexicon import load_cached, write_atomic

__all__ = [
    "Descriptor",
    "MeshMatch",
    "MeshTree",
    "american",
    "build_mesh",
    "mesh_key",
    "natural_order",
]

FORMAT = 1
SOURCE_FILE = Path("mesh_tree_2017") / "mesh_tree_2017.jsonl.gz"
CACHE_NAME = f"mesh-v{FORMAT}.json.gz"
MAX_WORDS = 6


class Descriptor(NamedTuple):
    ui: str
    heading: str
    tree_numbers: tuple[str, ...]


class MeshMatch(NamedTuple):
    text: str
    descriptor: Descriptor
    how: str  # "exact" (the heading or its natural order) or "head" (its first word)


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    categories: tuple[str, ...]
    head_nouns: tuple[str, ...]
    ignore: frozenset[str]


@cache
def mesh_filter() -> _Filter:
    raw = resources.files("medoracle.query").joinpath("mesh.toml").read_text("utf-8")
    return _Filter.model_validate(tomllib.loads(raw))


def mesh_key(text: str) -> str:
    """Matching key: lower-case, no accents, no possessive 's, non-alphanumerics as spaces."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = re.sub(r"['’]s\b", "", plain)
    return " ".join(re.findall(r"[a-z0-9]+", plain))


# British spellings and their American forms, so that "haemodialysis" names what
# "hemodialysis" names (only word parts that are unambiguous in medical text).
_BRITISH = (
    (re.compile(r"\bhaem"), "hem"),
    (re.compile(r"(?<=[a-z])aem"), "em"),
    (re.compile(r"\boe(?=(?:dem|soph|str|nophil))"), "e"),
    (re.compile(r"(?<=[a-z])oea\b"), "ea"),
    (re.compile(r"(?<=[a-z])oeic\b"), "eic"),
    (re.compile(r"\bcoeliac\b"), "celiac"),
    (re.compile(r"\bfoet"), "fet"),
    (re.compile(r"paed"), "ped"),
    (re.compile(r"\b(tum|behavi|lab|col|od|fav|vap)our"), r"\1or"),
    (re.compile(r"\b(cent|lit|fib|met|calib)re\b"), r"\1er"),
    (re.compile(r"isation\b"), "ization"),
)


_BRITISH_ANY = re.compile(
    r"ae|oe(?:dem|soph|str|nophil)|oea\b|oeic\b|coeliac|foet|paed|our\b|"
    r"(?:cent|lit|fib|met|calib)re\b|isation\b"
)


def american(key: str) -> str:
    """A lower-case key with British spellings in American form (word by word: every
    pattern is within a word, and a word's form is cached, since passages repeat words)."""
    if not _BRITISH_ANY.search(key):
        return key
    return " ".join(map(_american_word, key.split(" ")))


@lru_cache(maxsize=100_000)
def _american_word(word: str) -> str:
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


def natural_order(heading: str) -> str:
    """Un-invert a heading: "Leukemia, Myeloid, Acute" -> "Acute Myeloid Leukemia"."""
    parts = [p.strip() for p in heading.split(", ") if p.strip()]
    return " ".join(reversed(parts)) if len(parts) > 1 else heading


def _singular(key: str) -> str:
    """Crude English singular of a key's last word ("kidney stones" -> "kidney stone")."""
    if len(key) > 4 and key.endswith("s") and not key.endswith(("ss", "us", "is")):
        return key[:-1]
    return key


def build_mesh(data_dir: Path, out: Path) -> dict[str, int]:
    """Write the compact MeSH cache (gzip JSON) from `data_dir`; return counts."""
    source = data_dir / SOURCE_FILE
    if not source.is_file():
        raise FileNotFoundError(f"MeSH tree file not found: {source}")
    records = []
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                heading = row["term"]
                keys = dict.fromkeys([mesh_key(heading), mesh_key(natural_order(heading))])
                records.append([row["desc_ui"], heading, "|".join(row["tree_numbers"]), *keys])
    payload = {"format": FORMAT, "records": records}
    write_atomic(out, gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 6))
    return {
        "descriptors": len(records),
        "tree_numbers": sum(r[2].count("|") + 1 for r in records if r[2]),
    }


class MeshTree:
    """Heading lookup, matching in free text, and tree navigation."""

    def __init__(self, records: list[list[str]]) -> None:
        """`records`: [ui, heading, "tree|tree", key, natural-order key (when different)]."""
        self._descriptors = [
            Descriptor(r[0], r[1], tuple(r[2].split("|")) if r[2] else ()) for r in records
        ]
        self._by_key: dict[str, int] = {}
        self._by_tree: dict[str, int] = {}
        for index, record in enumerate(records):
            for key in record[3:]:
                self._by_key.setdefault(key, index)
            for tree in self._descriptors[index].tree_numbers:
                self._by_tree[tree] = index
        self._trees = sorted(self._by_tree)

    def __len__(self) -> int:
        return len(self._descriptors)

    @classmethod
    def empty(cls) -> MeshTree:
        return cls([])

    @classmethod
    def load(cls, path: Path) -> MeshTree:
        payload = json.loads(gzip.decompress(path.read_bytes()))
        if payload.get("format") != FORMAT:
            raise ValueError(f"{path} is MeSH cache format {payload.get('format')}, not {FORMAT}")
        return cls(payload["records"])

    @classmethod
    def from_data_dir(cls, data_dir: Path, cache_dir: Path) -> MeshTree:
        """Load the cache, building it first when missing or older than its source."""
        return load_cached(
            cache_dir / CACHE_NAME,
            data_dir / SOURCE_FILE,
            lambda out: build_mesh(data_dir, out),
            cls.load,
        )

    def lookup(self, term: str) -> Descriptor | None:
        """The descriptor whose heading, or its natural order, is `term` (any case)."""
        index = self._by_key.get(mesh_key(term))
        return None if index is None else self._descriptors[index]

    def synonyms(self, term: str) -> list[str]:
        """Other names of `term`'s heading: the heading itself and its natural order."""
        descriptor = self.lookup(term)
        if descriptor is None:
            return []
        names = dict.fromkeys([descriptor.heading, natural_order(descriptor.heading).lower()])
        return [n for n in names if mesh_key(n) != mesh_key(term)]

    def broader(self, term: str) -> list[str]:
        """Headings one level up from `term` in each of its trees."""
        descriptor = self.lookup(term)
        if descriptor is None:
            return []
        parents = (t.rsplit(".", 1)[0] for t in descriptor.tree_numbers if "." in t)
        headings = (
            self._descriptors[self._by_tree[p]].heading for p in parents if p in self._by_tree
        )
        return list(dict.fromkeys(h for h in headings if h != descriptor.heading))

    def narrower(self, term: str, depth: int = 1) -> list[str]:
        """Headings up to `depth` levels below `term` in any of its trees."""
        descriptor = self.lookup(term)
        if descriptor is None or depth < 1:
            return []
        found: dict[str, None] = {}
        for tree in descriptor.tree_numbers:
            for child in self._descendants(tree):
                if child.count(".") - tree.count(".") <= depth:
                    found[self._descriptors[self._by_tree[child]].heading] = None
        found.pop(descriptor.heading, None)
        return list(found)

    def _descendants(self, tree: str) -> Iterator[str]:
        start = bisect.bisect_left(self._trees, tree + ".")
        for candidate in self._trees[start:]:
            if not candidate.startswith(tree + "."):
                break
            yield candidate

    def _usable(self, descriptor: Descriptor, categories: tuple[str, ...]) -> bool:
        rules = mesh_filter()
        if mesh_key(descriptor.heading) in rules.ignore:
            return False
        return any(t.startswith(categories) for t in descriptor.tree_numbers)

    def _exact(self, key: str) -> Descriptor | None:
        index = self._by_key.get(key, self._by_key.get(_singular(key)))
        return None if index is None else self._descriptors[index]

    def _by_first_word(self, word: str) -> Descriptor | None:
        """A "<word> Disease"-style heading for a word that is no heading itself, so that
        "diabetes" finds "Diabetes Mellitus" and "parkinsons" "Parkinson Disease"."""
        rules = mesh_filter()
        if len(word) < 4 or word in rules.ignore:
            return None
        for stem in dict.fromkeys([word, _singular(word)]):
            for noun in rules.head_nouns:
                descriptor = self._exact(f"{stem} {noun}")
                if descriptor is not None and self._usable(descriptor, rules.categories):
                    return descriptor
        return None

    def match(self, text: str, max_words: int = MAX_WORDS) -> list[MeshMatch]:
        """Headings named in `text`, longest first at each position, left to right."""
        words = mesh_key(text).split()
        categories = mesh_filter().categories
        matches: list[MeshMatch] = []
        seen: set[str] = set()
        position = 0
        while position < len(words):
            step, found = 1, None
            for size in range(min(max_words, len(words) - position), 0, -1):
                phrase = " ".join(words[position : position + size])
                descriptor = self._exact(phrase)
                if descriptor is not None and self._usable(descriptor, categories):
                    step, found = size, MeshMatch(phrase, descriptor, "exact")
                    break
            if found is None:
                head = self._by_first_word(words[position])
                found = MeshMatch(words[position], head, "head") if head else None
            if found is not None and found.descriptor.ui not in seen:
                seen.add(found.descriptor.ui)
                matches.append(found)
            position += step
        return matches
