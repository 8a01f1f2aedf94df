"""Mentions: a paper whose abstract names another corpus paper's own method (`schema:mentions`).

A name alone is no evidence: coined names collide (two unrelated methods called `ADNet`, a
`CoLA` adapter and the `CoLA` dataset), and a paper often coins for itself a name another paper
already took.  So a mention is kept only where more than the name says the two papers meet: the
mentioning paper does not claim the name as its own, uses it as the mentioned paper's kind of
thing, and the two texts share specific words (`text_similarity`), less of them where the name
stands in a citing phrase ("such as X", "X [12]", "X (Li et al.)", "outperforms X").
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache

from kg.extract.field import NAME_TOKEN, Field, inside_longer_name, shipped_field
from kg.extract.lexicon import FUNCTION_WORDS, GENERIC_WORDS
from kg.extract.phrases import acronym_key, is_acronym, phrase_key, zipf
from kg.extract.vocabulary import ConceptMap
from kg.model import Paper
from kg.relate.naming import cited, claims, same_long_form

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*$")


_WORD = re.compile(r"[A-Za-z0-9]+")
_ARXIV_MONTH = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}")


def paper_month(paper: Paper) -> str | None:
    """`YYYY-MM` a paper appeared: its issued date, else its new-style arXiv id's month."""
    if paper.issued and len(paper.issued) >= 7:
        return paper.issued[:7]
    match = _ARXIV_MONTH.match(paper.arxiv_id or "")
    if match:
        return f"20{match.group(1)}-{match.group(2)}"
    return paper.issued  # a year alone, or nothing known


def older(a: str | None, b: str | None) -> bool:
    """Whether date `a` is before date `b`, compared at the precision both have (a year alone)."""
    if not a or not b:
        return False
    n = min(len(a), len(b))
    return a[:n] < b[:n]


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
    # Coined within one part: "Sim-to-Real" and "Divide-and-Conquer" are words, "MLP-Mixer" a name.
    coined = any(
        any(c.isupper() for c in part[1:]) or any(c.isdigit() for c in part)
        for part in re.split(r"[-.]", head)
    )
    if not coined:
        return None
    if is_acronym(head) and head.isupper() and len(head) < 4:
        return None  # CTC, GAN, ...: common technique acronyms, not one paper's method
    return head


# A name the field writes in more than this share of its papers is the field's word, not one
# paper's method (SOTA, DeepSeek, LLM-as-a-Judge); so is a name more than this share of the
# corpus's own papers write, or more than COMMON_IN_CORPUS of them.
FIELD_COMMON_SHARE = 0.0005
CORPUS_COMMON_SHARE = 0.005
COMMON_IN_CORPUS = 25
# An all-capitals name that spells a common English word (STAR, ATLAS, OASIS) names many things;
# a name in other capitals that spells one (ReAct, MiMo) needs the stronger evidence.
WORD_ZIPF = 3.0
# How much two texts must share (`text_similarity`) for a mention: without a citing phrase, and
# with one.  On the tuning months (2025-03..07, first 20,000 papers) wrong mentions fell below
# 0.1 and right ones mostly above.
MIN_SIMILARITY = 0.11
MIN_CITED_SIMILARITY = 0.07
# A name that is an English word (NoPE, HoPE) may mean the word or another method: it needs this.
WORD_SIMILARITY = 0.2
# Two papers this similar are one work (a version, a companion paper): the name is theirs both.
SAME_WORK = 0.5
# A name that more than this many corpus papers unrelated to its owner claim as their own
# (see `claims`) names too many things to tell which one a third paper means.
OTHER_CLAIMS = 1


