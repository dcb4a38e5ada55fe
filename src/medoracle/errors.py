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
    ├── RemoteError                a remote evidence service (PubMed) cannot be used
    └── ArticleError               the articles service (`medoracle.articles`) refuses a request
        ├── NotFound               no article, version or statement by that name
        ├── Refused                the text is not a medical question medoracle answers
        ├── TransitionError        a review move that does not exist, or not for this role
        └── Conflict               the article changed between reading and writing it

Only the CLI maps these to exit codes and one-line messages (`medoracle.cli.common`:
every one is exit 1); only the web layer maps them to HTTP status codes
(`medoracle.web.errors`).
"""

from __future__ import annotations

__all__ = [
    "ArticleError",
    "ConfigError",
    "Conflict",
    "LibraryCorruptError",
    "LibraryError",
    "LibraryLockedError",
    "MalformedRecordError",
    "MedoracleError",
    "ModelError",
    "NotFound",
    "Refused",
    "RemoteError",
    "SourceError",
    "TransitionError",
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


class ArticleError(MedoracleError):
    """The articles service refuses a request: a wrong name, question, move or a lost race."""


class NotFound(ArticleError):
    """No article, version or statement by that name."""


class Refused(ArticleError):
    """The text is not a medical question medoracle answers (instructions, another language,
    or no words at all)."""


class TransitionError(ArticleError):
    """A state change that does not exist, or that this role may not make."""


class Conflict(ArticleError):
    """Somebody else changed the article between reading and writing it."""
