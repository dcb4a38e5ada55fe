"""What the `document` readers share: blocks of text, their grouping into passage drafts,
and decoding text files strictly.

A reader (PDF, HTML, Markdown) turns a file into `Block`s in reading order: headings with
their level, paragraphs and list items. `drafts_from` names each run of paragraphs and items
by the headings above it and joins it into one draft (paragraphs apart by a blank line, the
items of a list one per line), so that `build_passages` chunks and splits it into sentences.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

from medoracle.corpus.loaders._common import PassageDraft
from medoracle.corpus.models import Audience, PassageKind

__all__ = ["Block", "Parsed", "decode", "drafts_from"]

BlockKind = Literal["heading", "paragraph", "item"]


class Block(NamedTuple):
    kind: BlockKind
    text: str
    level: int = 0  # headings: 1 (largest) to 6


class Parsed(NamedTuple):
    """A reader's output: the title the file states, if any, and its blocks."""

    title: str | None
    blocks: list[Block]


# What a section is for, read from its heading, first match wins. Guidance documents put
# their advice under headings like these; reference lists and document-control tables are
# not evidence and are left out.
_SKIP_SECTION = re.compile(
    r"^\W*(references?|bibliography|acknowledg\w*|document (control|history)|revision history"
    r"|version history|contributors|authors?|appendix\b.*\b(search|forms?)\b)\W*$",
    re.IGNORECASE,
)
_SECTION_KINDS = (
    (re.compile(r"\b(summary|key (points|messages)|conclusions?|bottom line)\b", re.I),
     PassageKind.CONCLUSION),
    (re.compile(r"\b(recommendations?|management|treatment|therapy|dos(e|es|age|ing)"
                r"|prescrib\w*|protocol|what to do|actions?|procedures?)\b", re.I),
     PassageKind.RECOMMENDATION),
    (re.compile(r"\b(background|introduction|purpose|scope|overview|rationale|aims?)\b", re.I),
     PassageKind.BACKGROUND),
    (re.compile(r"\b(methods?|methodology|search strategy)\b", re.I), PassageKind.METHOD),
)  # fmt: skip


def drafts_from(blocks: Iterable[Block], title: str, audience: Audience) -> list[PassageDraft]:
    """Runs of paragraphs and items, named by their headings ("Treatment / Adults"); text
    before the first heading is named by the document's title."""
    default = PassageKind.ANSWER if audience is Audience.PATIENT else PassageKind.OTHER
    drafts: list[PassageDraft] = []
    headings: list[tuple[int, str]] = []
    parts: list[str] = []
    previous: BlockKind | None = None

    def flush() -> None:
        text = "".join(parts).strip()
        parts.clear()
        names = [h for _, h in headings if h.casefold() != title.casefold()]
        if not text or any(_SKIP_SECTION.match(name) for name in names):
            return
        section = " / ".join(names) or title
        drafts.append(PassageDraft(section[:300], text, _kind(names, default), audience=audience))

    for block in blocks:
        if block.kind == "heading":
            flush()
            headings = [(level, h) for level, h in headings if level < block.level]
            headings.append((block.level, block.text))
        else:
            joiner = "\n" if block.kind == "item" and previous == "item" else "\n\n"
            parts.append(f"{joiner}{block.text}" if parts else block.text)
        previous = block.kind
    flush()
    return drafts


def _kind(names: list[str], default: PassageKind) -> PassageKind:
    for name in reversed(names):  # the nearest heading decides
        for pattern, kind in _SECTION_KINDS:
            if pattern.search(name):
                return kind
    return default


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def decode(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: by byte-order mark, else the declared encoding, else UTF-8; strict,
    so that a wrongly encoded file is refused rather than loaded as mojibake. Raises
    `ValueError` with a one-line reason."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), declared or "utf-8")
    try:
        return data.decode(encoding)
    except LookupError:
        raise ValueError(f"unknown character encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not valid {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None
