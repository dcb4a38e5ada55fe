"""medoracle: an offline, evidence-first clinical answer engine."""

from __future__ import annotations

from medoracle.errors import MedoracleError

__all__ = ["MedoracleError", "__version__"]

__version__ = "0.1.0"
