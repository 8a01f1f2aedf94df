"""How good are a build's concepts and similar-paper links?  Figures a reader can check.

Builds the corpus (the bundled sample by default) in this process and prints:

- tags per paper (and how many papers have 0, 1, 2, ...), papers with fewer tags than the
  extractor's minimum, papers without tags or neighbours;
- the 20 most frequent tags and the top 100 concepts by papers tagged, with the shares of
  those 100 that are one word, read as an adjective or modifier ("real-time", "efficient")
  or as a verb ("detecting", whose noun "detection" exists), by rules of thumb set down
  in `word_kind`, independent of the extractor's own;
- concept labels that no paper wrote (not a word sequence of any title or abstract),
  one-letter labels, suspected duplicates (the same words once spelling, number, hyphens and
  a generic head noun are set aside; an acronym whose letters are another concept's initials);
- acronym tags used in another sense (the paper defines the acronym otherwise);
- the most generic concepts (by how common their words are in general English, wordfreq);
- precision and recall of tags and of similar papers against the hand-made gold files
  (`tests/data/gold_concepts.tsv`, `tests/data/gold_similar.tsv`), matched leniently: a gold
  term counts when it is any label of the tag's concept, or a variant of one.

    python -m benchmarks.quality                    # the bundled sample
    python -m benchmarks.quality pages/ --json      # another corpus, as JSON
    python -m benchmarks.quality ../shared/corpora/arxiv-cs-2025.jsonl.gz --since 2025-12 --until 2025-12
                                                    # a real month the field statistics left out
    python -m benchmarks.quality SLICE.jsonl --first 2000 --sample 30
                                                    # a slice's first 2,000, with 30 papers' tags
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
GOLD_TAGS = DATA / "gold_concepts.tsv"
GOLD_SIMILAR = DATA / "gold_similar.tsv"

_WORD = re.compile(r"[a-z0-9]+")
# Head nouns that describe a concept rather than name it ("transformer model" is "transformer").
_GENERIC_HEADS = {"model", "network", "architecture", "method", "approach", "framework", "technique"}
_SPELLING = [
    (re.compile(r"isation"), "ization"),
    (re.compile(r"elling\b"), "eling"),
    (re.compile(r"our\b"), "or"),
]


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def variant_key(label: str) -> str:
    """A lenient form of a term: lower case, words only, singular, US spelling, no generic head.

    "Transformer models", "transformer" and "Transformer-Model" meet; so do "modelling" and
    "modeling", and "masked language modeling" with "masked language model".
    """
    text = label.lower()
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    words = [_singular(w) for w in _WORD.findall(text.replace("pre-train", "pretrain"))]
    words = ["model" if w == "modeling" else w for w in words]
    if len(words) > 1 and words[-1] in _GENERIC_HEADS:
        words = words[:-1]
    return " ".join(words)


def _same_sense(definition: str, labels: list[str]) -> bool:
    """Whether an acronym's definition names the concept: half its words or more are shared."""
    words = set(variant_key(definition).split())
    return any(
        len(words & set(variant_key(x).split())) * 2 >= len(words | set(variant_key(x).split()))
        for x in labels
    )


