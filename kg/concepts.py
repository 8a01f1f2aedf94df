"""Concepts a researcher would recognise, extracted from titles and abstracts.

The extractor combines the signals that work on scientific text:

- defined acronyms ("large language models (LLMs)"): the long form is the concept, the acronym
  an alternative label, and bare uses of the acronym elsewhere in the corpus count for it;
- candidate key phrases: runs of content words that neither start nor end on a function word,
  common verb or adverb, with the last word lemmatized (simplemma, dictionary based, no
  download) and hyphens read as spaces, so plural, singular and hyphen variants meet;
- title terms weighted above abstract terms;
- corpus statistics: a term needs a minimum number of papers, too common terms are dropped, and
  a paper's terms are ranked by frequency x inverse document frequency x length, so generic
  terms sink (the termhood idea behind VOSviewer-style term maps), with a lexicon of academic
  filler words as the last guard.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from kg import parallel
from kg.errors import ConfigError
from kg.model import Paper
from kg.phrases import (
    _ADJECTIVE_ENDINGS,
    _NOUNS_LIKE_ADJECTIVES,
    _TOKEN,
    BROAD_ALONE,
    CONNECTORS,
    FILLER_MODIFIERS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
    _lemma,
    acronym_definitions,
    acronym_key,
    candidate_phrases,
    clean_text,
    is_acronym,
    phrase_key,
    slugify,
    surface_key,
)

TITLE_WEIGHT = 3  # a title term counts as three abstract mentions

__all__ = [
    "FUNCTION_WORDS",
    "GENERIC_WORDS",
    "ConceptMap",
    "ConceptOptions",
    "acronym_definitions",
    "extract_concepts",
    "is_acronym",
    "phrase_key",
    "read_stoplist",
    "read_synonyms",
]

# ----------------------------------------------------------------------------------------
# Curation files


def read_stoplist(path: Path) -> frozenset[str]:
    """Phrases (one per line, `#` comments) never to be concepts, as normalized keys."""
    keys = set()
    for number, line in _lines(path):
        words = _TOKEN.findall(line)
        if not words:
            raise ConfigError("expected a phrase (letters or digits)", path=path, line=number)
        keys.add(phrase_key(words))
    return frozenset(keys)


def read_synonyms(path: Path) -> dict[str, str]:
    """`alias = preferred label` lines as {alias key: preferred label}."""
    synonyms: dict[str, str] = {}
    for number, line in _lines(path):
        alias, sep, preferred = line.partition("=")
        alias_words, preferred_words = _TOKEN.findall(alias), _TOKEN.findall(preferred)
        if not sep or not alias_words or not preferred_words:
            raise ConfigError("expected 'alias = preferred label'", path=path, line=number)
        synonyms[phrase_key(alias_words)] = " ".join(preferred.split())
        if is_acronym(alias.strip()):
            synonyms["ACR:" + acronym_key(alias.strip())] = " ".join(preferred.split())
    return synonyms


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read file ({err})", path=path) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield number, line


# ----------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class ConceptOptions:
    """Knobs of concept extraction (the `kg build` options)."""

    per_paper: int = 8
    min_papers: int = 2
    max_share: float = 0.5  # terms in more than this share of papers are too common to link by
    stoplist: frozenset[str] = frozenset()
    synonyms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.per_paper < 1:
            raise ConfigError("concepts per paper must be at least 1")
        if self.min_papers < 1:
            raise ConfigError("minimum papers per concept must be at least 1")


@dataclass
class Concept:
    """A concept: its key, preferred label, other labels and the papers tagged with it."""

    key: str
    slug: str
    label: str
    alt_labels: list[str]
    papers: int


@dataclass
class ConceptMap:
    """What extraction found: concepts and, per paper key, (concept key, score) best first."""

    concepts: dict[str, Concept]
    tags: dict[str, list[tuple[str, float]]]
    idf: dict[str, float]


Definitions = list[tuple[str, list[str]]]
PaperTerms = tuple[Counter[str], Definitions]


def paper_terms(paper: Paper) -> PaperTerms:
    """Weighted counts of a paper's candidate surfaces (title x3) and its acronym definitions."""
    counts: Counter[str] = Counter()
    title = clean_text(paper.title)
    abstract = clean_text(paper.abstract or "")
    for surface in candidate_phrases(title):
        counts[surface] += TITLE_WEIGHT
    counts.update(candidate_phrases(abstract))
    return counts, list(acronym_definitions(f"{title}. {abstract}"))


