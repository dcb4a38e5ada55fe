"""Candidate sentences: which source sentences may stand alone on an answer page.

A sentence is shown only if a reader can understand it without its neighbours: it does not
open with a dangling "this/these/they/it", it is not about the study's own logistics ("we
enrolled...", "data were collected..."), it is not a heading, a question or table residue.
Numbers, doses, units and negations are never touched; only a leading grade marker
("B - ") or discourse connective ("However, ") is removed from what is shown.
"""

from __future__ import annotations

import re

__all__ = [
    "display_text",
    "grade_marker",
    "is_clinical",
    "is_self_contained",
    "source_markers",
]

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
    # the standing transition clause of NICE technology appraisals: about funding, not care
    r"\bnot recommended for them by (?:the )?(?:NICE|National Institute)"
    r"|\bshould be able to continue (?:treatment|taking it) until they and their\b|"
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
    r"(?:\b(?:and|or|with|of|the|to|for|a|an|in|by|such as|including|than|that|which|if|"
    r"when|unless|whether|because|only if|as)|[,;(])\s*$",
    re.IGNORECASE,
)


# Markers guidelines write inside or after a recommendation: "[new 2014]", "(II-2A)",
# "[I, C]", "[IVC]", "(Evidence Quality: Grade B; Recommendation)", "(Strong recommendation,
# moderate-quality evidence)", footnote marks ("metformin*", "†"). The grade they carry is
# shown beside the statement instead.
_INLINE_GRADE = re.compile(
    r"\s*[\[(](?:"
    r"(?:new|updated?|amended|revised|reworded|replaced|unchanged)(?: in)? \d{4}"
    r"|(?:level|grade|class|strength|quality|loe|soe|cor)[^\])(]{0,60}"
    r"|evidence(?: quality| level)?[^\])(]{0,80}"
    r"|(?:strong|weak|conditional|moderate|high|low)[- ]"
    r"(?:recommendation|quality|certainty)[^\])(]{0,80}"
    r"|(?:recommendation|expert opinion|consensus|good practice point|gpp|gcp)[^\])(]{0,60}"
    r"|[IV]{1,4}(?:-\d)?[, -]*[A-E]?[+-]?|[A-E][+-]?|\d[a-c]?[, -]*[A-E]?|[A-D]/[IV]{1,3}"
    r")[\])]",
    re.IGNORECASE,
)
# "Recommendation 18:", "Key Action Statement 2:", "R3:" in front of a recommendation;
# "(LE 3a; GR B)" and "(Rostom et al., 2000)" after it.
_LABEL_PREFIX = re.compile(
    r"^\s*(?:recommendation|key action statement|statement|kas|r)\s*\d*[a-z]?\s*[:.)-]\s*",
    re.IGNORECASE,
)
_LABELLED_GRADE = re.compile(
    r"\s*\((?:LE|GR|LoE|SOR|QoE|GoR|NE|GRADE)\b[^()]{0,60}\)"
    r"|\s*\([A-Z][A-Za-z'-]+(?: (?:et al\.?|and [A-Z][A-Za-z'-]+))?,? (?:19|20)\d\d[a-z]?\)"
)
_FOOTNOTE = re.compile(r"(?<=[A-Za-z)])[*†‡§]+|\s[†‡§]")
_GRADE_INSIDE = re.compile(
    r"\b(?:grade|level|class)\s+([A-D][+-]?|[IV]{1,4}[a-c]?|\d[a-c]?)\b|^\s*([IV]{1,4}(?:-\d)?"
    r"[, -]*[A-E]?|[A-E][+-]?|\d[A-D])\s*$",
    re.IGNORECASE,
)


