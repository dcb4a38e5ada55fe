"""The one exception tree of medoracle.

    MedoracleError                 root: every failure the user can act on
    ├── ConfigError                a setting or path is invalid
    ├── UnknownFormatError         no loader (ingest) or renderer (ask) for a format
    ├── SourceError                an input file or record cannot be read
    │   └── MalformedRecordError   one record is broken; ingest skips it and goes on
    ├── LibraryError               the evidence library cannot be used
    │   ├── LibraryLockedError     another process is writing to it
    │   └── LibraryCorruptError    the file is not a medoracle library, or is damaged
    ├── ModelError                 the language model server cannot be used (URL, key, model)
    └── RemoteError                a remote evidence service (PubMed) cannot be used

Only the CLI maps these to exit codes and one-line messages; only the web layer maps them
to HTTP status codes.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "LibraryCorruptError",
    "LibraryError",
    "LibraryLockedError",
    "MalformedRecordError",
    "MedoracleError",
    "ModelError",
    "RemoteError",
    "SourceError",
    "UnknownFormatError",
]


class MedoracleError(Exception):
    """Root of every error medoracle raises on purpose."""


class ConfigError(MedoracleError):
    """A setting, option or path is invalid."""


class UnknownFormatError(MedoracleError):
    """No loader handles the named ingest format, or no renderer the output format."""


class SourceError(MedoracleError):
    """An input file cannot be read as the format it was given as."""


class MalformedRecordError(SourceError):
    """One record in an otherwise readable file is broken."""


class LibraryError(MedoracleError):
    """The evidence library cannot be opened or written."""


class LibraryLockedError(LibraryError):
    """Another process holds the library's writer lock."""


class LibraryCorruptError(LibraryError):
    """The library file is not a medoracle SQLite database, or is damaged."""


class ModelError(MedoracleError):
    """The language model server is unreachable, refuses the key, lacks the model, or keeps
    failing after retries."""


class RemoteError(MedoracleError):
    """A remote evidence service is unreachable, refuses the request or keeps failing."""
