"""What an NGC summary record says about the guideline itself: its release, revision and
reaffirmation dates, whether it is still in use, who issued it and who wrote it.

These read NGC's free-text fields (`date_released`, `status`, `developer`,
`bibliographic_source`) for `medoracle.corpus.loaders.ngc`; the recommendations and summary
fields, which become passages, are read there.
"""

from __future__ import annotations

import re

from medoracle.corpus.models import Status

__all__ = [
    "authors",
    "developers",
    "parse_date",
    "reaffirmed",
    "release_date",
    "status_note",
    "status_of",
]

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_DATE = re.compile(r"(\d{4})(?:\s+([A-Za-z]{3})[a-z]*\.?(?:\s+(\d{1,2})\b)?)?")
_REVISED = re.compile(r"\brevised ([^;)]+)", re.IGNORECASE)
_REAFFIRMED = re.compile(r"\breaffirmed ([^;)]+)", re.IGNORECASE)
_STATUS_REAFFIRMED = re.compile(r"\breaffirmed the currency\b.*?\bin ([A-Z][a-z]+ \d{4})")
_UPDATES = re.compile(r"\bupdates a previous version\b", re.IGNORECASE)
# Status wording that takes a guideline out of current use; checked in order.
_STATUS_RULES = (
    (re.compile(r"\b(?:has been|was|is|were) (?:withdrawn|archived)\b", re.I), Status.WITHDRAWN),
    (re.compile(r"\b(?:has been|was|is) (?:superseded|replaced)\b", re.I), Status.SUPERSEDED),
)
# NGC appends the developer's organisation type: "... - Medical Specialty Society".
_ORG_TYPE = re.compile(
    r"\s+-\s+[A-Z][\w/ ]*(?:Society|Association|Panel|Agency|Organization|Center|Institution"
    r"|Collaboration|Institute)(?: \[[^\]]+\])?$"
)
# One author as MEDLINE writes it: surname(s), then up to three initials.
_AUTHOR = re.compile(r"^[A-Za-z][\w'’\-]+(?: [\w'’\-]+)* [A-Z]{1,3}(?: (?:Jr|Sr|2nd|3rd|II|III))?$")


def parse_date(text: str) -> str | None:
    """'2014 Aug 9' -> '2014-08-09'; '2014 Apr' -> '2014-04'; '2000' -> '2000'."""
    match = _DATE.search(text)
    if match is None:
        return None
    year, month, day = match.groups()
    if not month or month.lower() not in _MONTHS:
        return year
    iso = f"{year}-{_MONTHS.index(month.lower()) + 1:02d}"
    return f"{iso}-{int(day):02d}" if day and 1 <= int(day) <= 31 else iso


def release_date(released: str) -> str | None:
    """The date of the version summarised: the revision if there was one, else the release.

    A reaffirmation does not change the text, so it is kept in `extra`, not here.
    """
    revised = _REVISED.search(released)
    return parse_date(revised.group(1)) if revised else parse_date(released.split("(")[0])


def reaffirmed(released: str, status_text: str) -> str | None:
    """When the developer reaffirmed the guideline, as NGC writes it, if it says so."""
    in_date = _REAFFIRMED.search(released)
    if in_date:
        return in_date.group(1).strip()
    in_status = _STATUS_REAFFIRMED.search(status_text)
    return in_status.group(1) if in_status else None


def status_of(status_text: str) -> Status:
    """Withdrawn or superseded only where the status says so of this guideline.

    The paragraph naming the previous version it updates is ignored: its citation may well
    contain words like "withdrawal" or "replacement".
    """
    own = [p for p in re.split(r"\n\s*\n", status_text) if not _UPDATES.search(p)]
    for pattern, status in _STATUS_RULES:
        if any(pattern.search(p) for p in own):
            return status
    return Status.CURRENT


def status_note(status_text: str, reaffirmed: str | None) -> str | None:
    notes: list[str] = []
    if reaffirmed:
        notes.append(f"Reaffirmed by the developer in {_month_year(reaffirmed)}")
    if _UPDATES.search(status_text):
        notes.append("Updates a previous version")
    return "; ".join(notes) or None


def _month_year(text: str) -> str:
    iso = parse_date(text)
    if iso is None or len(iso) < 7:
        return iso or text
    return f"{_MONTH_NAMES[int(iso[5:7]) - 1]} {iso[:4]}"


def developers(text: str) -> list[str]:
    """Issuing bodies, one per line or '; ', without NGC's organisation-type suffix."""
    names = (_ORG_TYPE.sub("", part).strip() for part in re.split(r"\n|; ", text))
    return [name for name in names if name]


def authors(bibliographic_source: str) -> list[str]:
    """Personal authors of the first citation, or none where it names a body instead.

    A citation starts "| Surname AB, Surname CD. Title. ..."; authors are read while the
    comma-separated parts look like MEDLINE names, so a trailing group name is left out
    and a citation led by an organisation yields no authors.
    """
    first = bibliographic_source.strip().lstrip("|").strip().split("\n")[0]
    lead = re.match(r"^([^.]+)\.\s", first)
    if lead is None:
        return []
    found: list[str] = []
    for part in (p.strip() for p in lead.group(1).split(",")):
        if part == "et al":
            break
        if not _AUTHOR.match(part):
            break
        found.append(part)
    return found
