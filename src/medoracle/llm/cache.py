"""The model's replies on disk, keyed by what they were written from.

The key is the model and everything it was sent: the question, the audience, the evidence
(its fingerprint), the instructions and the output schema. The same question over the same
evidence is not sent twice; new evidence, another model or a changed contract asks again.
The model's raw page is kept, not the verified one, so verification always runs on the
current rules. Files are written whole
(a temporary file renamed into place) and readable by their owner only.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["ReplyCache", "cache_key"]


def cache_key(model: str, messages: Sequence[dict[str, str]], schema: dict[str, Any] | None) -> str:
    basis = json.dumps([model, list(messages), schema], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(basis.encode()).hexdigest()


class ReplyCache:
    """A folder of JSON replies, one file per key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.folder / f"{key}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, name = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(value, out, ensure_ascii=False)
            os.replace(name, self.folder / f"{key}.json")
        except OSError:
            return  # a cache that cannot be written only costs a second request
