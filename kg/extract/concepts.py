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
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
from scipy.sparse import csr_matrix

from kg import parallel
from kg.extract.acronyms import acronym_definitions
from kg.extract.candidates import CorpusTerms, join_runs, read_run, verb_uses
from kg.extract.field import (
    is_field_term,
    is_modifier,
    shipped_field,
    specificity,
    with_field_senses,
)
from kg.extract.keycounts import joined_uses, text_terms, together, within_shares, word_pairs
from kg.extract.lexicon import FUNCTION_WORDS, GENERIC_WORDS
from kg.extract.phrases import _TOKEN, is_acronym, phrase_key
from kg.extract.ranking import (
    held_support,
    is_piece,
    label_concepts,
    passing_weights,
    rank_papers,
)
from kg.extract.senses import AcronymSenses, acronym_of, acronym_senses, resolved
from kg.extract.tagging import (
    confident_tags,
    generic_in_titles,
    title_worthy,
    without_fragments,
)
from kg.extract.terms import MAX_VERB_SHARE, MIN_HEAD_SHARE, idf, is_term, term_weight, variant_merges
from kg.extract.vocabulary import TITLE_BIT, ConceptMap, ConceptOptions, read_stoplist, read_synonyms
from kg.model import Paper

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


# ----------------------------------------------------------------------------------------
# Extraction