def _initials(label: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", label.lower()) if w and w not in {"of", "to"})


@dataclass
class Figures:
    """The benchmark's measures for one build (the JSON output)."""

    papers: int
    concepts: int
    tags_mean: float
    tags_median: float
    papers_under_3_tags: int
    papers_without_tags: int
    papers_without_neighbours: int
    similar_pairs: int
    labels_not_in_text: list[str]
    alt_labels_not_in_text: int
    one_letter_labels: list[str]
    duplicates: list[tuple[str, str]]
    acronym_misuses: list[tuple[str, str, str]]
    most_generic: list[tuple[str, float, int]]
    # What the field (kg/data/field.tsv.gz) says of the build: concepts most papers of the
    # field write, tagged papers per concept, title-case tags no abstract writes.
    field_generic: list[tuple[str, float, int]] = dataclasses.field(default_factory=list)
    most_tagging: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    tags_by_rank: list[int] = dataclasses.field(default_factory=list)
    tags_histogram: list[int] = dataclasses.field(default_factory=list)  # papers with 0, 1, ... tags
    papers_under_min_tags: int = 0
    top_concepts: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    top_one_word: float = 0.0  # shares of the top concepts
    top_adjective_like: list[str] = dataclasses.field(default_factory=list)
    top_verb_like: list[str] = dataclasses.field(default_factory=list)
    top_field_generic: list[str] = dataclasses.field(default_factory=list)  # field share >= FIELD_TERM_SHARE
    tags_total: int = 0
    tags_field_generic: int = 0  # tags the field writes on FIELD_TERM_SHARE or more of its papers
    tags_title_case: int = 0  # labels of two words or more, each capitalised ("Pipeline for Rapidly")
    tags_title_case_not_in_abstract: int = 0  # ... whose words the paper's abstract never writes together
    sample: list[tuple[str, list[tuple[str, float]]]] = dataclasses.field(default_factory=list)
    mentions: int = 0
    mentions_top_share: float = 0.0
    mentions_top: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    mentions_older_to_newer: int = 0
    tag_precision: float | None = None
    tag_recall: float | None = None
    gold_tag_papers: int = 0
    similar_precision: float | None = None
    similar_precision_strong: float | None = None
    similar_recall: float | None = None
    gold_similar_papers: int = 0
    similar_judged: int = 0


def read_gold_tags(path: Path = GOLD_TAGS) -> dict[str, list[str]]:
    """{paper key: gold concepts} from `key<TAB>concept; concept; ...` lines."""
    gold: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, concepts = line.split("\t")
            gold[key] = [c.strip() for c in concepts.split(";") if c.strip()]
    return gold


def read_gold_similar(path: Path = GOLD_SIMILAR) -> dict[str, dict[str, str]]:
    """{paper key: {other key: "strong" | "weak"}} from `key<TAB>other<TAB>grade` lines."""
    gold: dict[str, dict[str, str]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, other, grade = line.split("\t")
            gold[key]  # a paper with no related paper still counts as judged
            if other != "-":
                gold[key][other] = grade
    return dict(gold)


def _text_of(title: str, abstract: str | None) -> str:
    return " " + " ".join(f"{title} {abstract or ''}".lower().split()) + " "


def _found(label: str, texts: Iterable[str]) -> bool:
    pattern = re.compile(r"(?<![a-z0-9])" + re.escape(" ".join(label.lower().split())) + r"(?![a-z0-9])")
    return any(pattern.search(t) for t in texts)


def measure(result: Any, gold_tags: dict | None = None, gold_similar: dict | None = None) -> Figures:
    """The figures of a `kg.pipeline.BuildResult` (concepts and similarity links)."""
    from wordfreq import zipf_frequency

    from kg import graph as g
    from kg.extract.acronyms import acronym_definitions
    from kg.extract.phrases import clean_text, is_acronym

    concept_map = result.concepts
    papers = {p.key: p for p in result.papers}
    texts = {k: _text_of(clean_text(p.title), clean_text(p.abstract or "")) for k, p in papers.items()}
    all_texts = list(texts.values())
    tags = {k: [key for key, _ in concept_map.tags.get(k, [])] for k in papers}
    counts = [len(t) for t in tags.values()]
    neighbours: dict[str, set[str]] = defaultdict(set)
    pairs = 0
    for a, b, data in result.graph.edges(data=True):
        if data["rel"] == g.SIMILAR:
            pairs += 1
            neighbours[a[len("paper:") :]].add(b[len("paper:") :])
            neighbours[b[len("paper:") :]].add(a[len("paper:") :])

    concepts = concept_map.concepts
    # A label is written if some title or abstract holds it as a word sequence (any case).
    corpus_text = "\n".join(all_texts)
    not_in_text = sorted(c.label for c in concepts.values() if not _found(c.label, [corpus_text]))
    alt_missing = sum(not _found(alt, [corpus_text]) for c in concepts.values() for alt in c.alt_labels)
    one_letter = sorted(c.label for c in concepts.values() if len(c.label.strip()) < 2)

    by_variant: dict[str, list[str]] = defaultdict(list)
    for c in concepts.values():
        by_variant[variant_key(c.label)].append(c.label)
    duplicates = [tuple(sorted(labels)[:2]) for labels in by_variant.values() if len(labels) > 1]
    long_by_initials: dict[str, list[str]] = defaultdict(list)
    for c in concepts.values():
        if " " in c.label or "-" in c.label:
            long_by_initials[_initials(c.label)].append(c.label)
    for c in concepts.values():
        labels = [c.label, *c.alt_labels]
        if is_acronym(c.label) and not any(" " in label for label in labels):
            for other in long_by_initials.get(c.label.lower().rstrip("s"), []):
                duplicates.append((c.label, other))
    duplicates = sorted(set(duplicates))

    # An acronym tag is misused where the paper defines that acronym as something else.
    misuses = []
    for k, keys in tags.items():
        paper = papers[k]
        defined = {
            acr.lower(): " ".join(words).lower()
            for acr, words in acronym_definitions(f"{paper.title}. {paper.abstract or ''}")
            if words
        }
        for key in keys:
            c = concepts[key]
            for acr in (a for a in [*c.alt_labels, c.label] if is_acronym(a)):
                sense = defined.get(acr.lower().rstrip("s")) or defined.get(acr.lower())
                if sense is not None and not _same_sense(sense, [c.label, *c.alt_labels]):
                    misuses.append((paper.title, c.label, f"{acr.rstrip('s')} = {sense}"))
                    break

    def generality(label: str) -> float:
        words = _WORD.findall(label.lower())
        return min((zipf_frequency(w, "en") for w in words), default=0.0)

    most_generic = sorted(
        ((c.label, generality(c.label), c.papers) for c in concepts.values()), key=lambda x: (-x[1], x[0])
    )[:15]

    figures = Figures(
        papers=len(papers),
        concepts=len(concepts),
        tags_mean=round(statistics.mean(counts), 2) if counts else 0.0,
        tags_median=statistics.median(counts) if counts else 0.0,
        papers_under_3_tags=sum(c < 3 for c in counts),
        papers_without_tags=sum(c == 0 for c in counts),
        papers_without_neighbours=sum(1 for k in papers if not neighbours.get(k)),
        similar_pairs=pairs,
        labels_not_in_text=not_in_text,
        alt_labels_not_in_text=alt_missing,
        one_letter_labels=one_letter,
        duplicates=duplicates,
        acronym_misuses=sorted(set(misuses)),
        most_generic=[(label, round(z, 2), n) for label, z, n in most_generic],
    )
    _field_figures(figures, result, tags)
    if gold_tags:
        _score_tags(figures, concepts, tags, gold_tags)
    if gold_similar:
        _score_similar(figures, neighbours, gold_similar)
    return figures


def _field_figures(figures: Figures, result: Any, tags: dict[str, list[str]]) -> None:
    """The field's view of the concepts, tags per rank and the mentions' spread and dates."""
    from collections import Counter

    from kg import graph as g
    from kg.extract.field import shipped_field
    from kg.relate.mentions import older, paper_month

    field = shipped_field()
    concepts = result.concepts.concepts
    tagged = Counter(k for keys in tags.values() for k in keys)
    shares = sorted(((field.share(k), c.label) for k, c in concepts.items()), reverse=True)[:15]
    figures.field_generic = [
        (label, round(share, 3), tagged[k])
        for (share, label), k in zip(shares, [_key_of(concepts, label) for _, label in shares], strict=True)
    ]
    figures.most_tagging = [(concepts[k].label, n) for k, n in tagged.most_common(20)]
    top = sorted(concepts.values(), key=lambda c: (-c.papers, c.label))[:TOP_CONCEPTS]
    figures.top_concepts = [(c.label, c.papers) for c in top]
    kinds = [(c.label, word_kind(c.label)) for c in top]
    figures.top_one_word = round(sum(" " not in c.label for c in top) / len(top), 3) if top else 0.0
    figures.top_adjective_like = [label for label, kind in kinds if kind == "adjective"]
    figures.top_verb_like = [label for label, kind in kinds if kind == "verb"]
    from kg.extract.field import is_field_term

    figures.top_field_generic = [c.label for c in top if is_field_term(field, c.key)]
    figures.tags_total = sum(len(keys) for keys in tags.values())
    figures.tags_field_generic = sum(is_field_term(field, k) for keys in tags.values() for k in keys)
    abstracts = {p.key: _text_of("", p.abstract) for p in result.papers}
    titled = [
        (k, concepts[key].label)
        for k, keys in tags.items()
        for key in keys
        if title_case(concepts[key].label)
    ]
    figures.tags_title_case = len(titled)
    figures.tags_title_case_not_in_abstract = sum(
        not _found(label, [abstracts.get(k, "")]) for k, label in titled
    )
    from kg.extract.tagging import MIN_TAGS

    counts = [len(t) for t in tags.values()]
    figures.tags_histogram = [counts.count(n) for n in range(max(counts, default=-1) + 1)]
    figures.papers_under_min_tags = sum(n < MIN_TAGS for n in counts)
    longest = max((len(t) for t in tags.values()), default=0)
    figures.tags_by_rank = [sum(len(t) > r for t in tags.values()) for r in range(longest)]
    month = {p.key: paper_month(p) for p in result.papers}
    found = [
        (a[len("paper:") :], b[len("paper:") :], data.get("name", ""))
        for a, b, data in result.graph.edges(data=True)
        if data["rel"] == g.MENTIONS
    ]
    received = Counter(b for _, b, _ in found)
    title = {p.key: p.title for p in result.papers}
    figures.mentions = len(found)
    figures.mentions_top_share = round(received.most_common(1)[0][1] / len(found), 3) if found else 0.0
    figures.mentions_top = [(title[k][:60], n) for k, n in received.most_common(5)]
    figures.mentions_older_to_newer = sum(1 for a, b, _ in found if older(month.get(a), month.get(b)))


TOP_CONCEPTS = 100
# Modifiers of size, quality and scope that, leading a hyphen-joined compound, make it an adjective.
_SCOPE = frozenset(
    "high low wide open real long short large small multi zero few single whole full fine".split()
)
_ADJECTIVE_END = ("al", "ive", "ous", "ic", "able", "ible", "ful", "less", "ary", "ar", "ent", "ant", "ed")
_NOUN_ENDINGS = ("signal", "interval", "tutorial", "manual", "agent", "gradient", "student", "content")
_NOUN_ENDINGS += (
    "component",
    "token",
    "retrieval",
    "removal",
    "trial",
    "potential",
    "embedding",
    "seed",
    "ment",
)


def title_case(label: str) -> bool:
    """Whether a label of two words or more is written as in a title: a word after the first
    is capitalised as a title capitalises ("Pipeline for Rapidly", "Multimodal Large language",
    "Segment Anything"; not "large language models", nor "LLM agents")."""
    words = label.replace("-", " ").split()
    return len(words) >= 2 and any(w[:1].isupper() and w[1:].islower() for w in words[1:])


def word_kind(label: str) -> str:
    """ "adjective", "verb" or "noun": how a concept label reads, by rules of thumb.

    An adjective: a lone word with an adjective's ending ("efficient", "robust" aside, which
    end otherwise and are listed) or a hyphen-joined compound led by a word of scope
    ("real-time", "high-resolution", "zero-shot").  A verb: a lone "-ing" word whose noun
    is a word English knows ("detecting": "detection"; "clustering" has none, so a noun).
    """
    from wordfreq import zipf_frequency

    low = label.lower()
    if " " in low:
        return "noun"
    parts = low.split("-")
    if len(parts) == 2 and parts[0] in _SCOPE:
        return "adjective"
    if len(parts) > 1:
        return "noun"
    if low in {"efficient", "robust", "scalable", "novel", "effective", "real-time", "lightweight"}:
        return "adjective"
    if low.endswith(_ADJECTIVE_END) and not low.endswith(_NOUN_ENDINGS) and len(low) > 4:
        return "adjective"
    if low.endswith("ing") and len(low) > 5:
        stem = low[:-3]
        nouns = [stem + "ion", stem + "ation", stem + "ment", stem + "ement", stem + "eion"]
        nouns += [stem.replace("yz", "ys") + "is", stem[:-1] + "sis"]
        if any(zipf_frequency(n, "en") >= 2.5 for n in nouns):
            return "verb"
    return "noun"


def _key_of(concepts: dict, label: str) -> str:
    return next(k for k, c in concepts.items() if c.label == label)


def _score_tags(
    figures: Figures, concepts: dict, tags: dict[str, list[str]], gold: dict[str, list[str]]
) -> None:
    hits = shown = found = wanted = 0
    for key, terms in gold.items():
        if key not in tags:
            continue
        gold_forms = {variant_key(t) for t in terms}
        matched_gold: set[str] = set()
        for concept_key in tags[key]:
            c = concepts[concept_key]
            forms = {variant_key(x) for x in [c.label, *c.alt_labels]}
            shown += 1
            if forms & gold_forms:
                hits += 1
                matched_gold |= forms & gold_forms
        found += len(matched_gold)
        wanted += len(gold_forms)
        figures.gold_tag_papers += 1
    figures.tag_precision = round(hits / shown, 3) if shown else None
    figures.tag_recall = round(found / wanted, 3) if wanted else None


def _score_similar(
    figures: Figures, neighbours: dict[str, set[str]], gold: dict[str, dict[str, str]]
) -> None:
    shown = good = strong_hits = strong = 0
    for key, related in gold.items():
        figures.gold_similar_papers += 1
        for other in neighbours.get(key, ()):
            shown += 1
            good += other in related
            strong_hits += related.get(other) == "strong"
        strong += sum(grade == "strong" for grade in related.values())
    recall_hits = sum(
        1
        for key, related in gold.items()
        for other, grade in related.items()
        if grade == "strong" and other in neighbours.get(key, ())
    )
    figures.similar_judged = shown
    figures.similar_precision = round(good / shown, 3) if shown else None
    figures.similar_precision_strong = round(strong_hits / shown, 3) if shown else None
    figures.similar_recall = round(recall_hits / strong, 3) if strong else None


def report(f: Figures) -> str:
    """The figures as text."""
    share = lambda n: f"{n} ({100 * n / max(f.papers, 1):.1f}%)"  # noqa: E731
    lines = [
        f"papers {f.papers}, concepts {f.concepts}, similar pairs {f.similar_pairs}",
        f"tags per paper: mean {f.tags_mean}, median {f.tags_median}; papers with 0, 1, ... tags: "
        + ", ".join(str(n) for n in f.tags_histogram)
        + f"; under the minimum: {f.papers_under_min_tags}",
        f"papers with fewer than 3 tags: {share(f.papers_under_3_tags)}; without tags: {share(f.papers_without_tags)}",
        f"papers without a similar paper: {share(f.papers_without_neighbours)}",
        f"labels no paper wrote: {len(f.labels_not_in_text)} of {f.concepts} "
        f"({100 * len(f.labels_not_in_text) / max(f.concepts, 1):.1f}%) {f.labels_not_in_text[:12]}",
        f"alternative labels no paper wrote: {f.alt_labels_not_in_text}",
        f"one-letter labels: {f.one_letter_labels}",
        f"suspected duplicates: {len(f.duplicates)} {f.duplicates[:12]}",
        f"acronym tags in another sense: {len(f.acronym_misuses)} {f.acronym_misuses[:5]}",
        "most generic (min zipf of words, papers): "
        + ", ".join(f"{label} {z} ({n})" for label, z, n in f.most_generic),
    ]
    if f.tag_precision is not None:
        lines.append(
            f"tags vs gold ({f.gold_tag_papers} papers): precision {f.tag_precision}, recall {f.tag_recall}"
        )
    lines.append("tagged papers by rank: " + ", ".join(str(n) for n in f.tags_by_rank))
    lines.append(
        "concepts the field writes most (share of field papers, papers tagged): "
        + ", ".join(f"{label} {share:.1%} {n}" for label, share, n in f.field_generic)
    )
    lines.append("concepts tagging most papers: " + ", ".join(f"{label} {n}" for label, n in f.most_tagging))
    top = len(f.top_concepts)
    lines.append(
        f"top {top} concepts by papers: " + ", ".join(f"{label} ({n})" for label, n in f.top_concepts)
    )
    lines.append(
        f"of the top {top}: one word {f.top_one_word:.0%}, adjective-like {len(f.top_adjective_like)} "
        f"{f.top_adjective_like}, verb-like {len(f.top_verb_like)} {f.top_verb_like}, "
        f"field-generic {len(f.top_field_generic)} {f.top_field_generic}"
    )
    lines.append(
        f"tags {f.tags_total}: field-generic {f.tags_field_generic} ({f.tags_field_generic / max(f.tags_total, 1):.1%}), "
        f"title-case {f.tags_title_case} ({f.tags_title_case / max(f.tags_total, 1):.1%}), "
        f"of which not in the paper's abstract {f.tags_title_case_not_in_abstract}"
    )
    for title, tagged in f.sample:
        lines.append(
            f"  {title[:100]}\n      " + " | ".join(f"{label} {score:.2f}" for label, score in tagged)
        )
    lines.append(
        f"mentions {f.mentions}, most mentioned paper {f.mentions_top_share:.1%} of them, "
        f"older -> newer {f.mentions_older_to_newer}; top: "
        + ", ".join(f"{t!r} {n}" for t, n in f.mentions_top)
    )
    if f.similar_precision is not None:
        lines.append(
            f"similar papers vs gold ({f.gold_similar_papers} papers, {f.similar_judged} links judged): "
            f"precision {f.similar_precision} (strong only {f.similar_precision_strong}), "
            f"recall of strong pairs {f.similar_recall}"
        )
    return "\n".join(lines)


def sample_tags(result: Any, n: int, seed: int = 22) -> list[tuple[str, list[tuple[str, float]]]]:
    """`n` papers drawn with a fixed seed, each with its tags (label, score), best first."""
    import random

    concepts = result.concepts.concepts
    papers = sorted(result.papers, key=lambda p: p.key)
    drawn = random.Random(seed).sample(papers, min(n, len(papers)))
    return [
        (p.title, [(concepts[k].label, s) for k, s in result.concepts.tags.get(p.key, [])]) for p in drawn
    ]


def _first_lines(path: Path, n: int, keep: Any) -> str:
    """A temporary copy of the first `n` lines of a JSONL file (gzipped or not) that `keep`
    keeps by month, so that a slice is the first papers of the months asked for."""
    import gzip
    import tempfile

    from kg.sources.snapshot import month_of

    opener = gzip.open if path.suffix == ".gz" else open
    written = 0
    with (
        opener(path, "rt", encoding="utf-8") as lines,
        tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out,
    ):
        for line in lines:
            record = json.loads(line)
            if not keep.keeps_month(month_of(record, record.get("id"))):
                continue
            out.write(line)
            written += 1
            if written == n:
                break
    return out.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", help="pages to build (default: the bundled sample)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--since", default=None, help="from an arXiv snapshot, months from YYYY-MM")
    parser.add_argument("--until", default=None, help="from an arXiv snapshot, months to YYYY-MM")
    parser.add_argument("--first", type=int, default=None, help="only the first N lines of one JSONL input")
    parser.add_argument("--sample", type=int, default=0, help="print N random papers' tags (seed 22)")
    args = parser.parse_args()
    from kg import pipeline
    from kg.sources import SnapshotFilter

    keep = SnapshotFilter((), args.since, args.until)
    inputs = args.inputs
    if args.first is not None:
        inputs = [_first_lines(Path(inputs[0]), args.first, keep)]
    try:
        result = pipeline.build_corpus(inputs or None, keep=keep)
    finally:
        if args.first is not None:
            Path(inputs[0]).unlink()
    gold_tags = read_gold_tags() if not args.inputs and GOLD_TAGS.exists() else None
    gold_similar = read_gold_similar() if not args.inputs and GOLD_SIMILAR.exists() else None
    figures = measure(result, gold_tags, gold_similar)
    if args.sample:
        figures.sample = sample_tags(result, args.sample)
    print(json.dumps(figures.__dict__, indent=1) if args.json else report(figures))


if __name__ == "__main__":
    main()
