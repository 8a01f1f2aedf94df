"""Every paper's candidate phrases, read in compact arrays (the first pass of concept extraction).

A run of papers is read into ids of its distinct surface forms with weighted counts; runs read
in worker processes are joined into one corpus-wide table (CSR by paper) that `kg.extract.concepts`
resolves, merges and ranks.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kg.extract.acronyms import acronym_definitions
from kg.extract.phrases import candidate_phrases, clean_text, phrase_key, surface_key
from kg.model import Paper
from kg.parallel import advance

TITLE_WEIGHT = 3  # a title term counts as three abstract mentions
PROGRESS_EVERY = 256  # papers read between two progress counts (`kg.parallel.advance`)

# (paper index, acronym, long-form words; [] where the paper's definition could not be read)
Definitions = list[tuple[int, str, list[str]]]


@dataclass
class PaperTerms:
    """One paper's candidate surfaces: weighted counts (a title mention counts TITLE_WEIGHT),
    the title's surfaces first (`in_title` of them), the surfaces that stand as the head of a
    noun phrase (once a mention, a title's TITLE_WEIGHT times), and the acronyms it defines."""

    counts: Counter[str]
    in_title: int
    heads: list[str]
    definitions: list[tuple[str, list[str]]]


# Title Case and sentence-initial capitals are typography, not how a term is written.
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_SENTENCE_START = re.compile(r"(^|[.!?:]\s+)([A-Z][a-z]+)\b")


def paper_terms(paper: Paper) -> PaperTerms:
    """The candidate phrases of a paper's title and abstract (see `PaperTerms`)."""
    title = _CAPITALISED.sub(lambda m: m.group(0).lower(), clean_text(paper.title))
    abstract = _SENTENCE_START.sub(
        lambda m: m.group(1) + m.group(2).lower(), clean_text(paper.abstract or "")
    )
    counts: Counter[str] = Counter()
    found, head = candidate_phrases(title)
    counts.update(found * TITLE_WEIGHT)
    in_title = len(counts)
    heads = head * TITLE_WEIGHT
    found, head = candidate_phrases(abstract)
    counts.update(found)
    heads += head
    return PaperTerms(counts, in_title, heads, list(acronym_definitions(f"{title}. {abstract}")))


@dataclass
class RunTerms:
    """Pass 1 over a run of papers, in a compact form that is cheap to send between processes.

    Each paper's candidate surfaces are ids into the run's own list of distinct surfaces: a
    100k-paper corpus has some 15M (paper, surface) pairs, which as per-paper dictionaries of
    strings would take gigabytes.  Each distinct surface comes with its key (`surface_key`),
    made here because a real corpus has millions of distinct surfaces (about 60 a paper in
    the sample) at some 6 us each.
    """

    surfaces: list[str]
    keys: list[str]  # surface_key of each surface
    heads: array  # per surface: weighted mentions as the head of a noun phrase, all papers
    ends: array  # ends[i]: where paper i's entries end in the arrays below
    in_title: array  # in_title[i]: how many of paper i's first entries are in its title
    ids: array
    counts: array  # weighted mentions (a title mention counts TITLE_WEIGHT)
    definitions: Definitions  # paper indices within the run


def read_run(papers: Sequence[Paper]) -> RunTerms:
    index: dict[str, int] = {}
    number = index.setdefault
    ends, in_title, ids, counts = array("q"), array("i"), array("i"), array("i")
    heads: Counter[str] = Counter()
    definitions: Definitions = []
    for i, paper in enumerate(papers):
        terms = paper_terms(paper)
        found = terms.counts
        ids.extend([number(surface, len(index)) for surface in found])
        counts.extend(found.values())
        in_title.append(terms.in_title)
        ends.append(len(ids))
        heads.update(terms.heads)
        definitions += [(i, acronym, words) for acronym, words in terms.definitions]
        if i % PROGRESS_EVERY == PROGRESS_EVERY - 1:
            advance(PROGRESS_EVERY)
    keys = [surface_key(s) for s in index]
    head_counts = array("i", [heads.get(s, 0) for s in index])
    return RunTerms(list(index), keys, head_counts, ends, in_title, ids, counts, definitions)


@dataclass
class CorpusTerms:
    """The runs joined: distinct surfaces and their keys and, per paper, its entries (CSR)."""

    surfaces: list[str]
    keys: list[str]
    heads: np.ndarray  # per surface
    indptr: np.ndarray  # paper i's entries are [indptr[i], indptr[i + 1])
    ids: np.ndarray
    counts: np.ndarray
    titles: np.ndarray  # per entry: True if in the paper's title
    definitions: Definitions


def join_runs(runs: Iterable[RunTerms]) -> CorpusTerms:
    index: dict[str, int] = {}
    number = index.setdefault
    keys: list[str] = []
    heads: list[np.ndarray] = []
    indptr: list[np.ndarray] = [np.zeros(1, np.int64)]
    ids, counts, in_title = [], [], []
    definitions: Definitions = []
    offset = papers = 0
    for run in runs:
        known = len(index)
        global_id = np.fromiter((number(s, len(index)) for s in run.surfaces), np.int32, len(run.surfaces))
        keys += [key for i, key in zip(global_id.tolist(), run.keys, strict=True) if i >= known]
        heads.append(np.bincount(global_id, weights=np.frombuffer(run.heads, np.intc), minlength=len(index)))
        ids.append(global_id[np.frombuffer(run.ids, np.intc)])
        counts.append(np.frombuffer(run.counts, np.intc))
        in_title.append(np.frombuffer(run.in_title, np.intc))
        indptr.append(np.frombuffer(run.ends, np.int64) + offset)
        offset += len(run.ids)
        definitions += [(papers + i, acronym, words) for i, acronym, words in run.definitions]
        papers += len(run.ends)
    head_totals = np.zeros(len(index))
    for part in heads:
        head_totals[: len(part)] += part
    starts = np.concatenate(indptr)
    # Each paper's entries: its title's first (True), then the abstract's own (False).
    firsts = np.concatenate(in_title).astype(np.int64)
    runs = np.empty(2 * papers, np.int64)
    runs[0::2], runs[1::2] = firsts, np.diff(starts) - firsts
    titles = np.repeat(np.tile(np.array([True, False]), papers), runs)
    return CorpusTerms(
        list(index),
        keys,
        head_totals,
        starts,
        np.concatenate(ids),
        np.concatenate(counts),
        titles,
        definitions,
    )


def verb_uses(terms: CorpusTerms) -> dict[str, int]:
    """{word's key: times followed by its object}, from the `VERB:` markers."""
    marker = np.fromiter((s.startswith("VERB:") for s in terms.surfaces), bool, len(terms.surfaces))
    totals = np.bincount(terms.ids, weights=terms.counts, minlength=len(terms.surfaces))
    uses: Counter[str] = Counter()
    for i in np.flatnonzero(marker).tolist():
        uses[phrase_key([terms.surfaces[i][5:]])] += int(totals[i])
    return dict(uses)
