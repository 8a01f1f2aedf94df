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

import contextlib
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

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


Resolver = Callable[[str], str]


class Shard:
    """A run of papers and what extraction keeps of them between its three passes.

    The passes need corpus-wide figures in between (acronym long forms, then document
    frequencies), so a large corpus is cut into shards that live in worker processes for the
    whole extraction: per-paper counts never cross a process boundary, only the corpus-wide
    tallies and each paper's final tags do.
    """

    def __init__(self, papers: Sequence[Paper]):
        self.papers = papers
        self.surfaces: list[Counter[str]] = []
        self.keys: list[dict[str, int]] = []

    def read(self) -> Definitions:
        """Pass 1: each paper's candidate surfaces (kept); returns the acronym definitions."""
        definitions: Definitions = []
        for paper in self.papers:
            counts, defined = paper_terms(paper)
            self.surfaces.append(counts)
            definitions += defined
        return definitions

    def resolve(self, resolve: Resolver) -> tuple[Counter[str], Counter[tuple[str, str]]]:
        """Pass 2: surfaces to concept keys; returns document frequencies of the keys and, per
        (key, surface), in how many papers the surface occurs (for labels)."""
        df: Counter[str] = Counter()
        surface_df: Counter[str] = Counter()
        target_of: dict[str, str] = {}
        for counts in self.surfaces:
            resolved: dict[str, int] = {}
            get = resolved.get
            for surface, count in counts.items():
                target = target_of.get(surface)
                if target is None:
                    target = target_of[surface] = resolve(surface_key(surface))
                resolved[target] = get(target, 0) + count
            self.keys.append(resolved)
            df.update(resolved.keys())
            surface_df.update(counts.keys())
        self.surfaces = []  # released: at 100k papers two generations would double the memory
        surfaces: Counter[tuple[str, str]] = Counter()
        for surface, count in surface_df.items():
            surfaces[target_of[surface], surface] = count
        return df, surfaces

    def tag(self, term_weight: dict[str, float], per_paper: int) -> list[list[tuple[str, float]]]:
        """Pass 3: each paper's best terms, best first, with raw scores."""
        tags = []
        shortlist = 4 * per_paper  # enough to survive the nesting rule; all terms if it is not
        for counts in self.keys:
            candidates = [
                (-count * weight, key)
                for key, count in counts.items()
                if (weight := term_weight.get(key)) is not None
            ]
            chosen = _choose(heapq.nsmallest(shortlist, candidates), counts, per_paper)
            if len(chosen) < per_paper and len(candidates) > shortlist:
                chosen = _choose(sorted(candidates), counts, per_paper)
            tags.append(chosen)
        self.keys = []
        return tags