def mentions(
    papers: Sequence[Paper], concepts: ConceptMap | None = None, field: Field | None = None
) -> list[tuple[str, str, str]]:
    """(mentioning paper, mentioned paper, name) where an abstract names another paper's method.

    The name is the mentioned paper's own (its title's short name, `method_name`), which no
    other corpus paper's title claims; it is no common word of the field (`field`, by default
    the statistics shipped with kg: the share of the field's papers writing it, whether it
    is written mostly inside longer names such as MARCO in "MS MARCO", whether the field
    defines it as an acronym of a long form), nor a concept's acronym in three or more corpus
    papers; the abstract writes it on its own, not inside a longer name or a web address; the
    mentioning paper is not older than the mentioned one (by month).  Then the evidence beyond
    the name: the mentioning paper does not claim the name (`claims`) unless the two are one
    work; no more than `OTHER_CLAIMS` unrelated papers claim it; a listed dataset is not
    another paper's method; and the texts share specific words beyond the name
    (`text_similarity`, weighed by the field's statistics) by `MIN_SIMILARITY`, by
    `MIN_CITED_SIMILARITY` where the name stands in a citing phrase (`cited`), by
    `WORD_SIMILARITY` where the name is an English word.  `concepts` gives the concepts
    whose labels are no method name.
    """
    field = shipped_field() if field is None else field
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
    names = {
        n: ks[0]
        for n, ks in owners.items()
        if len(ks) == 1 and n.lower() not in common and not _field_word(n, field)
    }
    if not names:
        return []
    # A first, cheap pass: which papers write which names, and which names too many write.
    written: list[tuple[Paper, set[str]]] = []
    writers: Counter[str] = Counter()
    for paper in papers:
        in_abstract = names.keys() & NAME_TOKEN.findall(paper.abstract or "")
        writers.update(in_abstract)
        present = in_abstract | (names.keys() & NAME_TOKEN.findall(paper.title))
        present = {n for n in present if names[n] != paper.key}  # its own name is no mention
        if present:
            written.append((paper, present))
    limit = max(COMMON_IN_CORPUS, int(CORPUS_COMMON_SHARE * len(papers)))
    names = {n: k for n, k in names.items() if writers[n] <= limit}
    by_key = {p.key: p for p in papers}
    month = {p.key: paper_month(p) for p in papers}
    candidates: list[tuple[str, str, str, bool]] = []  # (source, target, name, cited)
    claimed: dict[str, set[str]] = defaultdict(set)
    for paper, present in written:
        present &= names.keys()
        for name, long_form in claims(paper, present).items():
            # Spelling out the owner's own long form is naming its method, not claiming the name.
            if not (long_form and same_long_form(long_form, by_key[names[name]].title)):
                claimed[name].add(paper.key)
        text = paper.abstract or ""
        matches = list(NAME_TOKEN.finditer(text)) if present else []
        seen: dict[str, bool] = {}
        as_data: set[str] = set()
        for i, match in enumerate(matches):
            word = match.group(0)
            target = names.get(word)
            if target is None or target == paper.key:
                continue
            if inside_longer_name(text, matches, i) or _in_address(text, match):
                continue
            if _names_an_event(text, match) and not _EVENT.search(by_key[target].title):
                continue  # "the CVPR 2025 DriveX challenge": a workshop's, not the DriveX model
            if older(month[paper.key], month[target]):
                continue  # a paper cannot name a method that appeared after it
            if _listed_as_data(text, match) and not _is_data(by_key[target], word):
                as_data.add(word)  # "datasets such as MedQA, CoLA, SST-2": not the CoLA adapter
            seen[word] = seen.get(word, False) or cited(text, match)
        # An abstract that writes the name once as data means the data each time ("the DOTA
        # benchmark datasets ... 90.86% on DOTA").
        candidates += [(paper.key, names[w], w, c) for w, c in seen.items() if w not in as_data]
    pairs = {(s, t): n for s, t, n, _ in candidates}
    pairs |= {(k, names[n]): n for n, ks in claimed.items() for k in ks if k != names[n]}
    similarity = text_similarity(papers, pairs, field)
    ambiguous = {
        n
        for n, ks in claimed.items()
        if sum(1 for k in ks if k != names[n] and similarity[(k, names[n])] < SAME_WORK) > OTHER_CLAIMS
    }
    found: set[tuple[str, str, str]] = set()
    for source, target, name, is_cited in candidates:
        score = similarity[(source, target)]
        if name in ambiguous:
            continue
        if source in claimed[name] and score < SAME_WORK:
            continue  # the paper's own method of the same name, not the mentioned paper's
        if name.isalpha() and zipf(name.lower()) >= WORD_ZIPF:
            needed = WORD_SIMILARITY
        else:
            needed = MIN_CITED_SIMILARITY if is_cited else MIN_SIMILARITY
        if score >= needed:
            found.add((source, target, name))
    return sorted(found)


def _field_word(name: str, field: Field) -> bool:
    """Whether the field uses the name as its own word rather than one paper's method."""
    if field.name_share(name) > FIELD_COMMON_SHARE or field.fragment(name):
        return True
    if acronym_key(name) in field.senses:  # the field spells it out: ISAC, "integrated sensing and ..."
        return True
    return name.isupper() and zipf(name.lower()) >= WORD_ZIPF


