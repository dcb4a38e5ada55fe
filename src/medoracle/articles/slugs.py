"""How a question becomes an article's address and the key the store compares it by."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["follow_up_slug", "question_key", "slugify"]

_SLUG_WORDS = 12
_SLUG_CHARS = 90
_STOP = frozenset("a an the of in on for with to and or is are what which how does do".split())


def question_key(question: str) -> str:
    """The question as the store compares it: case, spacing and end punctuation ignored."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return re.sub(r"\s+", " ", text).strip().rstrip("?.!").strip()


def slugify(question: str) -> str:
    """A readable address from the question's first meaningful words: ASCII, lower case,
    hyphenated, at most 90 characters."""
    folded = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower())
    kept = [w for w in words if w not in _STOP] or words or ["question"]
    slug = ""
    for word in kept[:_SLUG_WORDS]:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _SLUG_CHARS:
            break
        slug = candidate
    return slug or kept[0][:_SLUG_CHARS]


def follow_up_slug(parent_slug: str, question: str) -> str:
    """A follow-up's address: the start of its parent's (up to 45 characters, cut between
    words), a double hyphen, then its own words, so the same follow-up after two articles
    reads differently and is seen to belong to its parent."""
    head, limit = parent_slug, _SLUG_CHARS // 2
    if len(head) > limit:  # one character more, to see whether the cut falls between words
        cut = head[: limit + 1]
        head = cut.rsplit("-", 1)[0] if "-" in cut else cut[:limit]
    return f"{head.rstrip('-')}--{slugify(question)}"