@dataclass
class _RunTerms:
    """Pass 1 over a run of papers, in a compact form that is cheap to send between processes.

    Each paper's candidate surfaces are ids into the run's own list of distinct surfaces: a
    100k-paper corpus has some 15M (paper, surface) pairs, which as per-paper dictionaries of
    strings would take gigabytes.  Each distinct surface comes with its key (`surface_key`),
    made here because a real corpus has millions of distinct surfaces (about 60 a paper in
    the sample) at some 6 us each.
    """

    surfaces: list[str]
    keys: list[str]  # surface_key of each surface
    ends: array  # ends[i]: where paper i's entries end in `ids` and `counts`
    ids: array
    counts: array  # weighted mentions (a title mention counts TITLE_WEIGHT)
    definitions: Definitions


def _read_run(papers: Sequence[Paper]) -> _RunTerms:
    index: dict[str, int] = {}
    number = index.setdefault
    ends, ids, counts = array("q"), array("i"), array("i")
    definitions: Definitions = []
    for paper in papers:
        found, defined = paper_terms(paper)
        ids.extend([number(surface, len(index)) for surface in found])
        counts.extend(found.values())
        ends.append(len(ids))
        definitions += defined
    return _RunTerms(list(index), [surface_key(s) for s in index], ends, ids, counts, definitions)


@dataclass
class _CorpusTerms:
    """The runs joined: distinct surfaces and their keys and, per paper, its entries (CSR)."""

    surfaces: list[str]
    keys: list[str]
    indptr: np.ndarray  # paper i's entries are [indptr[i], indptr[i + 1])
    ids: np.ndarray
    counts: np.ndarray
    definitions: Definitions


def _join(runs: Iterable[_RunTerms]) -> _CorpusTerms:
    index: dict[str, int] = {}
    number = index.setdefault
    keys: list[str] = []
    indptr, ids, counts = [np.zeros(1, np.int64)], [], []
    definitions: Definitions = []
    offset = 0
    for run in runs:
        known = len(index)
        global_id = np.fromiter((number(s, len(index)) for s in run.surfaces), np.int32, len(run.surfaces))
        keys += [key for i, key in zip(global_id.tolist(), run.keys, strict=True) if i >= known]
        ids.append(global_id[np.frombuffer(run.ids, np.intc)])
        counts.append(np.frombuffer(run.counts, np.intc).astype(np.int32))
        indptr.append(np.frombuffer(run.ends, np.int64) + offset)
        offset += len(run.ids)
        definitions += run.definitions
    return _CorpusTerms(
        list(index), keys, np.concatenate(indptr), np.concatenate(ids), np.concatenate(counts), definitions
    )


def extract_concepts(
    papers: Sequence[Paper],
    options: ConceptOptions | None = None,
    workers: int | None = None,
) -> ConceptMap:
    """Tag each paper with its best concepts and build the corpus's concept list.

    Corpora of `kg.parallel.PARALLEL_MIN_PAPERS` or more have their text read by `workers`
    processes (default: one per core); the result is the same as in one process.
    """
    workers = parallel.workers_for(len(papers), workers)
    runs = [partial(_read_run, run) for run in parallel.split(papers, workers)]
    terms = _join(parallel.run_jobs(runs, parallel=workers > 1, workers=workers))
    return _extract(papers, options or ConceptOptions(), terms)


