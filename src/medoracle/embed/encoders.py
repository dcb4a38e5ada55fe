"""The `Encoder` interface, the factory that picks one, and what a passage embeds as."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["ENCODERS", "Encoder", "load_encoder", "passage_text"]

#: Encoder kinds `load_encoder` accepts; "static" is the default (fast, no model at query
#: time beyond a table), "minilm" the full transformer (better, ~100x slower to embed).
ENCODERS = ("static", "minilm")
#: Characters of passage text embedded; MiniLM truncates at 256 tokens anyway.
MAX_CHARS = 2000


class Encoder(Protocol):
    """Texts to unit-length float32 rows of shape (n, dim); a blank text gives a zero row."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]: ...


def load_encoder(kind: str, cache_dir: Path, *, dims: int = 256) -> Encoder:
    """The encoder named `kind`; `cache_dir` holds the distilled static table, and `dims`
    is its width (256 or 128 are sensible)."""
    if kind == "static":
        from medoracle.embed.static import load_static

        return load_static(cache_dir, dims)
    if kind == "minilm":
        from medoracle.embed.minilm import MiniLMEncoder

        return MiniLMEncoder()
    raise ValueError(f"unknown encoder {kind!r}; choose one of {', '.join(ENCODERS)}")


def passage_text(title: str, section: str, text: str, max_chars: int = MAX_CHARS) -> str:
    """What a passage embeds as: `title — section: text`, cut at `max_chars`.

    The title carries the topic (a "Results" paragraph often never names the condition);
    the section tells a recommendation from background. Both lead, so truncation only
    ever cuts the passage's tail.
    """
    head = f"{title} — {section}: " if section else f"{title} — "
    return (head + text)[:max_chars]
