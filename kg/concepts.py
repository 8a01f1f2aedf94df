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

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import simplemma

from kg.errors import ConfigError
from kg.model import Paper

TITLE_WEIGHT = 3  # a title term counts as three abstract mentions
MAX_WORDS = 4

# Function words, plus the verbs and adverbs abstracts lean on; a key phrase neither starts
# nor ends on one, and none stands inside it except the connectors below.
FUNCTION_WORDS = frozenset(
    """
    a about above across after against all along also although am among an and another any are
    as at be been before being below between both but by can could did do does doing done down
    during each either else every few for from further had has have having he her here hers him
    his how however i if in into is it its itself just least less many may me might more most
    much must my neither no nor not of off on once one only onto or other others our ours out
    over own per rather same shall she should since so some such than that the their theirs them
    then there these they this those though through thus to too toward towards under unless
    until up upon us very via was we were what whether when where which while who whom whose why
    will with within without would yet you your e g eg ie i.e e.g etc vs
    capture generate generating enhancing predicting integrating benchmarking teaching
    accelerating boosting improving rethinking exploring revisiting leveraging towards
    demystifying closing adapting introducing eliciting making unleashing achieve achieves
    achieved achieving address addresses adopt adopts allow allows apply applied applies based
    become becomes bring brings called can't cannot compare compared conduct conducted consider
    considered consist consists contain contains demonstrate demonstrates demonstrated derive
    derived describe described design designed develop developed enable enables enabled explore
    explored find finds found focus focuses follow following give gives given help helps improve
    improves improved include includes including introduce introduces introduced lead leads
    leading leverage leverages make makes made need needs obtain obtained offer offers
    outperform outperforms outperforming perform performs performed present presents presented
    propose proposes proposed provide provides provided reach reaches reduce reduces reduced
    remain remains require requires required reveal reveals see seen serve serves show shows
    showed shown significantly study studies suggest suggests take takes taken termed train
    trained use used uses using utilize utilizes utilizing validate verify well yield yields
    able across first second third two three four five several new novel simple key still even
    often usually widely largely highly respectively particularly especially furthermore
    moreover additionally specifically finally namely mainly recently currently previously
    """.split()
)
# Allowed inside a phrase between content words: "mixture of experts", "text to image".
CONNECTORS = frozenset({"of", "to"})

