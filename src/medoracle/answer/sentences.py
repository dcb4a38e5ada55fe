"""Candidate sentences: which source sentences may stand alone on an answer page.

A sentence is shown only if a reader can understand it without its neighbours: it does not
open with a dangling "this/these/they/it", it is not about the study's own logistics ("we
enrolled...", "data were collected..."), it is not a heading, a question or table residue.
Numbers, doses, units and negations are never touched; only a leading grade marker
("B - ") or discourse connective ("However, ") is removed from what is shown.
"""

from __future__ import annotations

import re

__all__ = ["display_text", "grade_marker", "is_self_contained"]

MIN_WORDS = 6
MAX_WORDS = 70

# "A - ", "GCP - ", "Level B:", "Grade 1A -", "√ ", "IIa - ": grade markers the guideline
# loaders keep in the text; the passage's grade is shown beside the statement instead.
_GRADE_PREFIX = re.compile(
    r"^\s*(?:(?:level|grade|class|strength)\s+)?"
    r"(?:[A-D][+-]?(?:/[A-D][+-]?)?|GCP|GPP|[IV]{1,4}[a-c]?|[1-4][A-D]?|\u221a)\s*[-\u2013\u2014:)]\s+",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa]|\(?[a-z0-9]{1,2}[.)])\s+")
_CONNECTIVE = re.compile(
    r"^(?:however|moreover|furthermore|additionally|in addition|therefore|thus|also|hence|"
    r"consequently|overall|importantly|notably|finally|in conclusion|in summary|conclusions?)"
    r"\s*[,:]\s*",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"^(?:this|these|those|they|them|it|its|their|such|he|she|his|her|both|either|neither|"
    r"the latter|the former|the above|the same|here|there|that|which|and|but|or|nor|so|then|"
    r"other|another|similarly|likewise|conversely|in contrast|by contrast|on the other hand|"
    r"nevertheless|nonetheless|instead|otherwise|accordingly|"
    r"(?:therefore|thus|hence|also|so) (?:this|these|those|they|it|such)|"
    r"(?:as an alternative to|in addition to|apart from|unlike|compared with|besides|after|"
    r"before|with|of|for|in|among) (?:these|this|those|them|it|such))\b",
    re.IGNORECASE,
)
_LOGISTICS = re.compile(
    r"\bwe (?:\w+ )?(?:enrolled|recruited|randomi[sz]ed|included|excluded|collected|conducted|"
    r"performed|searched|screened|aimed|sought|selected|obtained|recorded|followed|designed|"
    r"hypothesi[sz]ed|retrospectively|prospectively|will|plan|used data)\b"
    r"|\bour (?:study|trial|data|cohort|sample|analysis|patients|participants|group|lab)\b"
    r"|\b(?:heat ?maps?|panels? [a-h]\b|are (?:indicated|shown|depicted) (?:in|by|along))"
    r"|^\(?[a-h]\)\s"
    r"|\bdata (?:were|was) (?:collected|extracted|analy[sz]ed|obtained|recorded|gathered)\b"
    r"|\b(?:patients|participants|subjects|women|men|children|adults|infants|volunteers|cases)"
    r" (?:were|was) (?:enrolled|recruited|randomi[sz]ed|included|excluded|assigned|allocated|"
    r"screened|followed|invited|identified|selected|interviewed|asked)\b"
    r"|\b(?:this|the present|the current|our) (?:study|trial|review|analysis|paper|article|"
    r"survey|report|work|research|protocol)\b"
    r"|\bthe (?:aim|objective|purpose|goal)s? (?:of|was|is)\b"
    r"|\b(?:was|were) (?:registered|approved by)\b|\binformed consent\b|\bethic(?:s|al) committee\b"
    r"|\bclinicaltrials\.gov\b|\b(?:table|figure|fig\.?) ?\d|\bsupplementary\b"
    r"|\bsearched (?:medline|pubmed|embase|cinahl|the cochrane)\b|\binclusion criteria\b"
    r"|\b(?:funded|sponsored) by\b|\bconflicts? of interest\b|\bthe authors?\b"
    r"|\bin (?:this|the present) (?:study|trial|review|paper)\b|\bwas (?:designed|conducted) to\b",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<[^>]*>|\w+=\"[^\"]*\">|&[a-z]+;|\s?\[\d+(?:\s*[,\u2013-]\s*\d+)*\](?=\W|$)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_UNFINISHED = re.compile(
    r"(?:\b(?:and|or|with|of|the|to|for|a|an|in|by|such as|including|than|that|which)|[,;(])\s*$",
    re.IGNORECASE,
)


def display_text(sentence: str) -> str:
    """The sentence as shown: one line, markup and grade marker removed, first letter
    capitalised; its words, numbers and negations exactly as the source has them."""
    text = " ".join(sentence.split())
    text = _MARKUP.sub("", text)
    text = _BULLET.sub("", text)
    text = _GRADE_PREFIX.sub("", text, count=1)
    text = _CONNECTIVE.sub("", text, count=1)
    text = " ".join(text.split()).strip(" ;,")
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def grade_marker(sentence: str) -> str | None:
    """The grade a guideline wrote in front of a recommendation ("A - ..."), if any."""
    match = _GRADE_PREFIX.match(_BULLET.sub("", " ".join(sentence.split())))
    if match is None:
        return None
    return match.group(0).strip(" -\u2013\u2014:)") or None


def is_self_contained(text: str) -> bool:
    """Whether `text` (already through `display_text`) can stand alone on a page."""
    words = _WORD.findall(text)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if text.endswith(("?", ":")) or not text[0].isalnum():
        return False
    if _UNFINISHED.search(text):  # cut off mid-list: "Offer an ELISA test and"
        return False
    if not text.rstrip(")]\"'”").endswith((".", "!")) and len(words) < 15:
        return False  # a heading or a list item, not a sentence
    if _DANGLING.match(text) or _LOGISTICS.search(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    if letters < 0.6 * len(text.replace(" ", "")):  # table rows, numeric residue
        return False
    if text.count("(") != text.count(")") or "\u2026" in text or text.endswith("..."):
        return False
    return text.count(" - ") < 3  # a run-together list, not a sentence