class _Shards:
    """Shards of a corpus, each served by a forked worker process, called in lockstep."""

    def __init__(self, papers: Sequence[Paper], workers: int):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        step = -(-len(papers) // workers)
        self.conns = []
        self.procs = []
        for start in range(0, len(papers), step):
            here, there = context.Pipe()
            proc = context.Process(target=_serve, args=(there, papers[start : start + step]), daemon=True)
            proc.start()
            there.close()
            self.conns.append(here)
            self.procs.append(proc)

    def call(self, method: str, *args: object) -> list:
        for conn in self.conns:
            conn.send((method, args))
        results = []
        for conn in self.conns:
            ok, value = conn.recv()
            if not ok:
                raise RuntimeError(f"concept extraction worker failed: {value}")
            results.append(value)
        return results

    def close(self) -> None:
        for conn in self.conns:
            # A stop message, not end-of-file: every child holds copies of the pipes forked
            # before it, so closing this end would not reach it.
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()


def _serve(conn: Connection, papers: Sequence[Paper]) -> None:
    shard = Shard(papers)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        method, args = message
        try:
            conn.send((True, getattr(shard, method)(*args)))
        except Exception as err:  # reported to, and raised in, the parent
            conn.send((False, f"{type(err).__name__}: {err}"))


class _Local:
    """The one-process stand-in for `_Shards`."""

    def __init__(self, papers: Sequence[Paper]):
        self.shard = Shard(papers)

    def call(self, method: str, *args: object) -> list:
        return [getattr(self.shard, method)(*args)]

    def close(self) -> None:
        self.shard = Shard(())


def extract_concepts(
    papers: Sequence[Paper],
    options: ConceptOptions | None = None,
    workers: int | None = None,
) -> ConceptMap:
    """Tag each paper with its best concepts and build the corpus's concept list.

    Corpora of `kg.parallel.PARALLEL_MIN_PAPERS` or more are shared among `workers` processes (default:
    one per core); the result is the same as in one process.
    """
    workers = parallel.workers_for(len(papers), workers)
    shards: _Shards | _Local = _Shards(papers, workers) if workers > 1 else _Local(papers)
    try:
        return _extract(papers, options or ConceptOptions(), shards)
    finally:
        shards.close()


def _extract(papers: Sequence[Paper], options: ConceptOptions, shards: _Shards | _Local) -> ConceptMap:
    n = max(len(papers), 1)

    # 1. Acronyms: each maps to its most often defined long form.
    long_forms: dict[str, Counter[str]] = defaultdict(Counter)
    long_surface: Counter[tuple[str, str]] = Counter()
    for definitions in shards.call("read"):
        for acronym, words in definitions:
            key = phrase_key(words)
            long_forms[acronym][key] += 1
            long_surface[key, " ".join(words)] += 1
    acronyms = {a: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for a, c in long_forms.items()}
    synonyms = {k: phrase_key(_TOKEN.findall(v)) for k, v in options.synonyms.items()}
    preferred_labels = {phrase_key(_TOKEN.findall(v)): v for v in options.synonyms.values()}

    # 2. Document frequencies over resolved keys; in how many papers each spelling occurs.
    df: Counter[str] = Counter()
    surface_df: Counter[tuple[str, str]] = Counter()
    for part_df, part_surfaces in shards.call("resolve", partial(_resolve, synonyms, acronyms)):
        df.update(part_df)
        surface_df.update(part_surfaces)
    surfaces: Counter[tuple[str, str]] = Counter()
    alt_acronyms: dict[str, set[str]] = defaultdict(set)
    for (target, surface), count in surface_df.items():
        if surface.startswith("ACR:"):
            surface = surface[4:]
            if target != surface.lower():
                alt_acronyms[target].add(surface)
        surfaces[target, surface] += count

    max_df = max(options.min_papers, int(options.max_share * n))

    hyphen_to = {k for (k, surface) in surfaces if "-to-" in surface.lower()}

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
    term_weight = {k: v * (1 + 0.5 * min(k.count(" "), 2)) for k, v in idf.items()}

    # 3. Rank each paper's terms; a shorter term inside a chosen longer one with no mentions
    #    of its own gives way to it.
    ranked = [chosen for part in shards.call("tag", term_weight, options.per_paper) for chosen in part]
    tags = {paper.key: chosen for paper, chosen in zip(papers, ranked, strict=True)}

    # 4. Keep concepts that still tag enough papers; scores scaled per paper into (0, 1].
    support = Counter(k for chosen in tags.values() for k, _ in chosen)
    kept = {k for k, c in support.items() if c >= options.min_papers}
    for pkey, chosen in tags.items():
        chosen = [(k, s) for k, s in chosen if k in kept]
        top = chosen[0][1] if chosen else 1.0
        tags[pkey] = [(k, round(s / top, 4)) for k, s in chosen]

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


def _choose(scored: list[tuple[float, str]], counts: dict[str, int], wanted: int) -> list[tuple[str, float]]:
    """The first `wanted` of `scored` (best first), skipping a term nested in an already chosen
    longer one unless it has more mentions of its own."""
    chosen: list[tuple[str, float]] = []
    for neg, key in scored:
        padded = f" {key} "
        if any(padded in f" {other} " and counts[key] <= counts[other] for other, _ in chosen):
            continue
        chosen.append((key, -neg))
        if len(chosen) == wanted:
            break
    return chosen