# Academic filler: a candidate made only of these words is not a research concept.
GENERIC_WORDS = frozenset(
    """
    ability accuracy advantage algorithm analysis application approach art aspect available
    baseline behavior behaviour benchmark benefit best better capability case challenge
    challenging code comparable comparison competitive component comprehensive computational
    contribution cost current data dataset datasets demonstration detail different difficulty
    direction domain effect effective effectiveness efficiency efficient effort empirical end
    evaluation evidence existing experiment experimental extensive fact factor field finding
    framework future general github good great high impact implementation importance important
    improvement input insight issue large level limitation literature low lower main manner
    method methodology metric model module network number objective open order output overall
    paper part performance potential practical practice previous problem process project
    promising property public publicly purpose quality question range recent release released
    research result robust scale scenario script setting significant simple small solution
    source stage standard state strategy strong structure study superior system task technique
    term time tool type understanding variety various version way work better-performing
    downstream thorough examination
    """.split()
)
# Words too broad to tag a paper with on their own, though fine inside a phrase
# ("image" alone says little; "image segmentation" is a concept).
BROAD_ALONE = frozenset(
    """
    layer image feature sequence token text context object generation representation training
    inference memory parameter weight size length information knowledge pattern signal
    prediction learning loss space head vector matrix score sample instance label class language
    vision decoder encoder detection recognition classification modeling modelling fusion
    interpretation accelerating boosting paradigm lens deep sparse parallel dense fast multi
    single global local word sentence document step operator annotation tuning speed
    interaction brain cache response criterion index phase group block multiple ai ap cls flop
    completion geometry surface scene reconstruction coding encoding byte search exit dropping
    adapt implicit recurrent learner instruction content frame reward prompt agent law scaling
    """.split()
)
_ADJECTIVE_ENDINGS = ("al", "ive", "ous", "ic", "able", "ible", "ful", "less", "ary", "ar")
_NOUNS_LIKE_ADJECTIVES = frozenset(
    """
    retrieval signal interval tutorial logic music topic radar lidar grammar agent gradient
    student content component token transformer proposal removal arrival material journal trial
    animal survival portal terminal manual potential arithmetic graphic objective derivative
    primitive representative alternative dictionary vocabulary summary library boundary memory
    binary commentary variable table cable rehearsal traversal
    """.split()
)
# Leading modifiers that evaluate rather than name: stripped from the front of a phrase.
FILLER_MODIFIERS = frozenset(
    """
    novel new proposed existing previous prior recent current various different extensive
    comprehensive significant simple effective efficient strong robust powerful promising
    state-of-the-art sota several numerous diverse standard typical conventional traditional
    popular widely-used well-known remarkable impressive superior competitive unified general
    specific particular
    """.split()
)
# Head nouns that turn a concept into a description of it: "self-attention mechanism",
# "decoding method", "segmentation task"; the phrase without them is the concept.
GENERIC_HEADS = frozenset(
    """
    method approach system structure strategy task framework technique scheme module mechanism
    size setting paradigm pipeline process procedure problem performance result design model's
    """.split()
)
# Adjectives that cannot end a phrase ("inference of large", "multi modal").
_ADJECTIVES = frozenset(
    """
    large small high low deep long short good better best multiple wise level based free aware
    accurate specific modal lingual scale grained shot
    """.split()
)
_HAS_DIGIT = re.compile(r"\d")
_NO_LY = frozenset({"anomaly", "family", "assembly", "supply", "italy", "only", "reply", "apply"})

_CHUNK_SPLIT = re.compile(r"[.,;:!?()\[\]{}\"“”‘’«»|/]|\s[-–—]\s|'s\b")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z]")
_ACRONYM_DEF = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*?)(s?)\s*\)")
_URL = re.compile(r".*(?:://|github\.com|huggingface\.co|\.io/).*")
_LATEX = re.compile(r"\\[a-zA-Z]+|[{}^_$]")


