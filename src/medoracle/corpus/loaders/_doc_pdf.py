"""PDF to blocks, through pypdf's text extraction with a visitor that reports each text
run's position and font size.

A PDF has no headings or paragraphs, only positioned text, so they are inferred the way a
reader's eye does (cf. the font-size and spacing cues of Tkaczyk et al., CERMINE, IJDAR 2015;
doi:10.1007/s10032-015-0249-8):
  - the body size is the font size of most characters; a short line set at least 15%
    larger is a heading (larger sizes, higher levels), as is a short all-bold line;
  - a vertical gap of more than 1.5 line heights, or a bullet, starts a new paragraph or item;
  - lines repeated on most pages (running heads, footers) and bare page numbers are dropped.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from medoracle.corpus.loaders._doc_blocks import Block, Parsed
from medoracle.errors import SourceError

__all__ = ["MAX_PAGES", "parse_pdf"]

MAX_PAGES = 2000  # a longer file is a book or a scan batch, not a clinic document
HEADING_RATIO = 1.15
HEADING_MAX_CHARS = 150
PARAGRAPH_GAP = 1.5  # line heights
_BULLET = re.compile(r"^\s*(?:[•◦▪‣·●○■□–—*-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_PAGE_NUMBER = re.compile(r"^\W*(page\s+)?\d{1,4}(\s+(of|/)\s+\d{1,4})?\W*$", re.IGNORECASE)
_UNTITLED = re.compile(r"^(untitled|microsoft word\b|document\d*$)|\.(docx?|pdf|odt|rtf)$", re.I)


class _Line(NamedTuple):
    text: str
    page: int
    y: float
    size: float
    bold: bool


def parse_pdf(path: Path) -> Parsed:
    """Raises `SourceError` for a PDF that cannot be opened, is password-protected, has too
    many pages, or has no text layer."""
    with _quiet_pypdf():
        try:
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                _unlock(reader, path)
            if len(reader.pages) > MAX_PAGES:
                raise SourceError(
                    f"{path}: {len(reader.pages):,} pages; the limit is {MAX_PAGES:,}"
                )
            lines = [
                line for number, page in enumerate(reader.pages) for line in _lines(page, number)
            ]
            stated = reader.metadata.title if reader.metadata is not None else None
        except SourceError:
            raise
        except (FileNotDecryptedError, DependencyError) as exc:
            raise SourceError(f"{path}: encrypted PDF that cannot be opened ({exc})") from None
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
                AssertionError, OSError, RecursionError, ZeroDivisionError) as exc:  # fmt: skip
            raise SourceError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not any(line.text.strip() for line in lines):
        raise SourceError(f"{path}: no text layer (a scanned PDF?); run OCR on it first")
    pages = max(line.page for line in lines) + 1
    lines = _without_furniture(lines, pages)
    blocks = list(_blocks(lines))
    title = str(stated).strip() if stated and not _UNTITLED.search(str(stated).strip()) else None
    first_heading = next((b for b in blocks if b.kind == "heading"), None)
    return Parsed(title or (first_heading.text if first_heading else None), blocks)


def _unlock(reader: PdfReader, path: Path) -> None:
    """Open a PDF locked only by an owner password (printing, copying); refuse one that
    needs a password to be read."""
    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise SourceError(f"{path}: password-protected PDF; save an unprotected copy to load it")


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs a warning for every repaired oddity; the loader reports what matters."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _lines(page: PageObject, number: int) -> list[_Line]:
    """The page's text lines, each with its position and largest font size."""
    lines: list[_Line] = []
    parts: list[str] = []
    sizes: list[float] = []
    bold: list[bool] = []
    y = 0.0

    def end_line() -> None:
        text = " ".join("".join(parts).split())
        if text:
            lines.append(_Line(text, number, y, max(sizes, default=0.0), all(bold)))
        parts.clear()
        sizes.clear()
        bold.clear()

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: Any, size: float) -> None:
        nonlocal y
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                end_line()
            if piece.strip():
                matrix = _multiply(tm, cm)
                if not sizes:
                    y = matrix[5]
                sizes.append(round(size * math.hypot(matrix[2], matrix[3]), 1))
                name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
                bold.append("bold" in name.lower() or "black" in name.lower())
                parts.append(piece)
            elif piece:
                parts.append(piece)

    page.extract_text(visitor_text=visit)
    end_line()
    return lines


def _multiply(m: Sequence[float], n: Sequence[float]) -> tuple[float, ...]:
    """The product of two PDF transformation matrices [a b c d e f] (PDF 32000-1, 8.3.4)."""
    a, b, c, d, e, f = (float(v) for v in m)
    p, q, r, s, t, u = (float(v) for v in n)
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)  # fmt: skip


def _without_furniture(lines: list[_Line], pages: int) -> list[_Line]:
    """Drop bare page numbers and lines repeated on at least half the pages (of three or
    more): running heads and footers."""
    repeated: set[str] = set()
    if pages >= 3:
        seen = Counter(shape for _, shape in {(line.page, _shape(line.text)) for line in lines})
        repeated = {shape for shape, count in seen.items() if count >= max(2, pages / 2)}
    return [
        line
        for line in lines
        if not _PAGE_NUMBER.match(line.text) and _shape(line.text) not in repeated
    ]


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _blocks(lines: list[_Line]) -> Iterator[Block]:
    if not lines:
        return
    body = _body_size(lines)
    headings = _heading_flags(lines, body)
    sizes = sorted({line.size for line, heading in zip(lines, headings, strict=True) if heading})
    sizes.reverse()
    current: list[str] = []
    item = False
    previous: _Line | None = None
    for line, heading in zip(lines, headings, strict=True):
        bullet = None if heading else _BULLET.match(line.text)
        if current and (heading or bullet or _breaks(previous, line)):
            yield Block("item" if item else "paragraph", " ".join(current))
            current = []
        if heading:
            # Larger type, higher level; bold at body size is the lowest level.
            yield Block("heading", line.text, min(sizes.index(line.size) + 1, 6))
            previous = None
            continue
        if not current:
            item = bullet is not None
        current.append(line.text[bullet.end() :] if bullet else line.text)
        previous = line
    if current:
        yield Block("item" if item else "paragraph", " ".join(current))


def _body_size(lines: list[_Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0]


def _heading_flags(lines: list[_Line], body: float) -> list[bool]:
    """Whether each line is a heading: short and set larger than the body, or short, all
    bold and followed by a line that is not (so a bold paragraph's lines are not)."""
    flags: list[bool] = []
    for index, line in enumerate(lines):
        wordy = any(ch.isalpha() for ch in line.text)
        if not wordy or len(line.text) > HEADING_MAX_CHARS:
            flags.append(False)
            continue
        following = lines[index + 1] if index + 1 < len(lines) else None
        flags.append(
            (body > 0 and line.size >= body * HEADING_RATIO)
            or (
                line.bold
                and len(line.text) <= 90
                and not line.text.endswith((".", ",", ";", ":"))
                and not _BULLET.match(line.text)
                and (following is None or not following.bold or following.size > line.size)
            )
        )
    return flags


def _breaks(previous: _Line | None, line: _Line) -> bool:
    """A paragraph ends at a wide vertical gap; across a page break, where a sentence ended."""
    if previous is None:
        return True
    if previous.page != line.page:
        return previous.text.endswith((".", "!", "?", ":"))
    height = max(previous.size, line.size, 1.0)
    return abs(previous.y - line.y) > PARAGRAPH_GAP * height
