"""Names of clusters: what most of a cluster's papers are about, made specific by contrast.

A concept is *on* a paper when the paper is tagged with it or writes it (its label or an
alternative label, singular or plural) in its title or abstract: tags are a paper's few most
telling concepts, while a name should say what the cluster's papers have in common, which
they often write without it being their most telling term ("large language models").

A cluster's name terms are chosen one by one, each by

    coverage ** COVERAGE_EXPONENT * lift ** NAME_EXPONENT * specificity

where coverage is the share of the cluster's papers, not yet carrying a chosen term, that
carry it; lift is its share of the cluster over its share of the corpus (distinctiveness);
specificity weighs down what the field at large writes everywhere (`kg.extract.field`).
Terms are added until they are together on ENOUGH of the cluster's papers, up to MAX_TERMS.
VOSviewer's term maps size labels by occurrence for the same reason: a rare term is no
summary, however distinctive.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

import networkx as nx
import numpy as np

from kg import graph as g
from kg.extract.field import Field, shipped_field, specificity
from kg.extract.phrases import phrase_key

COVERAGE_EXPONENT = 1.0
NAME_EXPONENT = 0.3  # lift's weight: enough to prefer a cluster's own terms, not rare ones
ENOUGH = 0.5  # name terms should together be on this share of the cluster's papers
TERMS = 3  # terms a name has when they reach ENOUGH
MAX_TERMS = 4  # ... and at most, when three do not
CANDIDATES = 60  # concepts tried per cluster, by how many of its papers are tagged with them
MIN_PAPERS = 2  # a name term is tagged on at least this many of the cluster's papers

# Punctuation and spacing become word breaks ("vision-language" is "vision language").  The
# text is matched as UTF-8 bytes: bytes.translate and split run at memory speed.
_BREAK_BYTES = (string.punctuation + string.whitespace).encode("ascii")
_BREAKS = bytes(b if b not in _BREAK_BYTES else 32 for b in range(256))


@dataclass(frozen=True)
class ClusterName:
    """A cluster's name terms, each term's share of the cluster's papers, and the share
    carrying at least one of them."""

    terms: tuple[str, ...]
    shares: tuple[float, ...]
    covered: float

    @property
    def text(self) -> str:
        return ", ".join(self.terms)


def words_of(text: str) -> list[bytes]:
    """The lower-case words of `text` (as UTF-8), punctuation as breaks."""
    return text.lower().encode("utf-8").translate(_BREAKS).split()


def _forms(word: str) -> set[str]:
    """Singular and plural spellings of a word ("model", "models"; "strategy", "strategies"),
    none shorter than three letters (an acronym's "singular" may be a common word: AES, "a")."""
    forms = {word, word + "s"}
    if word.endswith(("s", "x", "ch", "sh")):
        forms.add(word + "es")
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith(("ses", "xes", "ches", "shes")):
        forms.add(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    return {f for f in forms if len(f) >= 3 or f == word}


class Writings:
    """Which texts write which phrases, for a fixed set of phrases (found once, then looked up)."""

    def __init__(self, texts: Sequence[str], phrases: Sequence[str]) -> None:
        # Each word of a phrase gets a number, shared by its singular and plural forms;
        # every other word of the corpus is 0.
        vocab: dict[bytes, int] = {}
        self.phrases: dict[str, list[int]] = {}
        words = 0
        for phrase in sorted(set(phrases)):
            ids = []
            for word in words_of(phrase):
                if word not in vocab:
                    words += 1
                    for form in sorted(_forms(word.decode("utf-8"))):
                        vocab.setdefault(form.encode("utf-8"), words)
                ids.append(vocab[word])
            if ids:
                self.phrases[phrase] = ids
        number = vocab.get
        tokens: list[int] = []
        lengths = []
        for text in texts:
            before = len(tokens)
            tokens.extend(map(number, words_of(text), repeat(0)))
            lengths.append(len(tokens) - before)
        self.tokens = np.array(tokens + [0], dtype=np.int32)  # a 0 after the last text
        self.text_of = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        self.text_of = np.append(self.text_of, -1)
        found = np.flatnonzero(self.tokens)
        self.by_word = found[np.argsort(self.tokens[found], kind="stable")]
        self.starts = np.concatenate(([0], np.cumsum(np.bincount(self.tokens[found], minlength=words + 1))))

    def papers(self, phrase: str) -> np.ndarray:
        """Indices (sorted) of the texts that write `phrase`."""
        ids = self.phrases.get(phrase)
        if not ids:
            return np.zeros(0, dtype=np.int32)
        at = self.by_word[self.starts[ids[0]] : self.starts[ids[0] + 1]]
        last = len(self.tokens) - 1
        for k, word in enumerate(ids[1:], 1):
            at = at[self.tokens[np.minimum(at + k, last)] == word]
        text = self.text_of[at]
        ends = self.text_of[np.minimum(at + len(ids) - 1, last)]
        return np.unique(text[text == ends])


def _spellings(data: dict) -> list[str]:
    """A concept's label and alternative labels, without the short acronyms ("SD") that
    other words spell too."""
    labels = [data["label"], *(data.get("alt_labels") or [])]
    return [s for s in labels if len(s.replace(" ", "")) >= 3]


class Naming:
    """Names clusters of `papers` (each clustering given as a cluster index per paper).

    Which papers carry which concept is found once, for the concepts most tagged in the
    clusters of `cluster_of` (the first clustering); later clusterings of the same papers
    (papers moved between clusters) are named from the same concepts.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        papers: Sequence[str],
        cluster_of: Sequence[int],
        count: int,
        field: Field | None = None,
    ) -> None:
        field = field if field is not None else shipped_field()
        self.nodes = nodes = graph._node
        self.count = count
        index = {p: i for i, p in enumerate(papers)}
        self.tags: list[list[str]] = [
            sorted(t for t, multi in graph._succ[p].items() if any(d["rel"] == g.SUBJECT for d in multi.values()))
            for p in papers
        ]
        tagged = self._tagged(cluster_of)
        candidates = sorted({c for counter in tagged for c, n in counter.most_common(CANDIDATES) if n >= MIN_PAPERS})
        spellings = {c: _spellings(nodes[c]) for c in candidates}
        texts = [f"{nodes[p].get('title') or ''} . {nodes[p].get('abstract') or ''}" for p in papers]
        writings = Writings(texts, [s for c in candidates for s in spellings[c]])
        self.carriers: dict[str, np.ndarray] = {}
        for c in candidates:
            on = np.zeros(len(papers), dtype=bool)
            for spelling in spellings[c]:
                on[writings.papers(spelling)] = True
            on[[index[p] for p in graph._pred[c] if p in index and _tags(graph, p, c)]] = True
            self.carriers[c] = on
        self.total = max(len(papers), 1)
        self.corpus = {c: float(np.count_nonzero(on)) / self.total for c, on in self.carriers.items()}
        self.special = {c: specificity(field, phrase_key(nodes[c]["label"].split())) for c in candidates}

    def _tagged(self, cluster_of: Sequence[int]) -> list[Counter[str]]:
        tagged: list[Counter[str]] = [Counter() for _ in range(self.count)]
        for k, concepts in zip(cluster_of, self.tags, strict=True):
            if 0 <= k < self.count:
                tagged[k].update(concepts)
        return tagged

    def names(self, cluster_of: Sequence[int]) -> list[tuple[ClusterName, tuple[str, ...]]]:
        """Each cluster's name, and the concept node ids of its terms."""
        member = np.asarray(cluster_of, dtype=np.int64)
        found = []
        for k, tagged in enumerate(self._tagged(cluster_of)):
            pool = [c for c, n in tagged.most_common(CANDIDATES) if n >= MIN_PAPERS and c in self.carriers]
            found.append(self._choose(member == k, sorted(pool)))
        return found

    def _choose(self, inside: np.ndarray, pool: list[str]) -> tuple[ClusterName, tuple[str, ...]]:
        size = int(np.count_nonzero(inside))
        if not size or not pool:
            return ClusterName((), (), 0.0), ()
        label = {c: self.nodes[c]["label"] for c in pool}
        share = {c: float(np.count_nonzero(self.carriers[c] & inside)) / size for c in pool}
        lift = {c: share[c] / max(self.corpus[c], 1e-9) for c in pool}
        chosen: list[str] = []
        covered = np.zeros_like(inside)
        while len(chosen) < MAX_TERMS:
            if len(chosen) >= TERMS and np.count_nonzero(covered) >= ENOUGH * size:
                break
            left = inside & ~covered
            best, best_score = None, 0.0
            for c in pool:
                lower = label[c].lower()
                if any(lower in label[o].lower() or label[o].lower() in lower for o in chosen):
                    continue
                gain = float(np.count_nonzero(self.carriers[c] & left)) / size
                score = gain**COVERAGE_EXPONENT * max(lift[c], 1.0) ** NAME_EXPONENT * self.special[c]
                if score > best_score:
                    best, best_score = c, score
            if best is None:
                break
            chosen.append(best)
            covered |= self.carriers[best] & inside
        name = ClusterName(
            tuple(label[c] for c in chosen),
            tuple(round(share[c], 4) for c in chosen),
            round(float(np.count_nonzero(covered)) / size, 4),
        )
        return name, tuple(chosen)


def name_clusters(
    graph: nx.MultiDiGraph, papers: Sequence[str], cluster_of: Sequence[int], count: int, field: Field | None = None
) -> list[ClusterName]:
    """Names of clusters `0 .. count-1`, whose papers are `papers[i]` with `cluster_of[i] == k`."""
    return [name for name, _ in Naming(graph, papers, cluster_of, count, field).names(cluster_of)]


def _tags(graph: nx.MultiDiGraph, paper: str, concept: str) -> bool:
    return any(d["rel"] == g.SUBJECT for d in graph._succ[paper][concept].values())
