"""Choosing each paper's concepts: rank its terms, keep the best, label the chosen ones."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix

from kg.extract.candidates import CorpusTerms
from kg.extract.field import Field
from kg.extract.phrases import slugify
from kg.extract.senses import AcronymSenses
from kg.extract.terms import alternative_labels, broader_terms, preferred_label
from kg.extract.vocabulary import MAX_TITLE_TAGS, TITLE_BIT, Concept

_RANK_BLOCK = 10_000
# A concept's own key is its label only where its papers write it as the head of its noun
# phrase (nothing of the phrase after it) in at least this share of its mentions.
LABEL_HEAD_SHARE = 0.2


def label_concepts(
    terms: CorpusTerms,
    target_of: list[str | None],
    into: list[int],
    raw_keys: list[str],
    kept: set[str],
    support: Counter[str],
    curated: dict[str, str],
    senses: AcronymSenses,
) -> dict[str, Concept]:
    """The kept concepts with their labels (the forms papers wrote) and hierarchy."""
    # Forms written, with the papers writing each, per concept; a form of the concept's own
    # key (not of a merged variant) is preferred as its label, where it stands as a phrase.
    papers_with = np.bincount(terms.ids, minlength=len(terms.surfaces))
    mentions = np.bincount(terms.ids, weights=terms.counts, minlength=len(terms.surfaces)).tolist()
    heads = terms.heads.tolist()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    own: dict[str, set[str]] = defaultdict(set)
    own_written: dict[str, set[str]] = defaultdict(set)  # own's forms that papers' text wrote
    # Per concept, weighted (head mentions, mentions) of its own key's forms and of each variant's form.
    own_heads: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    variant_heads: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    concept_of = {raw_keys[i]: raw_keys[j] for i, j in enumerate(into)}
    for i, surface in enumerate(terms.surfaces):
        target = target_of[i]
        if not target or surface.startswith("VERB:"):
            continue
        concept = concept_of.get(target)
        if concept not in kept:
            continue
        form = surface[4:] if surface.startswith("ACR:") else surface
        forms[concept][form] += int(papers_with[i])
        if form is surface:  # words, not an acronym (which stands alone wherever written)
            counted = own_heads[concept] if target == concept else variant_heads[concept][form]
            counted[0] += heads[i]
            counted[1] += mentions[i]
        if target == concept:
            own[concept].add(form)
            own_written[concept].add(form)
    for sense, written in senses.written.items():
        concept = concept_of.get(senses.alias.get(sense, sense))
        if concept in kept:
            for form, count in written.items():
                forms[concept][form] += count
                own[concept].add(form)
    for sense, defined in senses.acronyms.items():
        concept = concept_of.get(senses.alias.get(sense, sense))
        if concept in kept:
            for acronym in defined:
                forms[concept][acronym] += 0  # a label, not a vote
    for concept, (stand, mentioned) in own_heads.items():
        if stand >= LABEL_HEAD_SHARE * mentioned:
            continue
        usual = max(own_written[concept], key=lambda f: (forms[concept][f], f))
        if any(c.isupper() for c in usual):
            continue  # a name ("U-Net") names its thing before "architecture" too
        # The concept's own key is only ever a piece of its merged variants' phrases
        # ("latent consistency" of "latent consistency models"): a variant that stands is its label.
        standing = {f for f, (h, m) in variant_heads[concept].items() if m and h >= LABEL_HEAD_SHARE * m}
        if standing:
            own[concept] = (own[concept] - own_written[concept]) | standing
    broader = broader_terms(kept)
    concepts = {}
    slugs: set[str] = set()
    for key in sorted(kept):
        label = curated.get(key) or preferred_label(forms[key], own[key]) or key
        slug = slugify(key)
        while slug in slugs:  # two keys that differ only in punctuation
            slug += "-x"
        slugs.add(slug)
        alts = alternative_labels(label, forms[key])
        concepts[key] = Concept(key, slug, label, alts, support[key], broader.get(key))
    return concepts


def rank_papers(
    packed: csr_matrix,
    weight: np.ndarray,
    own_weight: np.ndarray,
    keys: list[str],
    wanted: int,
    aside: np.ndarray | None = None,
) -> list[list[tuple[str, float, bool]]]:
    """Each paper's best `wanted` terms, best first: (key, raw score, title-only), where the
    score is count x term weight.

    Shared terms (with a `weight`) rank everywhere, their weight times `aside` (per key,
    `passing_weights`) in a paper whose title does not write them; a term with an
    `own_weight` ranks only in the title of its paper, and at most MAX_TITLE_TAGS of those
    per paper.  Ties go to the key that sorts first.
    """
    papers = packed.shape[0]
    rows = np.repeat(np.arange(papers), np.diff(packed.indptr))
    numbers = packed.indices
    counts = packed.data & (TITLE_BIT - 1)
    in_title = packed.data >= TITLE_BIT
    shared_weight = weight[numbers]
    if aside is not None:
        shared_weight = np.where(in_title, shared_weight, shared_weight * aside[numbers])
    entry_weight = np.where(weight[numbers] > 0, shared_weight, np.where(in_title, own_weight[numbers], 0.0))
    title_only = weight[numbers] == 0
    usable = entry_weight > 0
    rows, numbers, counts, title_only = rows[usable], numbers[usable], counts[usable], title_only[usable]
    scores = counts * entry_weight[usable]
    # A paper's entries are in key order already (canonical CSR), and lexsort is stable.
    order = np.lexsort((-scores, rows))
    rows, numbers, counts, scores, title_only = (
        x[order] for x in (rows, numbers, counts, scores, title_only)
    )
    del order, usable
    starts = np.searchsorted(rows, np.arange(papers + 1))
    # Each paper's first `shortlist` terms are enough to survive the nesting rule; the rare
    # paper that runs out of them is ranked again over all its terms.
    shortlist = 4 * wanted
    short = np.arange(len(rows)) - starts[rows] < shortlist
    ends = np.minimum(starts[1:], starts[:-1] + shortlist)
    ranked = []
    for first in range(0, papers, _RANK_BLOCK):  # as Python lists, a block of papers at a time
        last = min(first + _RANK_BLOCK, papers)
        lo, hi = starts[first], starts[last]
        kept = short[lo:hi]
        block = [x[lo:hi][kept].tolist() for x in (numbers, counts, scores, title_only)]
        bounds = np.concatenate(([0], np.cumsum(ends[first:last] - starts[first:last]))).tolist()
        for paper, (a, b) in enumerate(itertools.pairwise(bounds), start=first):
            numbers_, counts_, scores_, alone_ = (x[a:b] for x in block)
            chosen = _choose(keys, numbers_, counts_, scores_, alone_, wanted)
            if len(chosen) < wanted and starts[paper + 1] - starts[paper] > shortlist:
                whole = slice(starts[paper], starts[paper + 1])
                numbers_, counts_, scores_, alone_ = (
                    x[whole].tolist() for x in (numbers, counts, scores, title_only)
                )
                chosen = _choose(keys, numbers_, counts_, scores_, alone_, wanted)
            ranked.append(chosen)
    return ranked


def _choose(
    keys: list[str],
    numbers: list[int],
    counts: list[int],
    scores: list[float],
    title_only: list[bool],
    wanted: int,
) -> list[tuple[str, float, bool]]:
    """The first `wanted` terms (best first), skipping a term nested in an already chosen
    longer one unless it has more mentions of its own, and title-only terms past the cap."""
    chosen: list[tuple[str, float, bool]] = []
    taken: list[tuple[str, int, bool]] = []  # (" key ", count, title-only) of the chosen
    own = 0
    for number, count, score, alone in zip(numbers, counts, scores, title_only, strict=True):
        if alone and own == MAX_TITLE_TAGS:
            continue
        key = keys[number]
        padded = f" {key} "
        for other, other_count, other_alone in taken:
            # A broader term ("decoding") adds nothing to a narrower linking one ("speculative
            # decoding"): the hierarchy says it.
            if padded in other and (count <= other_count or (other.endswith(padded) and not other_alone)):
                break
        else:
            chosen.append((key, score, alone))
            own += alone
            if len(chosen) == wanted:
                break
            taken.append((padded, count, alone))
    return chosen


# A term the corpus's papers write in their abstracts yet hardly ever in a title is one they
# use in passing (a backbone, a measure, a device: "convolutional neural networks", "mean
# average precision", "RGB images"), not what they are about.  Its weight outside a title
# falls with its title rate, the share of its papers whose title writes it, below
# FULL_TITLE_RATE, to PASSING_WEIGHT at none.  The rate is counted with PRIOR_PAPERS papers
# of rate FULL_TITLE_RATE added, so a term of a few papers keeps most of its weight.
FULL_TITLE_RATE = 0.1
PASSING_WEIGHT = 0.5
PRIOR_PAPERS = 5


def passing_weights(packed: csr_matrix) -> np.ndarray:
    """Per column of `packed` (papers x keys, TITLE_BIT set on title entries), the factor
    its weight takes in papers whose title does not write it (PASSING_WEIGHT..1)."""
    columns = packed.shape[1]
    papers = np.bincount(packed.indices, minlength=columns)
    titles = np.bincount(packed.indices[packed.data >= TITLE_BIT], minlength=columns)
    rate = (titles + PRIOR_PAPERS * FULL_TITLE_RATE) / (papers + PRIOR_PAPERS)
    return PASSING_WEIGHT + (1 - PASSING_WEIGHT) * np.minimum(rate / FULL_TITLE_RATE, 1.0)


def distinct(
    ranked: list[tuple[str, float, bool]],
    keep: float,
    least: int = 2,
    piece: Callable[[str, str], bool] | None = None,
) -> list[tuple[str, float, bool]]:
    """`ranked` (best first) without a term whose words another term of it holds, where one
    of the two is a title-only term or the shorter one is only a `piece` of the longer
    (`is_piece`): a run of one title's words and a piece of it ("tree crown instance
    segmentation" and "crown instance segmentation"), or "augmented generation" beside
    "retrieval augmented generation", are one tag, not two.  Two shared concepts otherwise
    both stay: each links papers, and the hierarchy relates them.

    Of two such, the longer (narrower) one stays at the better place with the better score
    where it scores at least `keep` times the shorter (the shorter's mentions are its own
    too) or the shorter is a piece of it; otherwise the first one stays alone.  Where fewer
    than `least` terms are left, the best of those left out come back (a paper keeps at
    least its best two tags).
    """
    kept: list[tuple[str, float, bool]] = []
    out: list[tuple[str, float, bool]] = []
    seen: set[str] = set()  # the words of the terms kept so far (and of some left out)
    for term in ranked:
        words = term[0].split()
        if seen.isdisjoint(words):  # most terms share no word with those before them
            kept.append(term)
            seen.update(words)
            continue
        seen.update(words)
        padded = f" {term[0]} "
        for i, other in enumerate(kept):
            held = f" {other[0]} "
            narrower = held in padded
            if not narrower and padded not in held:
                continue
            short, long = (other[0], term[0]) if narrower else (term[0], other[0])
            a_piece = piece is not None and piece(short, long)
            if not (term[2] or other[2] or a_piece):  # two shared concepts
                continue
            if narrower and (a_piece or term[1] >= keep * other[1]):
                out.append(other)
                kept[i] = (term[0], other[1], term[2])
            else:
                out.append(term)
            break
        else:
            kept.append(term)
    if len(kept) < least:
        kept += [t for t in ranked if t in out][: least - len(kept)]
        kept.sort(key=lambda t: -t[1])
    return kept


def is_piece(stats: Field, short: str, long: str) -> bool:
    """Whether the field writes the phrase key `short` no more often than the longer `long`
    holding it: then it is mostly a piece of that one ("augmented generation", 107 papers,
    of "retrieval augmented generation", 658), not a concept of its own."""
    df = stats.phrases.get(short, (0, 0))[0]
    return bool(df) and stats.phrases.get(long, (0, 0))[0] >= df


def held_support(ranked: list[list[tuple[str, float, bool]]]) -> Counter[str]:
    """Per tag key, the papers whose tags hold it: as a tag, or as words of a narrower tag (a
    paper tagged "composed image retrieval" is one on "image retrieval", whose place
    `distinct` gave to the narrower term).  Keys that tag no paper are not counted."""
    tags = {key for chosen in ranked for key, _, _ in chosen}
    inside: dict[str, list[str]] = {}  # tag key: the other tag keys its words hold
    for key in tags:
        if " " in key:
            held = [run for run in _runs(key) if run in tags]
            if held:
                inside[key] = held
    support = Counter(key for chosen in ranked for key, _, _ in chosen)
    if not inside:
        return support
    for chosen in ranked:
        narrower = [key for key, _, _ in chosen if key in inside]
        if narrower:
            keys = {key for key, _, _ in chosen}
            support.update({run for key in narrower for run in inside[key]} - keys)
    return support


@lru_cache(maxsize=1 << 17)
def _runs(key: str) -> tuple[str, ...]:
    """The runs of the words of a key of several words, other than the key itself."""
    words = key.split()
    n = len(words)
    return tuple(" ".join(words[a:b]) for a in range(n) for b in range(a + 1, n + 1) if b - a < n)