def _extract(papers: Sequence[Paper], options: ConceptOptions, terms: _CorpusTerms) -> ConceptMap:
    n = max(len(papers), 1)

    # 1. Acronyms: each maps to its most often defined long form.
    long_forms: dict[str, Counter[str]] = defaultdict(Counter)
    long_surface: Counter[tuple[str, str]] = Counter()
    for acronym, words in terms.definitions:
        key = phrase_key(words)
        long_forms[acronym][key] += 1
        long_surface[key, " ".join(words)] += 1
    acronyms = {a: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for a, c in long_forms.items()}
    synonyms = {k: phrase_key(_TOKEN.findall(v)) for k, v in options.synonyms.items()}
    preferred_labels = {phrase_key(_TOKEN.findall(v)): v for v in options.synonyms.values()}

    # 2. Surfaces to concept keys; keys are numbered in sorted order, so that ordering by
    #    number is ordering by key.  Per paper, the counts of surfaces meeting on one key add
    #    up; document frequencies count papers.
    target_of = [_resolve(synonyms, acronyms, key) for key in terms.keys]
    keys = sorted(set(target_of))
    key_number = {k: i for i, k in enumerate(keys)}
    surface_target = np.fromiter((key_number[t] for t in target_of), np.int32, len(target_of))
    rows = np.repeat(np.arange(len(papers), dtype=np.int32), np.diff(terms.indptr))
    per_paper = csr_matrix(
        (terms.counts, (rows, surface_target[terms.ids])), shape=(len(papers), len(keys)), dtype=np.int64
    )
    per_paper.sum_duplicates()
    del rows
    df = dict(zip(keys, np.bincount(per_paper.indices, minlength=len(keys)).tolist(), strict=True))
    max_df = max(options.min_papers, int(options.max_share * n))

    hyphen_to = {target_of[i] for i, s in enumerate(terms.surfaces) if "-to-" in s.lower()}

    def admissible(key: str) -> bool:
        if key in options.stoplist or not key:
            return False
        if not options.min_papers <= df[key] <= max_df:
            return False
        words = key.split()
        if all(w in GENERIC_WORDS or w in FILLER_MODIFIERS or w in FUNCTION_WORDS for w in words):
            return False
        if len(words) == 1 and key not in preferred_labels:
            word = words[0]
            if word in BROAD_ALONE or (
                word.endswith(_ADJECTIVE_ENDINGS) and word not in _NOUNS_LIKE_ADJECTIVES
            ):
                return False
        if len(words) > 2 and words[1] == "of" and words[0] in GENERIC_WORDS:
            return False  # "number of parameters", "variety of tasks"
        # "X to Y" is a compound only where someone wrote it "X-to-Y" ("text to image");
        # otherwise it is a verb phrase ("approach to learn").
        return " to " not in f" {key} " or key in hyphen_to

    # A phrase that nearly always continues into a longer one has lost its head noun
    # ("large language" in "large language model", "transformer based language"): drop it.
    extended: dict[str, int] = {}
    for key, count in df.items():
        head, sep, _ = key.rpartition(" ")
        if sep and count > extended.get(head, 0):
            extended[head] = count
    headless = {k for k, best in extended.items() if best >= 0.8 * df.get(k, 0)}
    idf = {k: math.log(n / df[k]) + 1.0 for k in df if k not in headless and admissible(k)}
    # Longer phrases are more specific: up to 2x for three words and more.
    weight = np.zeros(len(keys))
    for k, v in idf.items():
        weight[key_number[k]] = v * (1 + 0.5 * min(k.count(" "), 2))

    # 3. Rank each paper's terms; a shorter term inside a chosen longer one with no mentions
    #    of its own gives way to it.
    ranked = _rank(per_paper, weight, keys, options.per_paper)
    tags = {paper.key: chosen for paper, chosen in zip(papers, ranked, strict=True)}
    del per_paper

    # 4. Keep concepts that still tag enough papers; scores scaled per paper into (0, 1].
    support = Counter(k for chosen in tags.values() for k, _ in chosen)
    kept = {k for k, c in support.items() if c >= options.min_papers}
    for pkey, chosen in tags.items():
        chosen = [(k, s) for k, s in chosen if k in kept]
        top = chosen[0][1] if chosen else 1.0
        tags[pkey] = [(k, round(s / top, 4)) for k, s in chosen]

    # Spellings of the kept concepts, with the papers each occurs in, for their labels.
    papers_with = np.bincount(terms.ids, minlength=len(terms.surfaces))
    kept_numbers = np.fromiter((key_number[k] for k in kept), np.int32, len(kept))
    surfaces: Counter[tuple[str, str]] = Counter()
    alt_acronyms: dict[str, set[str]] = defaultdict(set)
    for i in np.flatnonzero(np.isin(surface_target, kept_numbers)).tolist():
        target, surface = target_of[i], terms.surfaces[i]
        if surface.startswith("ACR:"):
            surface = surface[4:]
            if target != surface.lower():
                alt_acronyms[target].add(surface)
        surfaces[target, surface] += int(papers_with[i])

    best_surface: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (key, surface), count in {**surfaces, **long_surface}.items():
        if key in kept:
            best_surface[key].append((count, surface))
    concepts = {}
    slugs: set[str] = set()
    for key in sorted(kept):
        forms = best_surface.get(key, [])
        label = preferred_labels.get(key) or _label(key, forms)
        acros = alt_acronyms.get(key, set())
        alts = {_lower_words(f) for _, f in forms if not is_acronym(f)} | acros | {a + "s" for a in acros}
        alts |= {k for k, v in synonyms.items() if v == key and not k.startswith("ACR:")}
        alts -= {label, label.lower()}
        slug = slugify(key)
        while slug in slugs:  # two keys that differ only in punctuation
            slug += "-x"
        slugs.add(slug)
        concepts[key] = Concept(key, slug, label, sorted(alts), support[key])
    return ConceptMap(concepts, tags, {k: round(v, 4) for k, v in idf.items() if k in kept})