def extract_concepts(
    papers: Sequence[Paper],
    options: ConceptOptions | None = None,
    workers: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ConceptMap:
    """Tag each paper with its best concepts and build the corpus's concept list.

    Corpora of `kg.parallel.PARALLEL_MIN_PAPERS` or more have their text read by `workers`
    processes (default: one per core); the result is the same as in one process.
    `progress("concepts", done, total)` counts the papers read, then the steps after.
    """
    workers = parallel.workers_for(len(papers), workers)
    runs = [partial(read_run, run) for run in parallel.split(papers, workers)]
    after = list(itertools.accumulate(max(1, round(share * len(papers))) for share in _STEP_SHARES))
    total = len(papers) + after[-1]

    def tell(done: int) -> None:
        if progress is not None:
            progress("concepts", min(done, total), total)

    tell(0)
    found = parallel.run_jobs(runs, parallel=workers > 1, workers=workers, progress=tell)
    tell(len(papers))
    terms = join_runs(found)
    del found
    return _extract(
        papers, options or ConceptOptions(), terms, lambda step: tell(len(papers) + after[step - 1]), workers
    )


# The four steps of `_extract`, counted as progress after the papers are read, each as its
# time over the time reading the papers took (two workers; on dev-corpus slices of 20,000 and
# 40,944 papers: 0.63/0.54, 1.16/1.05, 1.0/0.97, 0.39/0.34): the bar's count and its ETA
# go on through them rather than stopping one short of the end for longer than the reading.
_STEP_SHARES = (0.6, 1.1, 1.0, 0.4)


def _extract(
    papers: Sequence[Paper],
    options: ConceptOptions,
    terms: CorpusTerms,
    step: Callable[[int], None] = lambda _: None,
    workers: int = 1,
) -> ConceptMap:
    n = max(len(papers), 1)
    field = shipped_field()
    senses = with_field_senses(acronym_senses(terms.definitions), field)
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
            terms.counts[valid] + TITLE_BIT * terms.titles[valid].astype(np.int64),
            (rows[valid], columns[valid]),
        ),
        shape=(len(papers), len(keys)),
        dtype=np.int64,
    )
    packed.sum_duplicates()
    counts = np.bincount(columns[valid], weights=terms.counts[valid], minlength=len(keys))
    targeted = surface_target >= 0
    heads = np.bincount(surface_target[targeted], weights=terms.heads[targeted], minlength=len(keys))
    joined = np.bincount(surface_target[targeted], weights=joined_uses(terms)[targeted], minlength=len(keys))
    del rows, columns, valid
    step(1)

    # 2. Variants meet ("transformer model" and "transformer", "layer norm" and "layer
    #    normalization", "kv" and "key value"), then termhood decides on the merged keys.
    verbs = verb_uses(terms)
    hyphen_to = {target_of[i] for i, s in enumerate(terms.surfaces) if "-to-" in s.lower()}

    def terms_among(
        keys: list[str],
        counts: np.ndarray,
        heads: np.ndarray,
        joined: np.ndarray,
        pairs: np.ndarray,
        asked: np.ndarray | None = None,
    ) -> list[bool]:
        """Whether each key is a term; only the `asked` ones (a mask) if given, the rest False."""
        compound_heads = {k.rsplit(" ", 1)[1] for k in keys if " " in k}
        number = {k: i for i, k in enumerate(keys)}
        within = within_shares(pairs, counts).tolist()
        # The words that are keys of their own and read as verbs more than MAX_VERB_SHARE of
        # the time ("incorporate both"); is_term asks only whether a key holds one.
        verbal = frozenset(
            word
            for word in verbs
            if word in number and counts[number[word]] and verbs[word] / counts[number[word]] > MAX_VERB_SHARE
        )

        totals, head_counts, joined_counts = counts.tolist(), heads.tolist(), joined.tolist()
        # `is_term`'s first test, for all keys at once: most keys are never a head enough.
        share = np.divide(heads, counts, out=np.zeros(len(keys)), where=counts != 0)
        may_be_terms = ((share >= MIN_HEAD_SHARE) & (True if asked is None else asked)).tolist()

        def judged(lo: int, hi: int) -> list[bool]:
            return [
                key not in options.stoplist
                and (
                    key in curated
                    or (
                        may_be_terms[i]
                        and is_term(
                            key,
                            head_share=head_counts[i] / totals[i] if totals[i] else 0.0,
                            verb_share=1.0 if verbal and not verbal.isdisjoint(key.split()) else 0.0,
                            hyphen_to=key in hyphen_to,
                            compound_head=key in compound_heads,
                            within=within[i],
                            joined=joined_counts[i] / totals[i] if totals[i] else 0.0,
                            defined=key in defined,
                        )
                    )
                )
                for i, key in enumerate(keys[lo:hi], start=lo)
            ]

        # Each key is judged on its own: a large corpus's keys are shared among the workers.
        # Not where only some are asked (the merged keys that may tag a paper): on the dev
        # corpus those took 1.25 s here and 1.38 s shared with a forked process, which copied
        # some 250 MB of this one's pages as it read them.
        return parallel.map_ranges(judged, len(keys), workers if asked is None else 1)

    # Keys of acronyms no paper defines, unless a word in lower case has the same key: MAP
    # is an acronym, "map" a word, and the word is no mean average precision.
    written_as_words = {t for s, t in zip(terms.surfaces, target_of, strict=True) if t and s[:1].islower()}
    acronym_keys = {
        t
        for s, t in zip(terms.surfaces, target_of, strict=True)
        if t and s.startswith("ACR:") and " " not in t and t not in written_as_words
    }
    defined = {senses.alias.get(k, k) for k in senses.written}
    pairs = word_pairs(keys)
    into = variant_merges(
        keys, terms_among(keys, counts, heads, joined, pairs), acronym_keys, partial(together, packed)
    )
    merged_keys = sorted({keys[i] for i in into})
    merged_number = {k: i for i, k in enumerate(merged_keys)}
    remap = np.fromiter((merged_number[keys[i]] for i in into), np.int32, len(keys))
    raw_keys, keys = keys, merged_keys
    packed = csr_matrix((packed.data, remap[packed.indices], packed.indptr), shape=(len(papers), len(keys)))
    packed.sum_duplicates()
    counts = np.bincount(remap, weights=counts, minlength=len(keys))
    heads = np.bincount(remap, weights=heads, minlength=len(keys))
    joined = np.bincount(remap, weights=joined, minlength=len(keys))
    # The merged keys are the raw keys that merged nowhere, so their pairs are those pairs.
    stays = np.asarray(into) == np.arange(len(into))
    pairs = remap[pairs[:, stays[pairs[0]] & stays[pairs[1]]]]
    step(2)

    df = np.bincount(packed.indices, minlength=len(keys))
    max_df = max(options.min_papers, int(options.max_share * n))
    # Only a key that may tag a paper needs judging: one shared by enough papers, or a term of
    # one paper's title (see `shared` and `own` below); most keys are neither.
    in_titles = np.bincount(packed.indices[packed.data >= TITLE_BIT], minlength=len(keys))
    may_tag = (df >= options.min_papers) | ((df == 1) & (in_titles > 0))
    is_concept = np.array(terms_among(keys, counts, heads, joined, pairs, may_tag), dtype=bool)
    # A term's weight; only a concept's is ever read (the weight of `shared` and `own` ones).
    # The field at large knows what the corpus cannot: a phrase most of its papers write is
    # generic however rare in this corpus, and a title's words the field never writes as a
    # phrase are a fragment (`kg.extract.field`).
    weighed = np.flatnonzero(is_concept).tolist()
    weight = np.zeros(len(keys))
    weight[weighed] = np.fromiter(
        (
            term_weight(keys[i], idf(n, int(df[i]))) * specificity(field, keys[i]) if df[i] else 0.0
            for i in weighed
        ),
        float,
        len(weighed),
    )
    # A key the field writes mostly as a modifier of longer phrases is no tag (`is_modifier`).
    variants: dict[str, list[str]] = {}
    for i in np.flatnonzero(~stays).tolist():
        variants.setdefault(raw_keys[into[i]], []).append(raw_keys[i])
    modifiers = [i for i in weighed if is_modifier(field, keys[i], variants.get(keys[i], ()))]
    weight[modifiers] = 0.0
    packed_ranked = without_fragments(packed, keys, field)
    shared = is_concept & (df >= options.min_papers) & (df <= max_df)
    # A term of one paper's title, too rare to link papers, may still describe that paper.
    own = is_concept & (df == 1)
    own[own] = [title_worthy(keys[i]) for i in np.flatnonzero(own).tolist()]

    # 3. Rank each paper's terms; a shorter term inside a chosen longer one with no mentions
    #    of its own gives way to it.  A shared term that too few papers choose is no concept:
    #    the papers that chose it rank again without it, so their places go to other terms.
    own_weight = np.where(own, weight, 0.0)
    generic = frozenset(
        k for k, term in zip(keys, is_concept.tolist(), strict=True) if term and is_field_term(field, k)
    )
    # Ranked past `per_paper`, so that a paper whose best terms are generic has specific ones left.
    wanted = 2 * options.per_paper

    titled = generic_in_titles(packed_ranked, keys, generic)
    piece = partial(is_piece, field)

    def confident(
        ranked: list[list[tuple[str, float, bool]]], rows: Sequence[int] | None = None
    ) -> list[list[tuple[str, float, bool]]]:
        allowed = titled if rows is None else [titled[i] for i in rows]
        return [chosen[: options.per_paper] for chosen in confident_tags(ranked, generic, allowed, piece)]

    aside = passing_weights(packed_ranked)
    full = rank_papers(packed_ranked, np.where(shared, weight, 0.0), own_weight, keys, wanted, aside)
    ranked = confident(full)
    for _ in range(_RANKINGS - 1):
        support = held_support(ranked)
        dropped = {
            k
            for chosen in ranked
            for k, _, _ in chosen
            if support[k] < options.min_papers and shared[merged_number[k]]
        }
        if not dropped:
            break
        shared[[merged_number[k] for k in dropped]] = False
        again = [i for i, chosen in enumerate(ranked) if any(k in dropped for k, _, _ in chosen)]
        rows = np.array(again, dtype=np.int64)
        for i, terms_of in zip(
            again,
            rank_papers(packed_ranked[rows], np.where(shared, weight, 0.0), own_weight, keys, wanted, aside),
            strict=True,
        ):
            full[i] = terms_of
        for i, chosen in zip(again, confident([full[i] for i in again], again), strict=True):
            ranked[i] = chosen
    # The cut again over the terms that stayed concepts: a paper that lost its specific terms
    # to the support rule gets its generic ones back, not fewer than MIN_TAGS.
    support = held_support(ranked)
    kept = {k for chosen in ranked for k, _, _ in chosen if support[k] >= options.min_papers}
    ranked = confident([[t for t in terms_of if t[0] in kept or t[2]] for terms_of in full])
    # A concept is a tag of min_papers papers itself (its kg:paperCount); one that only the
    # narrower tags of others held up gives its places to the papers' next terms.
    support = Counter(k for chosen in ranked for k, _, _ in chosen)
    kept = {k for k, c in support.items() if c >= options.min_papers}
    if any(k not in kept and not title_only for chosen in ranked for k, _, title_only in chosen):
        ranked = confident([[t for t in terms_of if t[0] in kept or t[2]] for terms_of in full])
        support = Counter(k for chosen in ranked for k, _, _ in chosen)
        kept = {k for k, c in support.items() if c >= options.min_papers}
    step(3)
    text, text_columns = text_terms(packed, df, n)
    del packed, packed_ranked

    # 4. Concepts: shared terms still tagging enough papers, and the title terms chosen.
    kept_own = {k for chosen in ranked for k, _, title_only in chosen if title_only}
    tags = {}
    for paper, chosen in zip(papers, ranked, strict=True):
        tagged = [(k, s) for k, s, title_only in chosen if k in kept or title_only]
        top = tagged[0][1] if tagged else 1.0
        tags[paper.key] = [(k, round(s / top, 4)) for k, s in tagged]
    concepts = label_concepts(terms, target_of, into, raw_keys, kept | kept_own, support, curated, senses)
    idf_of = {k: round(idf(n, int(df[merged_number[k]])), 4) for k in sorted(kept)}
    step(4)
    text_keys = [keys[c] for c in text_columns.tolist()]
    return ConceptMap(concepts, tags, idf_of, [p.key for p in papers], text, text_keys)


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


_RANKINGS = 3  # rankings at most, each without the shared terms too few papers chose
