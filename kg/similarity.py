"""Links that concepts and titles imply: related concepts, similar papers, method mentions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, triu

from kg.concepts import FUNCTION_WORDS, GENERIC_WORDS, ConceptMap, is_acronym
from kg.model import Paper

MIN_COOCCURRENCE = 2  # two concepts are related when at least this many papers carry both
NEIGHBOURS = 5  # similar papers kept per paper
MIN_SIMILARITY = 0.15  # weighted overlap below this is noise
# Concepts on more papers than this are skipped when looking for neighbours: they add little
# to the weight (low IDF) and their posting lists would make the search quadratic.
MAX_POSTING = 64

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Similar:
    """Two papers (keys in sorted order), their weighted concept overlap and the shared concepts."""

    a: str
    b: str
    weight: float
    shared: tuple[str, ...]


def related_concepts(concepts: ConceptMap) -> list[tuple[str, str, int]]:
    """(concept a, concept b, papers carrying both), a < b, for pairs seen in enough papers.

    Co-occurrence counts are the upper triangle of BᵀB, B the papers x concepts tag matrix.
    """
    keys = sorted({k for tags in concepts.tags.values() for k, _ in tags})
    number = {k: i for i, k in enumerate(keys)}
    columns = [number[k] for tags in concepts.tags.values() for k, _ in tags]
    lengths = [len(tags) for tags in concepts.tags.values()]
    tagged = csr_matrix(
        (np.ones(len(columns), np.int64), columns, np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))),
        shape=(len(lengths), len(keys)),
    )
    together = triu(tagged.T @ tagged, k=1).tocoo()
    enough = together.data >= MIN_COOCCURRENCE
    a, b, n = together.row[enough], together.col[enough], together.data[enough]
    order = np.lexsort((b, a))  # numbers follow the keys' sorted order
    rows = zip(a[order].tolist(), b[order].tolist(), n[order].tolist(), strict=True)
    return [(keys[i], keys[j], c) for i, j, c in rows]


def similar_papers(concepts: ConceptMap) -> list[Similar]:
    """Each paper's closest papers by IDF-weighted concept overlap (weighted Jaccard).

    An inverted index from concept to papers finds candidates, so the cost follows the
    postings actually shared, not all pairs; each paper keeps its `NEIGHBOURS` best.
    """
    idf = concepts.idf
    # Concepts in sorted order, never set order: float sums depend on the order of their
    # terms, and a set's order changes with the string hash seed of the process.
    sets = {p: sorted({k for k, _ in tags}) for p, tags in concepts.tags.items() if tags}
    mass = {p: sum(idf[k] for k in ks) for p, ks in sets.items()}
    postings: dict[str, list[str]] = defaultdict(list)
    for paper in sorted(sets):
        for key in sets[paper]:
            postings[key].append(paper)
    found: dict[tuple[str, str], Similar] = {}
    for paper in sorted(sets):
        overlap: dict[str, float] = defaultdict(float)
        for key in sets[paper]:
            posting = postings[key]
            if len(posting) <= MAX_POSTING:
                weight = idf[key]
                for other in posting:
                    overlap[other] += weight
        overlap.pop(paper, None)
        scored = []
        for other, shared_mass in overlap.items():
            weight = shared_mass / (mass[paper] + mass[other] - shared_mass)
            if weight >= MIN_SIMILARITY:
                scored.append((-weight, other))
        for neg, other in sorted(scored)[:NEIGHBOURS]:
            a, b = sorted((paper, other))
            if (a, b) not in found:
                shared = tuple(sorted(set(sets[a]) & set(sets[b])))
                found[a, b] = Similar(a, b, round(-neg, 4), shared)
    return [found[k] for k in sorted(found)]


def method_name(title: str) -> str | None:
    """The short method name before a title's colon (`UniXcoder: Unified ...`), if it is one.

    A name is one coined token: capitals inside, a digit, or all capitals of 4+ letters
    (`SpeechT5`, `MLP-Mixer`, `CoCa`, `ASAG`), never a plain word ("Attention: ...").
    """
    head, sep, _ = title.partition(":")
    head = head.strip()
    if not sep or not _NAME.match(head) or len(head) < 3:
        return None
    if head.lower() in FUNCTION_WORDS or head.lower() in GENERIC_WORDS:
        return None
    coined = any(c.isupper() for c in head[1:]) or any(c.isdigit() for c in head)
    if not coined:
        return None
    if is_acronym(head) and head.isupper() and len(head) < 4:
        return None  # CTC, GAN, ...: common technique acronyms, not one paper's method
    return head


def mentions(papers: Sequence[Paper], concepts: ConceptMap | None = None) -> list[tuple[str, str, str]]:
    """(mentioning paper, mentioned paper, name) where an abstract names another paper's method.

    Names that two corpus papers claim, or that the corpus uses as a concept's acronym in
    three or more papers (a technique, not a paper), are left out.
    """
    owners: dict[str, list[str]] = defaultdict(list)
    for paper in papers:
        name = method_name(paper.title)
        if name is not None:
            owners[name].append(paper.key)
    common: set[str] = set()
    if concepts is not None:
        for concept in concepts.concepts.values():
            if concept.papers >= 3:  # e.g. LayerNorm: a technique many papers use
                common.update(a.lower() for a in (concept.label, *concept.alt_labels))
    names = {n: ks[0] for n, ks in owners.items() if len(ks) == 1 and n.lower() not in common}
    found = set()
    for paper in papers:
        if not paper.abstract:
            continue
        for word in set(_WORD.findall(paper.abstract)) & names.keys():
            target = names[word]
            if target != paper.key:
                found.add((paper.key, target, word))
    return sorted(found)
