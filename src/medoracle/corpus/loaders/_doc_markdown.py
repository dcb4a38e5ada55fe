"""Markdown to blocks, through markdown-it-py's CommonMark token stream (tables enabled).

Headings, paragraphs, list items and table rows ("cell; cell") become blocks; code blocks
and raw HTML are not prose and are left out; inline markup keeps its text (link text, image
alt text) and loses its marks. A leading YAML front-matter block is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from medoracle.corpus.loaders._doc_blocks import Block, Parsed

__all__ = ["parse_markdown"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*\n", re.DOTALL)


def parse_markdown(text: str) -> Parsed:
    tokens = _parser().parse(_FRONT_MATTER.sub("", text, count=1))
    blocks = list(_blocks(tokens))
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return Parsed(title, blocks)


@cache
def _parser() -> MarkdownIt:
    """Built once: compiling the rule chains costs more than parsing a page."""
    return MarkdownIt("commonmark").enable("table")


def _blocks(tokens: Sequence[Token]) -> Iterator[Block]:
    in_items = 0  # depth of list items around the current token
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "list_item_open":
            in_items += 1
        elif kind == "list_item_close":
            in_items -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            line = "; ".join(cell for cell in row if cell)
            if line:
                yield Block("item", line)
            row = None
        elif kind == "inline":
            text = _plain(token.children or [])
            opener = tokens[index - 1] if index else None
            if not text or opener is None:
                continue
            if row is not None:
                row.append(text)
            elif opener.type == "heading_open":
                yield Block("heading", text, int(opener.tag[1:]))
            elif opener.type == "paragraph_open":
                yield Block("item" if in_items else "paragraph", text)


def _plain(children: Sequence[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)  # its alt text
    return " ".join("".join(parts).split())
