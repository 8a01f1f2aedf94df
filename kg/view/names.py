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
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
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
    """Which texts write which phrases made of `words`: the texts are read once into word
    numbers (a word's singular and plural share one; any other word is 0), and a phrase is
    then looked up (its words in order, within one text)."""

    def __init__(self, texts: Sequence[str], words: Iterable[str]) -> None:
        vocab: dict[bytes, int] = {}
        count = 0
        for word in sorted({w for phrase in words for w in words_of(phrase)}):
            if word in vocab:
                continue
            count += 1
            for form in sorted(_forms(word.decode("utf-8"))):
                vocab.setdefault(form.encode("utf-8"), count)
        number = vocab.get
        # Word numbers as C ints: a list would hold an int object for each of the corpus'
        # ~9M words (40k papers: 0.4 GB more at its peak, for a map drawn beside the RDF).
        tokens = array("i")
        lengths = []
        for text in texts:
            before = len(tokens)
            tokens.extend(map(number, words_of(text), repeat(0)))
            lengths.append(len(tokens) - before)
        tokens.append(0)  # a 0 after the last text
        self.vocab = vocab
        self.tokens = np.frombuffer(tokens, dtype=np.int32).copy()
        self.text_of = np.append(np.repeat(np.arange(len(lengths), dtype=np.int32), lengths), -1)
        found = np.flatnonzero(self.tokens)
        self.by_word = found[np.argsort(self.tokens[found], kind="stable")]
        counts = np.bincount(self.tokens, minlength=count + 1)
        counts[0] = 0
        self.starts = np.concatenate(([0], np.cumsum(counts)))

    def papers(self, phrase: str) -> np.ndarray:
        """Indices (sorted) of the texts that write `phrase` (none if a word is not known)."""
        ids = [self.vocab.get(w, 0) for w in words_of(phrase)]
        if not ids or 0 in ids:
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
    """Names clusters of `papers`, each clustering given as a cluster index per paper.

    The texts are read once (`Writings`); which papers carry a concept is found when a
    clustering first needs it, so one `Naming` names the clusterings of several resolutions.
    A paper carries a concept when it is tagged with it or with a narrower concept of it
    ("latent diffusion models" is about "diffusion models"), or writes one of its labels.
    """

    def __init__(self, graph: nx.MultiDiGraph, papers: Sequence[str], field: Field | None = None) -> None:
        self.field = field if field is not None else shipped_field()
        self.graph = graph
        self.nodes = nodes = graph._node
        self.index = {p: i for i, p in enumerate(papers)}
        self.tags: list[list[str]] = [
            sorted(
                t for t, multi in graph._succ[p].items() if any(d["rel"] == g.SUBJECT for d in multi.values())
            )
            for p in papers
        ]
        # Only concepts tagging MIN_PAPERS or more papers can name a cluster: their words.
        named = [n for n, d in nodes.items() if d["kind"] == "concept" and d.get("papers", 0) >= MIN_PAPERS]
        self.writings = Writings(
            [f"{nodes[p].get('title') or ''} . {nodes[p].get('abstract') or ''}" for p in papers],
            [s for n in named for s in _spellings(nodes[n])],
        )
        self.total = max(len(papers), 1)
        self._carriers: dict[str, np.ndarray] = {}
        self._special: dict[str, float] = {}
        self._carried: dict[str, int] = {}

    def carriers(self, concept: str) -> np.ndarray:
        """Which papers carry `concept` (a boolean per paper)."""
        found = self._carriers.get(concept)
        if found is None:
            graph, index = self.graph, self.index
            found = np.zeros(len(index), dtype=bool)
            for spelling in _spellings(self.nodes[concept]):
                found[self.writings.papers(spelling)] = True
            narrower = [
                n
                for n, multi in graph._pred[concept].items()
                if any(d["rel"] == g.BROADER for d in multi.values())
            ]
            for c in (concept, *sorted(narrower)):
                found[[index[p] for p in graph._pred[c] if p in index and _tags(graph, p, c)]] = True
            self._carriers[concept] = found
        return found

    def carried(self, concept: str) -> int:
        """How many papers of the corpus carry `concept`."""
        found = self._carried.get(concept)
        if found is None:
            found = self._carried[concept] = int(np.count_nonzero(self.carriers(concept)))
        return found

    def special(self, concept: str) -> float:
        if concept not in self._special:
            key = phrase_key(self.nodes[concept]["label"].split())
            self._special[concept] = specificity(self.field, key)
        return self._special[concept]

    def _tagged(self, cluster_of: Sequence[int], count: int) -> list[Counter[str]]:
        tagged: list[Counter[str]] = [Counter() for _ in range(count)]
        for k, concepts in zip(cluster_of, self.tags, strict=True):
            if 0 <= k < count:
                tagged[k].update(concepts)
        return tagged

    def names(self, cluster_of: Sequence[int], count: int) -> list[tuple[ClusterName, tuple[str, ...]]]:
        """Each cluster's name (clusters `0 .. count-1`), and the concept node ids of its terms."""
        member = np.asarray(cluster_of, dtype=np.int64)
        found = []
        for k, tagged in enumerate(self._tagged(cluster_of, count)):
            pool = sorted(c for c, n in tagged.most_common(CANDIDATES) if n >= MIN_PAPERS)
            found.append(self._choose(member == k, pool))
        return found

    def _choose(self, inside: np.ndarray, pool: list[str]) -> tuple[ClusterName, tuple[str, ...]]:
        members = np.flatnonzero(inside)
        size = len(members)
        if not size or not pool:
            return ClusterName((), (), 0.0), ()
        label = {c: self.nodes[c]["label"] for c in pool}
        # Over the cluster's papers only: a small cluster of a large corpus is named fast.
        carriers = {c: self.carriers(c)[members] for c in pool}
        share = {c: float(np.count_nonzero(carriers[c])) / size for c in pool}
        corpus = {c: self.carried(c) / self.total for c in pool}
        lift = {c: share[c] / max(corpus[c], 1e-9) for c in pool}
        chosen: list[str] = []
        covered = np.zeros(size, dtype=bool)
        while len(chosen) < MAX_TERMS:
            if len(chosen) >= TERMS and np.count_nonzero(covered) >= ENOUGH * size:
                break
            left = ~covered
            best, best_score = None, 0.0
            for c in pool:
                lower = label[c].lower()
                if any(lower in label[o].lower() or label[o].lower() in lower for o in chosen):
                    continue
                gain = float(np.count_nonzero(carriers[c] & left)) / size
                score = gain**COVERAGE_EXPONENT * max(lift[c], 1.0) ** NAME_EXPONENT * self.special(c)
                if score > best_score:
                    best, best_score = c, score
            if best is None:
                break
            chosen.append(best)
            covered |= carriers[best]
        name = ClusterName(
            tuple(label[c] for c in chosen),
            tuple(round(share[c], 4) for c in chosen),
            round(float(np.count_nonzero(covered)) / size, 4),
        )
        return name, tuple(chosen)


def _tags(graph: nx.MultiDiGraph, paper: str, concept: str) -> bool:
    return any(d["rel"] == g.SUBJECT for d in graph._succ[paper][concept].values())