_DATA_TITLE = re.compile(
    r"bench|dataset|data set|corpus|suite|arena|leaderboard|challenge|testbed|evaluat|collection|\bdata\b",
    re.IGNORECASE,
)
_DATA_LIST = re.compile(
    r"\b(?:datasets?|benchmarks?|corpora|data sets?)\s*(?:,|:|\()?\s*(?:including|such as|like|e\.g\.,?|namely|"
    r"i\.e\.,?)?\s*(?:[\w.-]+(?:,\s*(?:and\s+)?|\s+and\s+)){0,8}$"
)


_DATA_KIND = r"(?:benchmarks?|datasets?|data sets?|corpus|corpora|suites?|testbeds?|leaderboards?)"


def _is_data(owner: Paper, name: str) -> bool:
    """Whether the owner's title is of data (a benchmark, dataset, ...), or its abstract
    introduces the name as such: "X, a new benchmark for ...", "a benchmark, X", "X: a dataset"."""
    if _DATA_TITLE.search(owner.title):
        return True
    written = re.escape(name)
    introduced = re.compile(
        rf"(?<![\w-]){written}(?![\w+-])\s*[,:]\s*(?:a|an|the)\s+(?:[\w-]+\s+){{0,5}}{_DATA_KIND}\b"
        rf"|\b{_DATA_KIND}\s*(?:,|called|named|dubbed|termed)\s*{written}(?![\w+-])"
    )
    return bool(introduced.search(owner.abstract or ""))


_DATA_AFTER = re.compile(r"^\s+(?:datasets?|benchmarks?|corpus|corpora|data set)\b")


def _listed_as_data(text: str, match: re.Match[str]) -> bool:
    """Whether the name is written as a dataset: an item of a list of datasets or benchmarks
    ("datasets, including A, X"), or followed by the word ("the X dataset")."""
    if _DATA_AFTER.search(text[match.end() : match.end() + 20]):
        return True
    return bool(_DATA_LIST.search(text[max(0, match.start() - 160) : match.start()]))


_EVENT = re.compile(r"\b(?:challenges?|competitions?|workshops?|hackathons?|shared tasks?)\b", re.IGNORECASE)


def _names_an_event(text: str, match: re.Match[str]) -> bool:
    """Whether the name is written as an event's: "the DriveX challenge", "the X workshop"."""
    return bool(_EVENT.match(text, match.end() + 1)) and text[match.end() : match.end() + 1] == " "


def _in_address(text: str, match: re.Match[str]) -> bool:
    """Whether the name is part of a web address or path (`github.com/lab/MVAR`)."""
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end() : match.end() + 1]
    return before in ("/", "@", "_", "~") or after in ("/", "_")


def text_similarity(
    papers: Sequence[Paper], pairs: dict[tuple[str, str], str], field: Field
) -> dict[tuple[str, str], float]:
    """For each pair of paper keys, the cosine of their texts' words other than the pair's name.

    Words weigh by sublinear count times their rarity: in the field's papers (`field`, each
    word by its phrase key, a word the field never writes as rare as can be), or, when no
    statistics are known, in `papers`.  The name itself is left out, or every paper writing
    it would look related to its owner.
    """
    wanted = {k for pair in pairs for k in pair}
    counts = {p.key: _content_words(p) for p in papers if p.key in wanted}
    if field.papers:
        n = field.papers
        df: Callable[[str], int] = lambda word: field.phrases.get(_word_key(word), (0, 0))[0]  # noqa: E731
    else:
        n = len(papers)
        vocabulary = set().union(*counts.values()) if counts else set()
        seen: Counter[str] = Counter()
        for paper in papers:
            seen.update(
                vocabulary.intersection(_WORD.findall(f"{paper.title} {paper.abstract or ''}".lower()))
            )
        df = seen.__getitem__
    weight = {w: math.log((1 + n) / (1 + df(w))) + 1 for words in counts.values() for w in words}
    result = {}
    for (a, b), name in pairs.items():
        left = set(_WORD.findall(name.lower()))
        va = {w: (1 + math.log(c)) * weight[w] for w, c in counts.get(a, {}).items() if w not in left}
        vb = {w: (1 + math.log(c)) * weight[w] for w, c in counts.get(b, {}).items() if w not in left}
        dot = sum(v * vb[w] for w, v in va.items() if w in vb)
        norm = math.sqrt(sum(v * v for v in va.values()) * sum(v * v for v in vb.values()))
        result[(a, b)] = round(dot / norm, 6) if norm else 0.0
    return result


def _content_words(paper: Paper) -> Counter[str]:
    words = _WORD.findall(f"{paper.title} {paper.abstract or ''}".lower())
    return Counter(w for w in words if len(w) > 2 and not w.isdigit() and w not in FUNCTION_WORDS)


@lru_cache(maxsize=100_000)
def _word_key(word: str) -> str:
    return phrase_key([word])
