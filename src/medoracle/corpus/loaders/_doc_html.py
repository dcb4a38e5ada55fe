"""HTML to blocks, through selectolax's lexbor parser (an HTML5 parser: broken markup is
repaired the way browsers repair it).

Scripts, styles, navigation, asides, footers and forms are removed first; the walk then
covers `<main>` (or the first `<article>`, or the body). Headings become headings; each run
of text inside a block element (`p`, `li`, `td`, `div`...) becomes a paragraph, or an item
inside a list; a table row becomes one item ("cell; cell"). The title is the first `<h1>`,
else `<title>`.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from medoracle.corpus.loaders._doc_blocks import Block, Parsed, decode

__all__ = ["charset_of", "parse_html"]

_REMOVED = (
    "script, style, noscript, template, svg, iframe, object, nav, aside, footer, form, "
    "button, select, head"
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset(
    """address article aside blockquote caption center dd details dialog dir div dl dt
    fieldset figcaption figure header hgroup hr li main menu ol p pre section summary table
    tbody td tfoot th thead tr ul""".split()
)
_ITEMS = frozenset({"li", "dt", "dd"})
_BLOCK_SELECTOR = ", ".join(sorted(_BLOCKS | set(_HEADINGS)))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def charset_of(data: bytes) -> str | None:
    """The encoding a page declares in its first 2 KB (`<meta charset>` or http-equiv)."""
    match = _META_CHARSET.search(data[:2048])
    return match.group(1).decode("ascii").lower() if match else None


def parse_html(data: bytes) -> Parsed:
    """Raises `ValueError` when the bytes are not text in their declared encoding."""
    tree = LexborHTMLParser(decode(data, charset_of(data)))
    title_node = tree.css_first("title")
    page_title = _collapse(title_node.text()) if title_node is not None else ""
    for node in tree.css(_REMOVED):
        node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body
    blocks: list[Block] = []
    if root is not None:
        _walk(root, blocks, item=False)
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return Parsed(h1 or page_title or None, blocks)


def _walk(node: LexborNode, out: list[Block], *, item: bool) -> None:
    """Blocks of `node` in reading order; text between its block children is a block too."""
    buffer: list[str] = []

    def flush() -> None:
        text = _collapse("".join(buffer))
        buffer.clear()
        if text:
            out.append(Block("item" if item else "paragraph", text))

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            buffer.append(child.text(deep=False))
        elif tag in _HEADINGS:
            flush()
            text = _collapse(child.text(separator=" "))
            if text:
                out.append(Block("heading", text, _HEADINGS[tag]))
        elif tag == "br":
            buffer.append(" ")
        elif tag == "tr":
            flush()
            cells = [_collapse(c.text(separator=" ")) for c in child.css("td, th")]
            line = "; ".join(cell for cell in cells if cell)
            if line:
                out.append(Block("item", line))
        elif tag in _BLOCKS or (tag and not tag.startswith("-") and _holds_blocks(child)):
            flush()
            _walk(child, out, item=item or tag in _ITEMS)
        elif tag and not tag.startswith("-"):  # inline markup: its text joins the run
            buffer.append(child.text(separator=""))
    flush()


def _holds_blocks(node: LexborNode) -> bool:
    """An inline element wrapped around blocks (`<a><p>...</p></a>`) is walked like one."""
    return node.css_first(_BLOCK_SELECTOR) is not None


def _collapse(text: str) -> str:
    return " ".join(text.split())