def _rank(
    per_paper: csr_matrix, weight: np.ndarray, keys: list[str], wanted: int
) -> list[list[tuple[str, float]]]:
    """Each paper's best `wanted` terms, best first, with raw scores (count x term weight).

    Terms with no weight are not admissible.  Ties go to the key that sorts first.
    """
    papers = per_paper.shape[0]
    rows = np.repeat(np.arange(papers), np.diff(per_paper.indptr))
    usable = weight[per_paper.indices] > 0
    rows, numbers, counts = rows[usable], per_paper.indices[usable], per_paper.data[usable]
    scores = counts * weight[numbers]
    # A paper's entries are in key order already (canonical CSR), and lexsort is stable.
    order = np.lexsort((-scores, rows))
    rows, numbers, counts, scores = rows[order], numbers[order], counts[order], scores[order]
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
        block_numbers, block_counts, block_scores = (
            x[lo:hi][kept].tolist() for x in (numbers, counts, scores)
        )
        bounds = np.concatenate(([0], np.cumsum(ends[first:last] - starts[first:last]))).tolist()
        for paper, (a, b) in enumerate(itertools.pairwise(bounds), start=first):
            chosen = _choose(keys, block_numbers[a:b], block_counts[a:b], block_scores[a:b], wanted)
            if len(chosen) < wanted and starts[paper + 1] - starts[paper] > shortlist:
                whole = slice(starts[paper], starts[paper + 1])
                chosen = _choose(
                    keys, numbers[whole].tolist(), counts[whole].tolist(), scores[whole].tolist(), wanted
                )
            ranked.append(chosen)
    return ranked


_RANK_BLOCK = 10_000


def _resolve(synonyms: dict[str, str], acronyms: dict[str, str], key: str) -> str:
    """The concept key a candidate key stands for: a synonym's target, an acronym's long form."""
    if key in synonyms:
        return synonyms[key]
    if key.startswith("ACR:"):
        acronym = key[4:]
        return acronyms.get(acronym, acronym.lower())
    return key


def _label(key: str, forms: list[tuple[int, str]]) -> str:
    """The preferred label: the key's most used spelling, lower-cased but for acronyms."""
    count_by_form: Counter[str] = Counter()
    for count, form in forms:
        if not is_acronym(form) and phrase_key(_TOKEN.findall(form)) == key:
            count_by_form[_lower_words(form)] += count
    if not count_by_form:
        return key
    words = sorted(count_by_form.items(), key=lambda kv: (-kv[1], kv[0]))[0][0].split()
    if not is_acronym(words[-1]) and not CONNECTORS & set(words):  # "mixture of experts" stays
        words[-1] = _lemma(words[-1])
    return " ".join(words)


def _lower_words(phrase: str) -> str:
    """Lower-case a phrase but keep acronyms (`ViT`, `LLM`) as written."""
    return " ".join(w if is_acronym(w) else w.lower() for w in phrase.split())


def _choose(
    keys: list[str], numbers: list[int], counts: list[int], scores: list[float], wanted: int
) -> list[tuple[str, float]]:
    """The first `wanted` terms (best first), skipping a term nested in an already chosen
    longer one unless it has more mentions of its own."""
    chosen: list[tuple[str, float]] = []
    taken: list[tuple[str, int]] = []  # (" key ", count) of the chosen
    for number, count, score in zip(numbers, counts, scores, strict=True):
        key = keys[number]
        padded = f" {key} "
        for other, other_count in taken:
            if padded in other and count <= other_count:
                break
        else:
            chosen.append((key, score))
            if len(chosen) == wanted:
                break
            taken.append((padded, count))
    return chosen
