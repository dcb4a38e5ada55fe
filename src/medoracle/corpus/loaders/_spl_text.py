"""Plain text from SPL narrative blocks (`section/text`), for `dailymed_spl`.

SPL narrative is a small HTML-like vocabulary (HL7 CDA R2 narrative block): `paragraph`,
`list/item`, `table/tr/td`, inline `content`, `sub`, `sup`, `br`, `linkHtml`, `footnote`.
A paragraph becomes one block; a list one block with an item per line; a table one block
with its caption and a row per line ("cell; cell"). Line breaks end sentences
(`medoracle.corpus.text.split_sentences`), so each item and each row cites on its own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

__all__ = ["attribute", "element_text", "local_name", "section_text", "spoken_title"]

_SKIP = frozenset({"renderMultiMedia", "observationMedia"})  # images: no text to cite


def section_text(text: ET.Element | None) -> str:
    """The narrative of one `text` element: blocks separated by a blank line."""
    if text is None:
        return ""
    return "\n\n".join(block for block in _blocks(text) if block)


def spoken_title(title: str) -> str:
    """A shouted heading in sentence case ("2 DOSAGE AND ADMINISTRATION" -> "2 Dosage and
    administration"); mixed case is kept."""
    if not title.isupper():
        return title
    lowered = title.lower()
    first = next((i for i, char in enumerate(lowered) if char.isalpha()), None)
    if first is None:
        return title
    return lowered[:first] + lowered[first].upper() + lowered[first + 1 :]


def _blocks(elem: ET.Element) -> Iterator[str]:
    """Block children become blocks; runs of inline text between them become blocks too."""
    inline: list[str] = [elem.text or ""]
    for child in elem:
        tag = local_name(child.tag)
        if tag in ("paragraph", "list", "table"):
            yield _collapse("".join(inline))
            inline = []
            if tag == "paragraph":
                yield _flat(child)
            elif tag == "list":
                yield "\n".join(_items(child))
            else:
                yield "\n".join(_rows(child))
        elif tag not in _SKIP:
            inline.append(_flat(child))
        inline.append(child.tail or "")
    yield _collapse("".join(inline))


def _items(listing: ET.Element) -> Iterator[str]:
    """A list's caption and items, one per line; a nested list's items follow their parent."""
    for child in listing:
        tag = local_name(child.tag)
        if tag == "caption":
            yield _flat(child)
        elif tag == "item":
            own = [child.text or ""]
            nested: list[ET.Element] = []
            for part in child:
                if local_name(part.tag) == "list":
                    nested.append(part)
                elif local_name(part.tag) not in _SKIP:
                    own.append(
                        f" {_flat(part)} " if local_name(part.tag) == "paragraph" else _flat(part)
                    )
                own.append(part.tail or "")
            text = _collapse("".join(own))
            if text:
                yield text
            for sub in nested:
                yield from (line for line in _items(sub) if line)


def _rows(table: ET.Element) -> Iterator[str]:
    caption = table.find("{urn:hl7-org:v3}caption")
    if caption is not None and _flat(caption):
        yield _flat(caption)
    for row in table.iter("{urn:hl7-org:v3}tr"):
        cells = [_flat(cell) for cell in row if local_name(cell.tag) in ("td", "th")]
        line = "; ".join(cell for cell in cells if cell)
        if line:
            yield line


def _flat(elem: ET.Element) -> str:
    """All text inside `elem` on one line; `br` and block edges become spaces."""
    parts = [elem.text or ""]
    for child in elem:
        tag = local_name(child.tag)
        if tag == "br":
            parts.append(" ")
        elif tag in ("paragraph", "item", "list", "table", "tr", "td", "th", "caption"):
            parts.append(f" {_flat(child)} ")
        elif tag not in _SKIP:
            parts.append(_flat(child))
        parts.append(child.tail or "")
    return _collapse("".join(parts))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def element_text(elem: ET.Element | None) -> str:
    """All the text inside `elem`, whitespace collapsed; "" for no element."""
    return " ".join(" ".join(elem.itertext()).split()) if elem is not None else ""


def attribute(elem: ET.Element | None, name: str) -> str:
    """The stripped value of attribute `name`; "" when absent or for no element."""
    return (elem.get(name) or "").strip() if elem is not None else ""


def local_name(tag: str) -> str:
    """A tag without its namespace: "{urn:hl7-org:v3}section" -> "section"."""
    return tag.rpartition("}")[2]