def is_acronym(token: str) -> bool:
    """A short token of mostly capitals: `LLM`, `ViT`, `MoE`, `T2I`, `CASS-NAT` (not `Multi-Level`)."""
    if not 2 <= len(token) <= 12 or not token[0].isalpha():
        return False
    letters = [c for c in token if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def acronym_key(token: str) -> str:
    """`LLMs` and `LLM` share a key; so do `MLPs` and `MLP`."""
    if len(token) > 2 and token.endswith("s") and token[-2].isupper():
        return token[:-1]
    return token


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    lemma = simplemma.lemmatize(word, lang="en")
    if lemma == word:  # a term the dictionary lacks ("autoencoders"): regular plural rules
        if word.endswith("ies"):
            return word[:-3] + "y"
        if word.endswith(("xes", "ches", "shes")):
            return word[:-2]
        return word[:-1]
    return lemma


# Prefixes written both joined and hyphenated ("pretraining", "pre-training"): always split.
_JOINED_PREFIX = re.compile(r"^(pre|post|fine|multi|self|cross|semi|non|co|re|sub|un)(?=[a-z]{4})(?!-)")


def phrase_key(words: Sequence[str]) -> str:
    """Normalized key of a phrase: lower case, hyphens as spaces, last word lemmatized.

    Joined and hyphenated prefixes meet: "pretraining" and "pre-training" both give
    "pre training"; "finetuning" and "fine-tuning" give "fine tuning".
    """
    lowered = [w.lower() for w in words]
    lowered[-1] = _lemma(lowered[-1])
    text = " ".join(lowered).replace("-", " ")
    return " ".join(_split_prefix(w) for w in text.split())


_KNOWN_JOINED = frozenset(
    {
        "pretraining",
        "pretrained",
        "finetuning",
        "finetuned",
        "multimodal",
        "multilingual",
        "multiscale",
        "multitask",
        "selfattention",
        "crossattention",
        "semisupervised",
        "nonautoregressive",
        "subword",
        "multihead",
        "multilayer",
        "pretrain",
        "finetune",
        "posttraining",
        "crosslingual",
        "crossmodal",
    }
)


def _split_prefix(word: str) -> str:
    if word in _KNOWN_JOINED:
        return _JOINED_PREFIX.sub(r"\1 ", word)
    return word


def slugify(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "concept"


def _is_function(word: str) -> bool:
    low = word.lower()
    if low in FUNCTION_WORDS or low.isdigit():
        return True
    return low.endswith("ly") and low not in _NO_LY and len(low) > 4


def _adjective(low: str) -> bool:
    if low in _ADJECTIVES:
        return True
    return low.endswith(_ADJECTIVE_ENDINGS) and low not in _NOUNS_LIKE_ADJECTIVES and len(low) > 4


def _ends_badly(word: str) -> bool:
    low = word.lower()
    # A phrase ends on its head noun, not a participle ("model trained") or a bare number.
    return (low.endswith("ed") and len(low) > 4 and not low.endswith("eed")) or (
        low[:1].isdigit() and low.isdigit()
    )


def clean_text(text: str) -> str:
    """Text without URLs and LaTeX markup, which would otherwise yield junk phrases."""
    if "://" in text or "github.com" in text or "huggingface.co" in text or ".io/" in text:
        text = " ".join(w for w in text.split() if not _URL.fullmatch(w))
    if "\\" in text or "{" in text or "^" in text or "$" in text or "_" in text:
        text = _LATEX.sub(" ", text)
    return text


# Token classes for phrase building, cached per distinct token (the vocabulary is small
# next to the token stream, so each token is classified once per process).
_CONTENT, _FUNCTION, _ACRONYM, _CONNECTOR = 0, 1, 2, 3
_TOKEN_INFO: dict[str, tuple[int, bool, bool]] = {}


def _token_info(token: str) -> tuple[int, bool, bool]:
    """(class, may start a phrase, may end a phrase)."""
    info = _TOKEN_INFO.get(token)
    if info is None:
        low = token.lower()
        if is_acronym(token):
            kind = _ACRONYM
        elif low in CONNECTORS:
            kind = _CONNECTOR
        elif _is_function(token):
            kind = _FUNCTION
        else:
            kind = _CONTENT
        content = kind == _CONTENT
        starts = (
            content and low not in FILLER_MODIFIERS and (not _HAS_DIGIT.search(low) or low in ("2d", "3d"))
        )
        ends = content and not _ends_badly(token) and low not in GENERIC_HEADS and not _adjective(low)
        info = (kind, starts, ends)
        if len(_TOKEN_INFO) < 500_000:
            _TOKEN_INFO[token] = info
    return info


def candidate_phrases(text: str) -> list[str]:
    """Surface forms of every candidate phrase (1..4 words), and `ACR:X` for each acronym X.

    Acronyms are resolved to their long form only once the whole corpus's definitions are
    known; phrases are mapped to keys (`phrase_key`) once per distinct surface.
    """
    found: list[str] = []
    add = found.append
    known = _TOKEN_INFO.get
    for chunk in _CHUNK_SPLIT.split(text):
        run: list[str] = []
        infos: list[tuple[int, bool, bool]] = []
        for token in _TOKEN.findall(chunk):
            info = known(token) or _token_info(token)
            kind = info[0]
            if kind == _CONTENT or (kind == _CONNECTOR and run):
                run.append(token)
                infos.append(info)
                continue
            if run:
                _run_phrases(run, infos, add)
                run, infos = [], []
            if kind == _ACRONYM:
                add("ACR:" + acronym_key(token))
        if run:
            _run_phrases(run, infos, add)
    return found


def _run_phrases(run: list[str], infos: list[tuple[int, bool, bool]], add: Callable[[str], None]) -> None:
    n = len(run)
    if n == 1:
        if infos[0][1] and infos[0][2]:
            add(run[0])
        return
    for i in range(n):
        if infos[i][1]:
            for j in range(i, min(i + MAX_WORDS, n)):
                if infos[j][2]:
                    add(" ".join(run[i : j + 1]) if j > i else run[i])


_KEYS: dict[str, str] = {}


def surface_key(surface: str) -> str:
    """`phrase_key` of a surface form (cached), or the surface itself for `ACR:` markers."""
    key = _KEYS.get(surface)
    if key is None:
        key = surface if surface.startswith("ACR:") else phrase_key(surface.split())
        if len(_KEYS) < 2_000_000:
            _KEYS[surface] = key
    return key


def acronym_definitions(text: str) -> Iterable[tuple[str, list[str]]]:
    """(acronym, long-form words) for each `long form (ACR)` in `text` (Schwartz-Hearst style).

    The long form is the shortest run of words just before the parenthesis whose initials
    (and inner letters, in order) spell the acronym, starting on the acronym's first letter.
    """
    for match in _ACRONYM_DEF.finditer(text):
        acronym = match.group(1)
        before = text[: match.start()].rstrip()
        words = _TOKEN.findall(before.rsplit(".", 1)[-1])[-(len(acronym) + 5) :]
        long_form = _match_long_form(acronym, words)
        if long_form:
            yield acronym_key(acronym + match.group(2)), long_form


def _match_long_form(acronym: str, words: list[str]) -> list[str] | None:
    """The shortest run of trailing `words` whose part initials spell the acronym's capitals."""
    capitals = [c.lower() for c in acronym if c.isupper()]
    if len(capitals) < 2:
        return None
    for start in range(len(words) - 1, -1, -1):
        candidate = words[start:]
        parts = [p for w in candidate for p in w.split("-") if p and not _is_function(p)]
        if not parts or _is_function(candidate[0]) or parts[0][0].lower() != capitals[0]:
            continue
        if len(parts) > len(capitals) + 2:
            return None
        initials = [p[0].lower() for p in parts]
        # Capitals are word initials ("Large Language Models"), or, for two words or more,
        # letters inside them in order ("Masked AutoEncoder" MAE, "DEtection TRansformer" DETR).
        if _subsequence(capitals, initials) or (
            len(parts) >= 2
            and len(parts) <= len(capitals)
            and _subsequence(capitals, list("".join(parts).lower()))
        ):
            return None if _is_function(candidate[-1]) else candidate
    return None


def _subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(h == n for h in it) for n in needle)


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


def extract_terms(papers: Sequence[Paper]) -> list[PaperTerms]:
    """Per paper: candidate counts and acronym definitions (the part worth parallelising)."""
    return [paper_terms(p) for p in papers]


# Below this many papers a second process costs more than it saves (measured in
# benchmarks/build_bench.py: fork and result transfer ~0.3 s).
PARALLEL_MIN_PAPERS = 5000


def _terms_of_slice(bounds: tuple[int, int]) -> list[PaperTerms]:
    return extract_terms(_FORK_PAPERS[bounds[0] : bounds[1]])


_FORK_PAPERS: Sequence[Paper] = ()


def extract_terms_parallel(papers: Sequence[Paper], workers: int | None = None) -> list[PaperTerms]:
    """`extract_terms` over all cores for large corpora (fork: papers are shared, not pickled)."""
    import multiprocessing
    import os

    workers = workers or len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if (
        workers < 2
        or len(papers) < PARALLEL_MIN_PAPERS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return extract_terms(papers)
    global _FORK_PAPERS
    _FORK_PAPERS = papers
    step = -(-len(papers) // workers)
    bounds = [(i, min(i + step, len(papers))) for i in range(0, len(papers), step)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_terms_of_slice, bounds)
    finally:
        _FORK_PAPERS = ()
    return [t for part in parts for t in part]


_SPENT: PaperTerms = (Counter(), [])


def extract_concepts(
    papers: Sequence[Paper],
    options: ConceptOptions | None = None,
    terms: list[PaperTerms] | None = None,
) -> ConceptMap:
    """Tag each paper with its best concepts and build the corpus's concept list.

    `terms` (from `extract_terms`) is consumed: its entries are released as they are used.
    """
    options = options or ConceptOptions()
    terms = terms if terms is not None else extract_terms(papers)
    n = max(len(papers), 1)

    # 1. Acronyms: each maps to its most often defined long form.
    long_forms: dict[str, Counter[str]] = defaultdict(Counter)
    long_surface: Counter[tuple[str, str]] = Counter()
    for _, definitions in terms:
        for acronym, words in definitions:
            key = phrase_key(words)
            long_forms[acronym][key] += 1
            long_surface[key, " ".join(words)] += 1
    acronyms = {a: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for a, c in long_forms.items()}
    synonyms = {k: phrase_key(_TOKEN.findall(v)) for k, v in options.synonyms.items()}
    preferred_labels = {phrase_key(_TOKEN.findall(v)): v for v in options.synonyms.values()}

    def resolve(key: str) -> str:
        if key in synonyms:
            return synonyms[key]
        if key.startswith("ACR:"):
            acronym = key[4:]
            return acronyms.get(acronym, acronym.lower())
        return key

    # 2. Document frequencies over resolved keys; in how many papers each spelling occurs
    #    (for labels).  Each distinct surface is resolved once.
    per_paper: list[dict[str, int]] = []
    df: Counter[str] = Counter()
    surface_df: Counter[str] = Counter()
    target_of: dict[str, str] = {}
    # Each paper's surface counts are dropped once resolved: at 100k papers the two
    # generations of per-paper dictionaries together would double this stage's memory.
    for index in range(len(terms)):
        counts = terms[index][0]
        terms[index] = _SPENT
        resolved: dict[str, int] = {}
        get = resolved.get
        for surface, count in counts.items():
            target = target_of.get(surface)
            if target is None:
                target = target_of[surface] = resolve(surface_key(surface))
            resolved[target] = get(target, 0) + count
        per_paper.append(resolved)
        df.update(resolved.keys())
        surface_df.update(counts.keys())
    surfaces: Counter[tuple[str, str]] = Counter()
    alt_acronyms: dict[str, set[str]] = defaultdict(set)
    for surface, count in surface_df.items():
        target = target_of[surface]
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
    tags: dict[str, list[tuple[str, float]]] = {}
    shortlist = 4 * options.per_paper  # enough to survive the nesting rule; all if it does not
    for index, paper in enumerate(papers):
        paper_counts = per_paper[index]
        per_paper[index] = {}  # released as we go, like the surface counts above
        candidates = [
            (-count * weight, key)
            for key, count in paper_counts.items()
            if (weight := term_weight.get(key)) is not None
        ]
        scored = heapq.nsmallest(shortlist, candidates)
        if len(candidates) > shortlist and _needs_more(scored, paper_counts, options.per_paper):
            scored = sorted(candidates)
        chosen: list[tuple[str, float]] = []
        for neg, key in scored:
            score = -neg
            padded = f" {key} "
            if any(
                padded in f" {other} " and paper_counts[key] <= paper_counts[other] for other, _ in chosen
            ):
                continue
            chosen.append((key, score))
            if len(chosen) == options.per_paper:
                break
        tags[paper.key] = chosen

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


def _needs_more(scored: list[tuple[float, str]], counts: dict[str, int], wanted: int) -> bool:
    """Would the nesting rule leave fewer than `wanted` of the shortlisted terms?"""
    kept: list[str] = []
    for _, key in scored:
        if not any(f" {key} " in f" {o} " and counts[key] <= counts[o] for o in kept):
            kept.append(key)
    return len(kept) < wanted


def _nested(short: str, long: str) -> bool:
    return short != long and f" {short} " in f" {long} "