def source_markers(sentence: str) -> tuple[str, str | None]:
    """The sentence without its inline grade and footnote markers, and the first grade those
    markers gave ("B", "II-2A"), if any."""
    grade: str | None = None
    for match in _INLINE_GRADE.finditer(sentence):
        inner = match.group(0).strip(" [()]")
        found = _GRADE_INSIDE.search(inner)
        if grade is None and found:
            grade = (found.group(1) or found.group(2) or "").strip() or None
        elif grade is None and re.match(r"(?:strong|weak|conditional)\b", inner, re.IGNORECASE):
            grade = inner[:1].upper() + inner[1:]
    for match in _LABELLED_GRADE.finditer(sentence):
        found = re.search(r"\bGR\s*:?\s*([A-D])\b", match.group(0))
        if found and grade is None:
            grade = found.group(1)
    text = _INLINE_GRADE.sub("", sentence)
    text = _LABELLED_GRADE.sub("", text)
    text = _LABEL_PREFIX.sub("", text, count=1)
    text = _FOOTNOTE.sub("", text)
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return " ".join(text.split()), grade


# A heading glued to the sentence after it, as patient pages often are: "Common Symptoms The
# most common...", "OVER-THE-COUNTER PAIN RELIEVERS Over-the-counter means...".
_GLUED_HEADING = re.compile(
    r"^(?:(?:[A-Z][A-Z'-]+ ){1,6}(?=[A-Z][a-z])|(?:[A-Z][a-z'-]+ ){1,5}"
    r"(?=(?:The|A|An|Your|You|If|In|Most|Some|Many|People|This|It|So|Children|Adults|"
    r"Women|Men|Treatment|There|When|Ask|Call|Talk|Tell|Learn|See)\b ))"
)
# Two sentences run together with no stop between them ("...when the pain is severe If your
# pain does not improve"): the source lost a boundary, the text is not one sentence.
_RUN_ON = re.compile(
    r"(?<=[a-z,)]) (?:If|When|Your|You|The|This|These|Most|Some|Ask|Call|Talk|Tell|Learn|See|"
    r"Many|People|Children|It|There) (?=[a-z])"
)


# List items glued into one line: "...if it stops beating. oxygen aspirin to prevent...".
_GLUED_LIST = re.compile(r"\b(?!etc\b)[a-z]{3,}\. [a-z]{3,}")


def display_text(sentence: str) -> str:
    """The sentence as shown: one line, markup, grade and source markers removed, first
    letter capitalised; its words, numbers and negations exactly as the source has them."""
    text = " ".join(sentence.split())
    text = _MARKUP.sub("", text)
    text = _BULLET.sub("", text)
    text = _GRADE_PREFIX.sub("", text, count=1)
    text = _CONNECTIVE.sub("", text, count=1)
    text, _ = source_markers(text)
    text = _POINTER_ASIDE.sub("", text)
    text = " ".join(text.split()).strip(" ;,")
    unglued = _GLUED_HEADING.sub("", text, count=1)
    if unglued != text and len(unglued.split()) >= 4:
        text = unglued
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def grade_marker(sentence: str) -> str | None:
    """The grade a guideline wrote in front of ("A - ...") or inside ("... [II, C].") a
    recommendation, if any."""
    match = _GRADE_PREFIX.match(_BULLET.sub("", " ".join(sentence.split())))
    if match is None:
        return source_markers(sentence)[1]
    return match.group(0).strip(" -\u2013\u2014:)") or None


