"""From candidate keys to concepts: acronym senses, variants, termhood, labels and hierarchy.

`kg.extract.concepts` counts candidate phrases per paper; the rules here decide which keys name the
same concept, which keys are research concepts at all, how a concept is labelled, and which
concept is a specialisation of another.  They use the corpus's own statistics together with
how common a word is in general English (wordfreq), so that "depth" or "series of ablation
experiments" are not concepts while "quantization" and "speculative decoding" are.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from kg.extract.lexicon import (
    _ADJECTIVE_ENDINGS,
    _NOUNS_LIKE_ADJECTIVES,
    BROAD_ALONE,
    CONNECTORS,
    FILLER_MODIFIERS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
)
from kg.extract.phrases import _lemma, is_acronym, zipf
from kg.extract.senses import repeats_a_word

# Head nouns that describe a concept rather than name it: "transformer model" is the
# transformer, "attention mechanism" attention, "text-to-image generation" text-to-image,
# where the shorter form is itself a term.
DESCRIPTIVE_HEADS = frozenset(
    "model network architecture algorithm mechanism generation framework method approach".split()
)
# Heads of academic boilerplate: "series of ablation experiments", "facilitate future
# research", "downstream applications" are no research concepts, whatever precedes them.
BOILERPLATE_HEADS = frozenset(
    """
    experiment research study analysis result evaluation improvement effectiveness capability
    ability advantage benefit limitation challenge issue work paper finding insight contribution
    direction range variety number amount series magnitude aspect field area community practice
    literature scenario application case example step way manner need goal observation
    implication perspective experience attempt potential progress success effort role impact
    importance trend fact lot kind type form part detail end usage use gain drop margin
    interpretation strength understanding page set demand off
    """.split()
)
# A word this common in general English (Zipf scale) is too broad to tag a paper with on its
# own ("depth", "video", "control"); between the two bounds its weight shrinks.
COMMON_ZIPF = 4.3
SPECIFIC_ZIPF = 3.3
# A term that is the head of its noun phrase in fewer than this share of its uses is a
# modifier ("real-world", "pixel-level", "large-scale"), not a concept.
MIN_HEAD_SHARE = 0.2
# An "-ing" word followed by its object this often is a verb ("capturing the ..."), not a term.
MAX_VERB_SHARE = 0.25
# A word written this often inside one longer term is a piece of it ("sensing" of "remote
# sensing", "splatting" of "Gaussian splatting"), not a concept of its own.
MAX_WITHIN_SHARE = 0.75
# A hyphen-joined compound led by an adjective ("real-time", "high-resolution", "zero-shot")
# is a modifier unless it stands as a head in this share of its uses.
MIN_COMPOUND_HEAD_SHARE = 0.5
# Modifiers of size, quality and scope that, leading a compound, make it an adjective.
SCOPE_MODIFIERS = frozenset(
    """
    high low wide narrow open closed real long short large small multi zero few single whole
    full half fine coarse top bottom near far black white off out end plug
    """.split()
)
# Second parts of compounds that make an adjective of a noun: "bias-aware", "training-free",
# "persona-driven", "model-agnostic", "LLM-based", "token-wise"; a phrase ending on one
# describes a concept and names none ("bias-aware recommendation" does).  Not "invariant",
# a noun too ("moment invariants").
ADJECTIVE_ENDS = frozenset(
    """
    aware free driven agnostic oriented guided consistent dependent centric conditioned
    preserving resistant friendly based grained wise
    """.split()
)
MIN_JOINED_ADJECTIVE = 0.5  # the share of its uses such a compound is written hyphen-joined
# Nouns of the data a paper works on: led only by general words ("single image", "synthetic
# datasets", "high-quality images", "user queries") they describe material, not a concept.
MATERIAL_HEADS = frozenset(
    """
    data dataset image video scene frame sample text input output question query benchmark
    result feature setting condition scenario environment document sentence report
    """.split()
)
# Evaluative words inside a phrase mark a sentence's verb and object ("garnered significant
# attention", "achieve remarkable performance"), not a term.
EVALUATIVE = frozenset(
    """
    significant remarkable impressive superior substantial considerable notable increasing
    growing great tremendous unprecedented promising
    """.split()
)


# ----------------------------------------------------------------------------------------
# Acronyms


# ----------------------------------------------------------------------------------------
# Variants


def variant_merges(
    keys: Sequence[str],
    usable: Sequence[bool],
    acronyms: set[str],
    together: Callable[[list[tuple[int, int]]], set[tuple[int, int]]],
) -> list[int]:
    """For each key, the number of the key it merges into (itself if none).

    Merged: a descriptive head with the term it describes ("transformer model" into
    "transformer"), a truncated word with its full form ("layer norm" into "layer
    normalization"), and an acronym never defined in the corpus (`acronyms` holds their
    keys) with the one usable term whose initials it spells, where the two share papers
    ("kv" into "key value").  `usable[i]` says whether key i can be a concept at all;
    `together(pairs)` returns those of the (key, key) number pairs that share two papers.
    """
    number = {k: i for i, k in enumerate(keys)}
    target = list(range(len(keys)))
    by_initials: dict[str, list[int]] = defaultdict(list)
    # Per stem (all words but the last), the usable keys' last words, sorted, with their
    # numbers: the fuller forms of a truncated last word are one bisected range of them.
    by_stem: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i, key in enumerate(keys):
        if usable[i] and " " in key:
            words = key.split()
            by_initials["".join(w[0] for w in words if w not in CONNECTORS)].append(i)
            stem, _, last = key.rpartition(" ")
            by_stem[stem].append((last, i))
    for group in by_stem.values():
        group.sort()
    spelled: list[tuple[int, int]] = []
    for i, key in enumerate(keys):
        stem, _, last = key.rpartition(" ")
        if stem and last in DESCRIPTIVE_HEADS:
            shorter = number.get(stem)
            if shorter is not None and usable[shorter]:
                target[i] = shorter
                continue
        if stem and len(last) >= 4:
            group = by_stem.get(stem, [])
            lo = bisect_left(group, (last,))
            hi = bisect_left(group, (last + "\U0010ffff",), lo)
            # The range holds every last word that starts with this one; fuller: longer ones.
            # A fuller form is a word English knows ("normalization"), not a typo that runs
            # two words together ("reconstructionin") nor a compound ("data" is no "database").
            fuller = [j for word, j in group[lo:hi] if _fuller(last, word)] if hi - lo <= 2 else []
            if len(fuller) == 1:
                target[i] = fuller[0]
                continue
        if key in acronyms:
            spelled += [(i, j) for j in by_initials.get(key, ())]
    met = together(spelled)
    found: dict[int, list[int]] = {}
    for a, j in spelled:
        met_ones = found.setdefault(a, [])
        if (a, j) in met:
            met_ones.append(j)
    for i, fuller_forms in found.items():
        if len(fuller_forms) == 1:
            target[i] = fuller_forms[0]
    for i in range(len(target)):  # chains end at a key that merges nowhere
        seen = {i}
        while target[target[i]] != target[i] and target[target[i]] not in seen:
            seen.add(target[i])
            target[i] = target[target[i]]
    return target


# ----------------------------------------------------------------------------------------
# Termhood


def single_word_weight(word: str) -> float:
    """How much a one-word term counts: 1 for technical words, less for common English, 0 if too common."""
    common = zipf(word)
    if common >= COMMON_ZIPF:
        return 0.0
    if common <= SPECIFIC_ZIPF:
        return 1.0
    return 1.0 - 0.6 * (common - SPECIFIC_ZIPF) / (COMMON_ZIPF - SPECIFIC_ZIPF)


def is_term(
    key: str,
    *,
    head_share: float,
    verb_share: float,
    hyphen_to: bool,
    compound_head: bool,
    within: float = 0.0,
    joined: float = 0.0,
    defined: bool = False,
) -> bool:
    """Whether a candidate key can name a research concept (corpus counts aside).

    `compound_head` says whether a longer key ends with this one ("layer pruning" for
    "pruning"): a lone "-ing" word is a term only where the corpus uses it as a noun so.
    `within` is the share of the key's uses inside the one longer key that holds it most
    ("remote sensing" for "sensing"); `joined`, the share written as one hyphen-joined word;
    `defined`, whether the corpus defines an acronym by the key ("whole slide images" of WSI),
    which makes it a concept however general its words.
    """
    if head_share < MIN_HEAD_SHARE or verb_share > MAX_VERB_SHARE:
        return False  # the cheapest test first: most candidates fail it
    words = key.split()
    if not words or len(key) < 2:
        return False
    if len(words) > 1 and any(map(str.__eq__, words, words[1:])):
        return False  # a word written twice at once is garbled: "language language models"
    if all(w in GENERIC_WORDS or w in FILLER_MODIFIERS or w in FUNCTION_WORDS for w in words):
        return False
    if words[-1] in BOILERPLATE_HEADS or words[-1].isdigit() or words[-1] in FILLER_MODIFIERS:
        return False  # ... or an adjective: "token-efficient", "noise-robust"
    if len(words) > 2 and words[1] == "quality" and words[0] in QUALITY_JUDGEMENTS:
        return False  # a judgement of the material, not a kind of it: "high quality 3d models"
    if len(words) > 1 and _versioned(words[-1]) and _lemma(words[-2]) in STANDS_FOR_A_NAME:
        return False  # a general noun and the name of the model it stands for: "base model qwen2"
    if len(words) > 1 and words[-1] in ADJECTIVE_ENDS and joined >= MIN_JOINED_ADJECTIVE and not defined:
        return False  # written "bias-aware", not a coined name ("PolarFree") nor a defined long form
    if len(words) > 1 and not _noun_phrase(words, head_share, joined, defined):
        return False
    if any(
        words[i + 1] in CONNECTORS
        and (_lemma(words[i]) in GENERIC_WORDS or _lemma(words[i]) in BOILERPLATE_HEADS)
        for i in range(len(words) - 1)
    ):
        return False  # "number of parameters", "variety of tasks", "role of LayerNorm"
    if len(words) == 1:
        word = words[0]
        if word in BROAD_ALONE or word in GENERIC_WORDS or any(c.isdigit() for c in word):
            return False
        if word.endswith(_ADJECTIVE_ENDINGS) and word not in _NOUNS_LIKE_ADJECTIVES:
            return False
        if single_word_weight(word) == 0.0 or (word.endswith("ing") and not compound_head):
            return False
        if within >= MAX_WITHIN_SHARE:
            return False
    # "X to Y" is a compound only where someone wrote it "X-to-Y" ("text to image");
    # otherwise it is a verb phrase ("approach to learn").
    return " to " not in f" {key} " or hyphen_to


# Words that judge quality rather than name a kind ("high quality", "low quality").
# ("low quality face recognition" names a field of work: only the praise is dropped.)
QUALITY_JUDGEMENTS = frozenset({"high", "higher", "highest", "good", "better", "best"})
# General nouns a versioned name follows in apposition: "base model Qwen2", "dataset COCO2017".
STANDS_FOR_A_NAME = frozenset({"model", "dataset", "data", "benchmark", "baseline", "version", "checkpoint"})


def _versioned(word: str) -> bool:
    """Whether a word is a name with a version or size in it ("qwen2", "gpt4o", "llama3"):
    letters and digits, not a plain quantity ("3d", "100k" are not names)."""
    return any(c.isdigit() for c in word) and sum(c.isalpha() for c in word) >= 3


def _fuller(short: str, word: str) -> bool:
    """Whether `word` is a fuller form of the truncated `short` ("norm": "normalization")."""
    extra = word[len(short) :]
    return len(extra) >= 5 and zipf(word) > 0 and zipf(extra) == 0


def _noun_phrase(words: list[str], head_share: float, joined: float, defined: bool) -> bool:
    """Whether words of a candidate read as a noun phrase rather than a modifier, a piece of
    a sentence or a description of a paper's material (see SCOPE_MODIFIERS, MATERIAL_HEADS,
    EVALUATIVE)."""
    first = words[0]
    if any(w in EVALUATIVE for w in words[1:]):
        return False
    if first.endswith("ing") and _modifier(words[1]):
        return False  # a verb and its object: "understanding long videos", "learning robust features"
    if first in SCOPE_MODIFIERS and joined >= 0.5 and head_share < MIN_COMPOUND_HEAD_SHARE:
        return False  # "real-time", "high-resolution", "multi-view", "off-the-shelf"
    if _lemma(words[-1]) in MATERIAL_HEADS and not defined and not CONNECTORS & set(words):
        return not all(_modifier(w) or zipf(w) >= COMMON_ZIPF or w in SCOPE_MODIFIERS for w in words[:-1])
    return True


def _modifier(word: str) -> bool:
    """Whether a word reads as a general adjective or a modifier of scope ("3d", "long",
    "robust", "synthetic"; not the technical "hyperspectral")."""
    return (
        word in FILLER_MODIFIERS
        or word in SCOPE_MODIFIERS
        or word in ("2d", "3d", "4d")
        or (
            word.endswith(_ADJECTIVE_ENDINGS)
            and word not in _NOUNS_LIKE_ADJECTIVES
            and len(word) > 4
            and zipf(word) >= SPECIFIC_ZIPF
        )
    )


def term_weight(key: str, idf: float) -> float:
    """Ranking weight of a term: rarity in the corpus, length (up to 2x), and specificity."""
    words = key.count(" ") + 1
    specific = single_word_weight(key) if words == 1 else 1.0
    return idf * (1 + 0.5 * min(words - 1, 2)) * specific


def idf(papers: int, df: int) -> float:
    return math.log(papers / df) + 1.0


# ----------------------------------------------------------------------------------------
# Labels


def preferred_label(forms: Counter[str], own: set[str]) -> str | None:
    """The form its papers write most often (case, hyphens and number as written).

    `forms` counts papers per written form; `own` holds the forms that are the concept's own
    key (not a merged variant), which are preferred.  Acronyms are labels only where the
    concept has no other written form.  Forms differing only in case count together; the
    most written casing wins.
    """
    candidates = {f: n for f, n in forms.items() if f in own and not is_acronym(f)}
    if not candidates:
        candidates = {f: n for f, n in forms.items() if not is_acronym(f)} or dict(forms)
    if not candidates:
        return None
    by_lower: Counter[str] = Counter()
    for form, n in candidates.items():
        by_lower[form.lower()] += n
    best_lower = sorted(by_lower.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0][0]
    casings = [(n, f) for f, n in candidates.items() if f.lower() == best_lower]
    return sorted(casings, key=lambda nf: (-nf[0], nf[1].lower() != nf[1], nf[1]))[0][1]


def alternative_labels(label: str, forms: Iterable[str]) -> list[str]:
    """The other written forms: acronyms as written, other forms once each in lower case."""
    alts: dict[str, str] = {}
    for form in sorted(forms):
        if repeats_a_word(form.split()):
            continue
        shown = form if is_acronym(form) else _lower_words(form)
        alts.setdefault(shown if is_acronym(form) else shown.lower(), shown)
    alts.pop(label if is_acronym(label) else label.lower(), None)
    return sorted(set(alts.values()) - {label})


def _lower_words(phrase: str) -> str:
    """Lower-case a phrase but keep acronyms and coined names (`ViT`, `LayerNorm`) as written."""
    return " ".join(
        w if is_acronym(w) or any(c.isupper() for c in w[1:]) else w.lower() for w in phrase.split()
    )


# ----------------------------------------------------------------------------------------
# Hierarchy


def broader_terms(keys: Iterable[str]) -> dict[str, str]:
    """{narrower key: broader key}: the longest proper word suffix of a key that is a key too.

    "medical image segmentation" is narrower than "image segmentation" where both are
    concepts, else than "segmentation"; "speculative decoding" is narrower than "decoding".
    """
    known = set(keys)
    broader = {}
    for key in sorted(known):
        words = key.split()
        if CONNECTORS & set(words):  # "mixture of experts" is a mixture, not an expert
            continue
        for start in range(1, len(words)):
            suffix = " ".join(words[start:])
            if suffix in known:
                broader[key] = suffix
                break
    return broader
