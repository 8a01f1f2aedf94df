"""Concepts a researcher would recognise, extracted from titles and abstracts.

The extractor combines the signals that work on scientific text:

- defined acronyms ("large language models (LLMs)"): the long form is the concept, the
  acronym an alternative label; a paper that defines an acronym uses its own definition, and
  a bare use elsewhere counts for the long form where the corpus defines it one way only;
- candidate key phrases: runs of content words that neither start nor end on a function word,
  common verb or adverb, keyed so that plural, hyphen, spelling and joined-prefix variants
  meet (`kg.extract.phrases`), and descriptive variants merge ("transformer model", `kg.extract.terms`);
- title terms weighted above abstract terms; a strong title term describes its paper even
  when no other paper shares it, though only shared concepts link papers;
- termhood: a term needs a minimum number of papers, too common terms are dropped, a term
  must stand as the head of its noun phrase, one-word terms common in general English
  (wordfreq) weigh less or not at all, and a paper's terms are ranked by frequency x inverse
  document frequency x length x specificity (the termhood idea behind VOSviewer's term maps).

Labels are the forms papers wrote most, and concepts form a hierarchy (`skos:broader`).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from kg import parallel
from kg.errors import ConfigError
from kg.extract.candidates import CorpusTerms, join_runs, read_run, verb_uses
from kg.extract.phrases import (
    _TOKEN,
    CONNECTORS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
    acronym_definitions,
    acronym_key,
    is_acronym,
    phrase_key,
    slugify,
    zipf,
)
from kg.extract.terms import (
    AcronymSenses,
    acronym_of,
    acronym_senses,
    alternative_labels,
    broader_terms,
    idf,
    is_term,
    preferred_label,
    resolved,
    term_weight,
    variant_merges,
)
from kg.model import Paper

MAX_TITLE_TAGS = 2  # tags of a paper that only its own title supports

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

    per_paper: int = 6
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
    """A concept: its key, preferred label, other labels and the papers tagged with it.

    `broader` is the key of the concept this one specialises ("decoding" for "speculative
    decoding"), if any.
    """

    key: str
    slug: str
    label: str
    alt_labels: list[str]
    papers: int
    broader: str | None = None


@dataclass
class ConceptMap:
    """What extraction found: concepts and, per paper key, (concept key, score) best first.

    `idf` holds the concepts that link papers (tagging at least `min_papers`); a concept
    outside it describes one paper's title only.
    """

    concepts: dict[str, Concept]
    tags: dict[str, list[tuple[str, float]]]
    idf: dict[str, float]
    # The texts' own terms: row i (paper `rows[i]`) holds TF-IDF weights of every candidate
    # key of its title and abstract that at least two papers share, concept or not.
    rows: list[str] = field(default_factory=list)
    text: csr_matrix | None = None


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
    runs = [partial(read_run, run) for run in parallel.split(papers, workers)]
    terms = join_runs(parallel.run_jobs(runs, parallel=workers > 1, workers=workers))
    return _extract(papers, options or ConceptOptions(), terms)


# Per (paper, key) entry, the weighted count and whether the title has it, packed in one
# integer so that one sparse matrix carries both through merges (sums keep both apart).
_TITLE_BIT = 1 << 32


def _extract(papers: Sequence[Paper], options: ConceptOptions, terms: CorpusTerms) -> ConceptMap:
    n = max(len(papers), 1)
    senses = acronym_senses(terms.definitions)
    synonyms = {k: phrase_key(_TOKEN.findall(v)) for k, v in options.synonyms.items()}
    curated = {phrase_key(_TOKEN.findall(v)): v for v in options.synonyms.values()}

    # 1. Each surface's key in the corpus; in a paper that defines an acronym, the acronym
    #    (alone or leading a phrase) takes that paper's own sense.  None: not a concept.
    acronyms = [acronym_of(s) for s in terms.surfaces]
    target_of = [
        _target(surface, key, acr, senses, synonyms)
        for surface, key, acr in zip(terms.surfaces, terms.keys, acronyms, strict=True)
    ]
    rows = np.repeat(np.arange(len(papers), dtype=np.int32), np.diff(terms.indptr))
    overrides = _own_senses(terms, rows, acronyms, senses, synonyms)
    keys = sorted({t for t in target_of if t} | {t for t in overrides.values() if t})
    key_number = {k: i for i, k in enumerate(keys)}
    surface_target = np.fromiter((key_number[t] if t else -1 for t in target_of), np.int32, len(target_of))
    columns = surface_target[terms.ids]
    for entry, target in overrides.items():
        columns[entry] = key_number[target] if target else -1
    valid = columns >= 0
    packed = csr_matrix(
        (
            terms.counts[valid] + _TITLE_BIT * terms.titles[valid].astype(np.int64),
            (rows[valid], columns[valid]),
        ),
        shape=(len(papers), len(keys)),
        dtype=np.int64,
    )
    packed.sum_duplicates()
    counts = np.bincount(columns[valid], weights=terms.counts[valid], minlength=len(keys))
    targeted = surface_target >= 0
    heads = np.bincount(surface_target[targeted], weights=terms.heads[targeted], minlength=len(keys))
    del rows, columns, valid

    # 2. Variants meet ("transformer model" and "transformer", "layer norm" and "layer
    #    normalization", "kv" and "key value"), then termhood decides on the merged keys.
    verbs = verb_uses(terms)
    hyphen_to = {target_of[i] for i, s in enumerate(terms.surfaces) if "-to-" in s.lower()}

    def terms_among(keys: list[str], counts: np.ndarray, heads: np.ndarray) -> list[bool]:
        compound_heads = {k.rsplit(" ", 1)[1] for k in keys if " " in k}
        number = {k: i for i, k in enumerate(keys)}

        def verb_share(key: str) -> float:
            """How often the key's word most used as a verb reads as one ("incorporate both")."""
            shares = [0.0]
            for word in key.split():
                single = number.get(word)
                if word in verbs and single is not None and counts[single]:
                    shares.append(verbs[word] / counts[single])
            return max(shares)

        return [
            key not in options.stoplist
            and (
                key in curated
                or is_term(
                    key,
                    head_share=heads[i] / counts[i] if counts[i] else 0.0,
                    verb_share=verb_share(key),
                    hyphen_to=key in hyphen_to,
                    compound_head=key in compound_heads,
                )
            )
            for i, key in enumerate(keys)
        ]

    acronym_keys = {
        t
        for s, t in zip(terms.surfaces, target_of, strict=True)
        if t and s.startswith("ACR:") and " " not in t
    }
    into = variant_merges(keys, terms_among(keys, counts, heads), acronym_keys, partial(_together, packed))
    merged_keys = sorted({keys[i] for i in into})
    merged_number = {k: i for i, k in enumerate(merged_keys)}
    remap = np.fromiter((merged_number[keys[i]] for i in into), np.int32, len(keys))
    raw_keys, keys = keys, merged_keys
    packed = csr_matrix((packed.data, remap[packed.indices], packed.indptr), shape=(len(papers), len(keys)))
    packed.sum_duplicates()
    counts = np.bincount(remap, weights=counts, minlength=len(keys))
    heads = np.bincount(remap, weights=heads, minlength=len(keys))

    df = np.bincount(packed.indices, minlength=len(keys))
    max_df = max(options.min_papers, int(options.max_share * n))
    is_concept = np.array(terms_among(keys, counts, heads), dtype=bool)
    weight = np.fromiter(
        (term_weight(k, idf(n, int(d))) if d else 0.0 for k, d in zip(keys, df, strict=True)),
        float,
        len(keys),
    )
    shared = is_concept & (df >= options.min_papers) & (df <= max_df)
    # A term of one paper's title, too rare to link papers, may still describe that paper.
    own = is_concept & (df == 1) & np.array([_title_worthy(k) for k in keys], dtype=bool)

    # 3. Rank each paper's terms; a shorter term inside a chosen longer one with no mentions
    #    of its own gives way to it.  A shared term that too few papers choose is no concept:
    #    the papers that chose it rank again without it, so their places go to other terms.
    own_weight = np.where(own, weight, 0.0)
    ranked = _rank(packed, np.where(shared, weight, 0.0), own_weight, keys, options.per_paper)
    for _ in range(_RANKINGS - 1):
        support = Counter(k for chosen in ranked for k, _, _ in chosen)
        dropped = {k for k, c in support.items() if c < options.min_papers and shared[merged_number[k]]}
        if not dropped:
            break
        shared[[merged_number[k] for k in dropped]] = False
        again = [i for i, chosen in enumerate(ranked) if any(k in dropped for k, _, _ in chosen)]
        rows = np.array(again, dtype=np.int64)
        for i, chosen in zip(
            again,
            _rank(packed[rows], np.where(shared, weight, 0.0), own_weight, keys, options.per_paper),
            strict=True,
        ):
            ranked[i] = chosen
    support = Counter(k for chosen in ranked for k, _, _ in chosen)
    kept = {k for k, c in support.items() if c >= options.min_papers}
    text = _text_terms(packed, df, n)
    del packed

    # 4. Concepts: shared terms still tagging enough papers, and the title terms chosen.
    kept_own = {k for chosen in ranked for k, _, title_only in chosen if title_only}
    tags = {}
    for paper, chosen in zip(papers, ranked, strict=True):
        tagged = [(k, s) for k, s, title_only in chosen if k in kept or title_only]
        top = tagged[0][1] if tagged else 1.0
        tags[paper.key] = [(k, round(s / top, 4)) for k, s in tagged]
    concepts = _concepts(terms, target_of, into, raw_keys, kept | kept_own, support, curated, senses)
    idf_of = {k: round(idf(n, int(df[merged_number[k]])), 4) for k in sorted(kept)}
    return ConceptMap(concepts, tags, idf_of, [p.key for p in papers], text)


# Keys in more than this share of papers say little about what two papers share.
TEXT_MAX_SHARE = 0.1


def _text_terms(packed: csr_matrix, df: np.ndarray, n: int) -> csr_matrix:
    """TF-IDF rows (sublinear tf, title mentions weighted) over keys that 2+ papers share."""
    usable = (df >= 2) & (df <= max(2, int(TEXT_MAX_SHARE * n)))
    columns = np.flatnonzero(usable)
    sub = packed[:, columns]
    tf = 1.0 + np.log((sub.data & (_TITLE_BIT - 1)).astype(np.float64))
    weights = tf * np.log(n / df[columns][sub.indices])
    return csr_matrix((weights, sub.indices, sub.indptr), shape=sub.shape)


def _target(
    surface: str,
    key: str,
    acronym: tuple[str, list[str]] | None,
    senses: AcronymSenses,
    synonyms: dict[str, str],
) -> str | None:
    """The key a surface counts for where its paper does not define its acronym."""
    if surface.startswith("VERB:"):
        return None
    if acronym is not None:
        alias = synonyms.get("ACR:" + acronym[0]) if not acronym[1] else None
        if alias is not None:
            return alias
        if surface.startswith("ACR:") or acronym[0] in senses.corpus or acronym[0] in senses.ambiguous:
            key = resolved(senses, *acronym) or ""
        # else: a phrase led by an acronym no paper defines stays as written ("kv cache")
    key = senses.alias.get(key, key)
    return synonyms.get(key, key) or None


def _own_senses(
    terms: CorpusTerms,
    rows: np.ndarray,
    acronyms: list[tuple[str, list[str]] | None],
    senses: AcronymSenses,
    synonyms: dict[str, str],
) -> dict[int, str | None]:
    """{entry: key} for acronyms of papers that define them (None: a sense kg cannot read)."""
    with_acronym = np.fromiter((a is not None for a in acronyms), bool, len(acronyms))
    defines = np.zeros(len(terms.indptr) - 1, bool)
    defines[list(senses.per_paper)] = True
    overrides: dict[int, str | None] = {}
    for entry in np.flatnonzero(with_acronym[terms.ids] & defines[rows]).tolist():
        paper = int(rows[entry])
        acronym = acronyms[terms.ids[entry]]
        assert acronym is not None
        if acronym[0] in senses.per_paper[paper]:
            target = resolved(senses, acronym[0], acronym[1], paper)
            overrides[entry] = synonyms.get(target, target) if target else None
    return overrides


def _together(packed: csr_matrix, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs of key numbers whose keys occur together in two papers or more."""
    columns = sorted({k for pair in pairs for k in pair})
    if not columns:
        return set()
    sub = packed[:, columns].tocsc()
    position = {k: i for i, k in enumerate(columns)}

    def papers(key: int) -> np.ndarray:
        i = position[key]
        return sub.indices[sub.indptr[i] : sub.indptr[i + 1]]

    return {(a, b) for a, b in pairs if len(np.intersect1d(papers(a), papers(b), assume_unique=True)) >= 2}


def _title_worthy(key: str) -> bool:
    """Whether a term too rare to link papers may still tag its paper from its title: a
    technical word ("binarization") or a noun phrase ("network binarization"), not a verb
    phrase ("harnessing diffusion transformers") or a run of title words around "of"."""
    words = key.split()
    if len(words) == 1:
        return zipf(key) < 3.0
    return not words[0].endswith("ing") and not CONNECTORS & set(words)


def _concepts(
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
    # key (not of a merged variant) is preferred as its label.
    papers_with = np.bincount(terms.ids, minlength=len(terms.surfaces))
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    own: dict[str, set[str]] = defaultdict(set)
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
        if target == concept:
            own[concept].add(form)
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


def _rank(
    packed: csr_matrix, weight: np.ndarray, own_weight: np.ndarray, keys: list[str], wanted: int
) -> list[list[tuple[str, float, bool]]]:
    """Each paper's best `wanted` terms, best first: (key, raw score, title-only), where the
    score is count x term weight.

    Shared terms (with a `weight`) rank everywhere; a term with an `own_weight` ranks only
    in the title of its paper, and at most MAX_TITLE_TAGS of those per paper.  Ties go to
    the key that sorts first.
    """
    papers = packed.shape[0]
    rows = np.repeat(np.arange(papers), np.diff(packed.indptr))
    numbers = packed.indices
    counts = packed.data & (_TITLE_BIT - 1)
    in_title = packed.data >= _TITLE_BIT
    entry_weight = np.where(
        weight[numbers] > 0, weight[numbers], np.where(in_title, own_weight[numbers], 0.0)
    )
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


_RANK_BLOCK = 10_000
_RANKINGS = 3  # rankings at most, each without the shared terms too few papers chose


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