# An aside that points to another document: "(see University of Michigan Asthma guideline)",
# or, in a drug label, to another section: "[see Dosage and Administration (2.2)]".
_POINTER_ASIDE = re.compile(
    r"\s*(?:\((?:see|refer to|cf\.?)\s[^()]*\)|\[(?:see|refer to)\s[^\[\]]*\])", re.IGNORECASE
)
# Sentences that point elsewhere instead of saying something: "see the NGC summary of...",
# "refer to the original guideline", "(see Table 2)", "as described above".
_CROSS_REFERENCE = re.compile(
    r"\bsee (?:the |also |section |table |figure |appendix |below|above|box |algorithm |"
    r"annex |chapter |recommendation |the original|the full|the ngc|the related|"
    r"the \w+ (?:guideline|summary|section|field))"
    r"|\brefer(?:red)? to (?:the |section |table |appendix )"
    r"|\b(?:ngc|national guideline clearinghouse)\b"
    r"|\b(?:described|discussed|listed|shown|outlined|detailed|presented) "
    r"(?:above|below|earlier|later|in (?:the |section|table|appendix))"
    r"|\bthe following\b|\bas follows\b|\b(?:original|full) guideline (?:document|text)\b"
    r"|\bfield\b.{0,30}\b(?:below|above)\b"
    r"|\bin (?:this|the present) (?:guideline|document|summary|section)\b",
    re.IGNORECASE,
)
# Study protocols and the trial's own conduct say nothing about care.
_PROTOCOL = re.compile(
    r"\bwill (?:be )?(?:randomi[sz]ed|recruited|enrolled|assessed|measured|evaluated|receive|"
    r"undergo|compare|investigate|examine|determine|include)\b"
    r"|^(?:to|in order to) (?:assess|evaluate|determine|compare|investigate|examine|describe|"
    r"explore|identify|estimate|test)\b"
    r"|\b(?:primary|secondary) (?:end ?points?|outcomes?(?: measures?)?) "
    r"(?:is|are|was|were|will|included)\b"
    r"|\b(?:primary|secondary|main) hypothesis\b|\b(?:group|groups|arm|arms|participants) will\b"
    r"|(?-i:\bI (?:would|will|think|believe|have|am|was|had|did|could)\b)"
    r"|\btrial registration\b|\bregistered (?:at|with|in)\b|\bisrctn\b|\bnct\d"
    r"|\b(?:were|was) randomi[sz]ed (?:to|into|in a)\b|\bsample size\b|\bpower calculation\b"
    r"|\b(?:double|single)[- ]blind(?:ed)?,? (?:randomi[sz]ed|placebo)",
    re.IGNORECASE,
)
# Experiments in animals or cells do not answer a clinical question.
_ANIMAL = re.compile(
    r"\b(?:mice|mouse|murine|rats?|rodents?|rabbits?|hamsters?|guinea pigs?|piglets?|porcine|"
    r"canine|feline|bovine|ovine|monkeys?|macaques?|primates?|zebrafish|drosophila|"
    r"in vitro|ex vivo|cell lines?|cultured (?:cells|neurons)|animal (?:models?|studies|study|"
    r"experiments?)|xenografts?|knock-?out|transgenic|preclinical|pre-clinical)\b",
    re.IGNORECASE,
)


def is_clinical(text: str) -> bool:
    """Whether a sentence says something about care: not a pointer to another document, not
    a study protocol, not an animal or cell experiment."""
    return not (_CROSS_REFERENCE.search(text) or _PROTOCOL.search(text) or _ANIMAL.search(text))


# A sentence says something: it holds an auxiliary or modal, a past participle, or one of
# the verbs clinical sentences are made of. A list item ("Atypical or recurrent febrile
# UTI.") holds none.
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|do|does|did|can|cannot|could|may|might|"
    r"must|shall|should|will|would|\w{3,}ed|include[sd]?|cause[sd]?|occurs?|affects?|"
    r"recommends?|suggests?|reduces?|increases?|decreases?|leads?|helps?|needs?|requires?|"
    r"contains?|appears?|develops?|results?|improves?|prevents?|consider|offer|use|give|"
    r"treat|start|avoid|take|refer|perform|measure|assess|monitor|continue|stop|seek|call|"
    r"see|ask|tell|check|keep|make|get|try|discuss|provide|ensure|obtain|administer|"
    r"prescribe|repeat|screen|test|remain|becomes?|seems?|means?|shows?|works?|lasts?|"
    r"goes|comes|depends?|varies|differs?|consists?|involves?|allows?)\b",
    re.IGNORECASE,
)


def is_self_contained(text: str) -> bool:
    """Whether `text` (already through `display_text`) can stand alone on a page."""
    words = _WORD.findall(text)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if not _VERB.search(re.sub(r"\([^()]*\)", " ", text)):
        return False
    if (
        _RUN_ON.search(text)
        or _GLUED_LIST.search(text)
        or re.search(r"[a-z]{2,}[.!?] [^\w\s(\"'“][A-Z]", text)
        or re.search(r"[a-z][.!?:][A-Z][a-z]", text)
        or re.search(r"[a-z]{3}[A-Z][a-z]", text)
    ):
        return False  # two sentences run together, or words glued ("effectsoccur" aside)
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
