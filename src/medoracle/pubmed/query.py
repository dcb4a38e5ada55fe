"""A PubMed query from a question: its MeSH headings and content words, filtered to the
publication types that answer clinical questions best.

    "first line treatment of acute sinusitis in adults"
      -> (Sinusitis[mh] AND first line treatment acute adults) AND (guideline[pt] OR ...)

A MeSH heading the question names stands for the words it matched; the other content
words go to PubMed as typed, where its automatic term mapping searches them as MeSH terms
and as title/abstract words. Recency is not part of the term: ESearch's `mindate` does it.
"""

from __future__ import annotations

import re

from medoracle.query.mesh import mesh_key
from medoracle.query.understand import ParsedQuery

__all__ = ["PUBLICATION_TYPES", "pubmed_term"]

PUBLICATION_TYPES = (
    "guideline[pt]",
    "practice guideline[pt]",
    "systematic review[pt]",
    "meta-analysis[pt]",
    "randomized controlled trial[pt]",
)

# Words that say what kind of answer is wanted, or nothing at all, to PubMed.
_STOP = frozenset(
    """a an and are as at be by can could do does for from had has have how i if in is it
    its me my of on or should so than that the their there these this to was what when
    where which who why will with would you your about any best get go good much many take
    taking use used using tell know need want""".split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_SAFE = re.compile(r"[^A-Za-z0-9 ,'-]")


def pubmed_term(parsed: ParsedQuery, *, filtered: bool = True) -> str:
    """The ESearch term for `parsed`; `filtered` adds the publication-type filter."""
    headings = list(dict.fromkeys(_SAFE.sub(" ", m.heading).strip() for m in parsed.mesh))
    covered = " ".join(mesh_key(m.matched) for m in parsed.mesh)
    words = [
        w
        for w in _WORD.findall(parsed.text.lower())
        if w not in _STOP and len(w) > 2 and w not in covered.split()
    ]
    parts = [f'"{h}"[mh]' for h in headings if h]
    if words:
        parts.append(" ".join(dict.fromkeys(words)))
    term = " AND ".join(parts) or parsed.text
    if filtered:
        term = f"({term}) AND ({' OR '.join(PUBLICATION_TYPES)})"
    return term
