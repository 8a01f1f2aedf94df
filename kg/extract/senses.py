"""Acronym senses: which long forms the corpus defines an acronym by, which of them are one sense,
and which sense a bare use of the acronym takes."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.extract.phrases import acronym_key, is_acronym, phrase_key


@dataclass
class AcronymSenses:
    """What each acronym stands for: per paper (its own definition) and in the corpus.

    `corpus[acr]` is the key an acronym resolves to where a paper uses it without defining
    it; it exists only where the corpus defines the acronym one way.  `ambiguous` holds the
    acronyms defined several ways (SD: speculative decoding, Stable Diffusion), which resolve
    only in the papers that define them.  `alias` maps a minor spelling of a sense to the
    major one ("large-scale language models" is the LLM of "large language models").
    """

    per_paper: dict[int, dict[str, str | None]]
    corpus: dict[str, str]
    ambiguous: frozenset[str]
    alias: dict[str, str]
    written: dict[str, Counter[str]]  # sense key -> long forms as written, with counts
    acronyms: dict[str, set[str]]  # sense key -> the acronyms defined for it


def acronym_senses(definitions: Iterable[tuple[int, str, list[str]]]) -> AcronymSenses:
    """Senses from (paper index, acronym, long-form words) triples; [] words: unreadable."""
    per_paper: dict[int, dict[str, str | None]] = defaultdict(dict)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    written: dict[str, Counter[str]] = defaultdict(Counter)
    short: dict[str, set[str]] = defaultdict(set)
    for paper, acronym, words in definitions:
        key = phrase_key(words) if words and not repeats_a_word(words) else None
        per_paper[paper].setdefault(acronym, key)  # a paper's first definition is its sense
        if key:
            counts[acronym][key] += 1
            written[key][" ".join(words)] += 1
            short[key].add(acronym)
    corpus: dict[str, str] = {}
    ambiguous = set()
    alias: dict[str, str] = {}
    for acronym in sorted(counts):
        groups = sense_groups(counts[acronym])
        for group in groups:
            for key in group[1:]:
                alias.setdefault(key, group[0])
        if len(groups) == 1:
            corpus[acronym] = groups[0][0]
        else:
            ambiguous.add(acronym)
    return AcronymSenses(dict(per_paper), corpus, frozenset(ambiguous), alias, dict(written), dict(short))


def repeats_a_word(words: Sequence[str]) -> bool:
    """Whether a written form repeats a word at once ("language language models"): garbled."""
    low = [w.lower() for w in words]
    return any(a == b for a, b in itertools.pairwise(low))


def sense_groups(senses: Counter[str]) -> list[list[str]]:
    """Senses grouped where they share at least half their words, most defined first.

    Only a word added ("large-scale language models" is "large language models") or the
    spelling of a word ("convolution" for "convolutional") makes two senses one; a word put
    in another's place makes another sense: *multilingual* LLMs are no multimodal LLMs,
    *self*-supervised learning is no semi-supervised one, video question answering no VQA.
    """
    ranked = [k for k, _ in sorted(senses.items(), key=lambda kv: (-kv[1], kv[0]))]
    groups: list[list[str]] = []
    for key in ranked:
        words = set(key.split())
        for group in groups:
            head = set(group[0].split())
            if 2 * len(words & head) >= len(words | head) and _same_words(words - head, head - words):
                group.append(key)
                break
        else:
            groups.append([key])
    return groups


def acronym_of(surface: str) -> tuple[str, list[str]] | None:
    """(acronym, rest of the words) of an `ACR:` marker or a phrase led by an acronym."""
    if not surface[:1].isupper():  # most surfaces: neither (the marker's "A" is a capital)
        return None
    if surface.startswith("ACR:"):
        return acronym_key(surface[4:]), []
    first, sep, rest = surface.partition(" ")
    if sep and first[:1].isupper() and is_acronym(first):
        return acronym_key(first), rest.split()
    return None


def resolved(senses: AcronymSenses, acronym: str, rest: list[str], paper: int | None = None) -> str | None:
    """The key of an acronym (and the words after it) in a paper, or in the corpus; None if unknown."""
    mine = senses.per_paper.get(paper, {}) if paper is not None else {}
    if acronym in mine:
        sense = mine[acronym]
    elif acronym in senses.corpus:
        sense = senses.corpus[acronym]
    elif acronym in senses.ambiguous:
        return None
    else:  # never defined anywhere: the acronym names the concept (CLIP, GPT-4)
        sense = phrase_key([acronym])
    if sense is None:
        return None
    sense = senses.alias.get(sense, sense)
    return phrase_key([*sense.split(), *rest]) if rest else sense


def _same_words(extra: set[str], missing: set[str]) -> bool:
    """Whether words one sense has and another lacks are additions or spellings, not swaps."""
    if not extra or not missing:
        return True
    if len(extra) != len(missing):
        return False
    return all(any(_spelling_of(a, b) for b in missing) for a in extra)


def _spelling_of(a: str, b: str) -> bool:
    """Two spellings or forms of one word ("convolution", "convolutional"; "imaging", "image";
    "visual", "vision"; "perceptron", the misspelt "perception"): one beginning, short endings."""
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return common >= 3 and len(a) - common <= 4 and len(b) - common <= 4
