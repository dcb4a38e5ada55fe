"""What a question is about, as weighted concepts a sentence can cover.

A question such as "management of SLE with progressive leg weakness" asks about two things:
the condition (SLE, also written "systemic lupus erythematosus" or "lupus") and the
presentation (leg weakness, which the evidence calls myelitis or neuropsychiatric lupus).
Each concept is a set of stemmed alternatives; a sentence covers a concept when it holds
any of them. A concept weighs the IDF of its rarest question word, so "lupus" counts more
than "progressive". Coverage is the weighted share of concepts a sentence holds.

Words that only say what kind of answer is wanted ("management", "appropriate",
"patient") are not concepts: every answer would cover them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from medoracle.query.plan import Topic
from medoracle.query.presentations import Presentation, find_presentations, presentations

__all__ = [
    "Concept",
    "Presentation",
    "build_concepts",
    "coverage",
    "find_presentations",
    "other_manifestations",
]

# Words that name the kind of answer wanted, not its subject.
INTENT_WORDS = (
    "what whats is are was were the a an of in on for to with and or about appropriate best "
    "correct proper current standard recommended recommendation recommendations recommend "
    "management manage managing managed treatment treatments treat treated treating therapy "
    "therapies therapeutic option options approach approaches strategy strategies patient "
    "patients person people someone adult adults individual individuals man woman who which "
    "how should can could would will do does did may might must have has having had "
    "experiencing experience experiences suffering presenting present presents diagnosed "
    "medication medications medicine medicines drug drugs used use using given first line "
    "new latest evidence guideline guidelines know tell explain please me my i you your "
    "type types kind kinds way ways need needs get describe description explain list "
    "report reported reports been being role roles involved associated association "
    "implicated related effect effects affect affects main major common usual typical "
    # the chat around a consumer's question: greetings, hedges, pronouns, time words
    "hi hello dear thank thanks please help question questions information info regarding "
    "regard just very really curious wondering wonder know knowing tell telling told ask "
    "asking asked find finding search read reading heard hear think thought sure so now "
    "then than also still even well much many any some there here this that these those "
    "he she him her his hers they them their it its we us our im ive id dont cant wont "
    "when where if because since while after before about around time times day days week "
    "weeks month months year years today yesterday ago got getting go going went make made "
    "see seen say said want wanted try tried trying able thing things lot lots"
)

# Words that qualify a complaint rather than name it; they count for less.
MODIFIER_WORDS = (
    "progressive sudden acute chronic severe mild moderate recurrent persistent worsening "
    "early late new old frequent occasional ongoing long short "
    # relations a yes/no question asks about: the subject matters more than the verb
    "effective efficacy efficacious inhibit inhibits inhibitor bind binds binding linked link "
    "cause causes caused increase increases decrease decreases reduce reduces improve "
    "improves induce induces activate activates regulate regulates target targets better "
    "worse safe safety useful beneficial"
)
MODIFIER_WEIGHT = 0.3

# Tokens with an IDF below this are too common to show that a sentence is on topic.
MIN_IDF = 2.0
SMALL_LIBRARY_SHARE = 0.35
# A token no library passage holds: its IDF is the largest the index can give.
UNSEEN_TOKEN = "zqxjunseenzqxj"
# A topic's alternative must be at least this share as rare as its rarest question word.
RELATIVE_IDF = 0.6


@dataclass(frozen=True)
class Concept:
    label: str
    tokens: frozenset[str]
    weight: float
    kind: str  # "topic", "presentation" or "word"


def build_concepts(
    text: str,
    topics: Iterable[Topic],
    tokens: Callable[[str], list[str]],
    idf: Callable[[Iterable[str]], Mapping[str, float]],
) -> list[Concept]:
    """The question's concepts: its topics (abbreviations with their senses, MeSH headings),
    its presenting complaints with their syndromes, then each remaining content word."""
    intent = set(tokens(INTENT_WORDS))
    modifiers = set(tokens(MODIFIER_WORDS))
    asked = [t for t in dict.fromkeys(tokens(text)) if t not in intent and not t.isdigit()]
    if not asked:
        return []
    groups: list[tuple[str, set[str], set[str], str]] = []  # label, asked, alternatives, kind
    for topic in topics:
        alternatives = set(tokens(f"{topic.name} {topic.text}")) - intent
        owned = {t for t in asked if t in alternatives}
        if owned:
            groups.append((topic.text, owned, alternatives, "topic"))
    for presentation, words in find_presentations(text):
        owned = {t for t in asked if t in set(tokens(words))}
        if owned:
            alternatives = owned | set(tokens(" ".join(presentation.terms)))
            groups.append((presentation.phrase, owned, alternatives - intent, "presentation"))
    groups = _merged(groups)
    claimed = {t for _, owned, _, _ in groups for t in owned}
    groups.extend((t, {t}, {t}, "word") for t in asked if t not in claimed)
    unseen = idf([UNSEEN_TOKEN]).get(UNSEEN_TOKEN, float("inf"))
    weights = {
        token: value
        for token, value in idf({t for _, _, a, _ in groups for t in a}).items()
        if value < unseen - 1e-6  # a word the library never uses cannot be covered
    }
    # A small library has no very rare words; the bar scales with the question's rarest.
    common = min(MIN_IDF, SMALL_LIBRARY_SHARE * max(weights.values(), default=0.0))
    concepts: list[Concept] = []
    for label, owned, alternatives, kind in groups:
        weight = max((weights.get(t, 0.0) for t in owned), default=0.0)
        if owned <= modifiers:
            weight *= MODIFIER_WEIGHT
        # "systemic" in "systemic lupus erythematosus" is too common to stand for lupus,
        # and "blood" in "low white blood cell count" too common to stand for leukopenia.
        least = max(common, RELATIVE_IDF * weight) if kind != "word" else common
        syndromes = alternatives - owned if kind == "presentation" else set()
        strong = frozenset(
            t for t in alternatives if weights.get(t, 0.0) >= (common if t in syndromes else least)
        )
        if weight > 0 and strong:
            concepts.append(Concept(label, strong, weight, kind))
    return concepts


def _merged(
    groups: list[tuple[str, set[str], set[str], str]],
) -> list[tuple[str, set[str], set[str], str]]:
    """Groups that own a common question word are one concept ("SLE" and "systemic lupus
    erythematosus" in the same question)."""
    merged: list[tuple[str, set[str], set[str], str]] = []
    for label, owned, alternatives, kind in groups:
        for index, (other_label, other_owned, other_alts, other_kind) in enumerate(merged):
            if owned & other_owned or owned & other_alts or other_owned & alternatives:
                # A complaint that is also a heading stays a complaint.
                kinds = {kind, other_kind}
                merged_kind = "presentation" if "presentation" in kinds else other_kind
                merged[index] = (
                    other_label,
                    other_owned | owned,
                    other_alts | alternatives,
                    merged_kind,
                )
                break
        else:
            merged.append((label, set(owned), set(alternatives), kind))
    return merged


def coverage(
    concepts: list[Concept],
    sentence: frozenset[str],
    context: frozenset[str] = frozenset(),
    subject: frozenset[str] = frozenset(),
) -> tuple[float, int]:
    """(weighted share of concepts covered, concepts the sentence holds).

    A concept found only in the `context` (source title, section heading) counts half. A
    topic found in the `subject` (the title of a guideline or review whose recommendation
    this is) counts in full: every recommendation of an SLE guideline is about SLE."""
    total = sum(c.weight for c in concepts)
    if total <= 0:
        return 0.0, 0
    got = 0.0
    direct = 0
    for concept in concepts:
        if concept.tokens & sentence or (
            concept.kind != "presentation" and concept.tokens & subject
        ):
            got += concept.weight
            direct += 1
        elif concept.tokens & context:
            got += concept.weight / 2
    return got / total, direct


def other_manifestations(
    concepts: list[Concept], tokens: Callable[[str], list[str]]
) -> frozenset[str]:
    """When the question names a presenting complaint, the words of every other complaint's
    syndromes: a sentence about lupus nephritis is off focus for lupus with leg weakness."""
    asked = {t for c in concepts if c.kind == "presentation" for t in c.tokens}
    if not asked:
        return frozenset()
    words = {t for p in presentations() if p.focus for t in tokens(" ".join(p.terms))}
    return frozenset(words - asked)
