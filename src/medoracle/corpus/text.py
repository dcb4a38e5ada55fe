"""Text primitives for passages: whitespace clean-up, sentence spans and chunking.

The sentence splitter is rule-based in the spirit of Punkt (Kiss & Strunk 2006,
Computational Linguistics 32(4)) with a fixed list of biomedical abbreviations instead of a
trained model: a boundary is terminal punctuation, optionally closing quotes or brackets,
then whitespace, then an upper-case letter, digit or opening bracket, unless the word before
the full stop is a known abbreviation, an initial, or a decimal number.
"""

from __future__ import annotations

import re

__all__ = ["chunk_text", "clean_text", "split_sentences"]

# Words that end in a full stop without ending a sentence (lower-cased, without the stop).
_ABBREVIATIONS = frozenset(
    """
    al e.g i.e etc vs v cf fig figs eq ref refs approx ca dr mr mrs ms prof st no nos vol
    jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp dept univ
    mg kg ml dl mmol min max hr hrs wk wks mo yr yrs resp incl esp viz sp spp
    """.split()
)

_BOUNDARY = re.compile(r"""[.!?]+["'’”)\]]*\s+(?=["'‘“(\[]?[A-Z0-9•\-])""")
_LINE_BREAKS = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_TRAILING_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def clean_text(text: str) -> str:
    """Collapse runs of spaces, trim lines, keep paragraph breaks as one blank line."""
    paragraphs = (_SPACES.sub(" ", part).strip() for part in _LINE_BREAKS.split(text))
    lines = ("\n".join(line.strip() for line in p.split("\n") if line.strip()) for p in paragraphs)
    return "\n\n".join(p for p in lines if p)


def _is_false_boundary(text: str, stop_at: int) -> bool:
    """True when the full stop at `stop_at` closes an abbreviation or an initial."""
    if text[stop_at] != ".":
        return False
    # Look back a bounded window: searching from 0 each time would make splitting quadratic.
    match = _TRAILING_WORD.search(text[max(0, stop_at - 24) : stop_at + 1])
    if match is None:
        return False
    word = match.group(1).lower()
    return word in _ABBREVIATIONS or len(word) == 1 or (len(word) <= 3 and "." in word)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return `[start, end)` spans of the sentences in `text`, without outer whitespace.

    Line breaks always end a sentence, so list items and headings stay separate.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(text, line.start(), line.end()):
            if _is_false_boundary(text, boundary.start()):
                continue
            end = boundary.start() + len(boundary.group(0).rstrip())
            spans.append((start, end))
            start = boundary.end()
        spans.append((start, line.end()))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_text(text: str, max_chars: int = 1200) -> list[str]:
    """Split text into chunks of whole paragraphs, or whole sentences when a paragraph is
    longer than `max_chars`. A single sentence longer than the limit stays whole."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        pieces = [paragraph]
        if len(paragraph) > max_chars:
            pieces = [paragraph[s:e] for s, e in split_sentences(paragraph)]
        for piece in pieces:
            joiner = "\n\n" if piece is paragraph else " "
            if current and len(current) + len(joiner) + len(piece) > max_chars:
                chunks.append(current)
                current = ""
            current = f"{current}{joiner}{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks
