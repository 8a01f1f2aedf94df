"""Blind reading of a build's tags, similar papers, top concepts and mentions, pooled with baselines.

A judge sees only titles and abstracts and a shuffled pool of candidates; which system gave a
candidate stays in a key file the judge never reads.  Baselines are the ones the knowledge issue
names: YAKE key phrases for tags (as many per paper as kg gives, at least five) and TF-IDF top-5
neighbours (1-2-grams of title and abstract, cosine) for similar papers.  Needs the bench extras
(`pip install -e '.[bench]' yake`).

    python -m benchmarks.judge sheets BUILD_DIR OUT_DIR [--papers 40] [--seed 7]
    python -m benchmarks.judge score OUT_DIR             # reads OUT_DIR/answers-*.tsv

`sheets` writes, per task, `sheet-TASK.md` (what the judge reads and the protocol) and
`key-TASK.json`; the judge writes `answers-TASK.tsv`: one line per item, `ID<TAB>LABEL`.
`score` prints, per task and system, the share of each label overall and per rank, with counts.

Labels: tags and concepts `U` (correct and useful to find the paper), `O` (correct but too generic
or weak to help), `W` (wrong, garbled, a fragment, a verb or adjective); pairs `C` (clearly
wanted: a reader of the first paper would want the second), `S` (somewhat related: same broad
area only), `N` (unrelated); mentions `R` (the first paper does name the second paper's method,
system or dataset), `F` (it does not).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.relate.mentions import method_name

DC = "http://purl.org/dc/terms/"
KG = "https://w3id.org/kg/vocab#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PROTOCOL = {
    "tags": """For each paper, read its title and abstract, then label every candidate tag:
- U: correct and useful: it names a topic, method, task, dataset or object the paper is about, specific enough that a researcher searching for it would want this paper;
- O: correct but weak: true of the paper but too generic to help (e.g. "experimental results", "deep learning" on a paper where that says nothing), or a minor aside;
- W: wrong or garbled: not what the paper is about, a sentence fragment, a verb or adjective alone, broken words.
Judge each candidate on its own; the order of candidates means nothing.""",
    "pairs": """Each block shows a paper (title and abstract) and candidate papers. For each candidate, answer:
- C: clearly wanted: a reader working on the first paper would want to be shown this one (same problem, method or object, close enough to cite or compare);
- S: somewhat related: same broad area only;
- N: unrelated.
The order of candidates means nothing.""",
    "concepts": """Each line is a phrase used to index a collection of recent computer-science papers. Label it:
- U: a real research concept (a method, task, model family, data type, field) a researcher would browse by;
- O: a real phrase but too generic or vague to browse by (e.g. "proposed method", "results");
- W: not a concept: a verb or adjective alone, a fragment, garbled, a name of no use.""",
    "mentions": """Each block gives two papers, A and B, and the name through which A is said to mention B. Answer:
- R: right: A's text does refer to B's own method, model, system or dataset by that name;
- F: false: the name in A means something else, is generic, or is not B's.""",
}


@dataclass
class Paper:
    iri: str
    title: str = ""
    abstract: str = ""
    tags: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Build:
    papers: dict[str, Paper]
    similar: dict[str, list[tuple[float, str]]]
    concepts: list[tuple[int, str]]
    mentions: list[tuple[str, str]]


def read_build(folder: Path) -> Build:
    """The papers, tags (by topic score), similar links (by weight), concepts and mentions of a build."""
    path = folder / "graph.nt" if (folder / "graph.nt").exists() else folder / "graph.ttl"
    kind = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    papers: dict[str, Paper] = {}
    label: dict[str, str] = {}
    count: dict[str, int] = {}
    topic_concept: dict[str, str] = {}
    topic_score: dict[str, float] = {}
    paper_topics: dict[str, list[str]] = defaultdict(list)
    sim_papers: dict[str, list[str]] = defaultdict(list)
    sim_weight: dict[str, float] = {}
    mentions: list[tuple[str, str]] = []
    with path.open("rb") as stream:
        for triple in ox.parse(stream, format=kind):
            s, p, o = triple.subject.value, triple.predicate.value, triple.object
            if p == RDF_TYPE and o.value == SCHEMA + "ScholarlyArticle":
                papers.setdefault(s, Paper(s))
            elif p == DC + "title":
                papers.setdefault(s, Paper(s)).title = o.value
            elif p == DC + "abstract":
                papers.setdefault(s, Paper(s)).abstract = o.value
            elif p == SKOS + "prefLabel":
                label[s] = o.value
            elif p == KG + "paperCount":
                count[s] = int(o.value)
            elif p == KG + "topic":
                paper_topics[s].append(o.value)
            elif p == KG + "concept":
                topic_concept[s] = o.value
            elif p == KG + "score":
                topic_score[s] = float(o.value)
            elif p == KG + "paper":
                sim_papers[s].append(o.value)
            elif p == KG + "weight":
                sim_weight[s] = float(o.value)
            elif p == SCHEMA + "mentions":
                mentions.append((s, o.value))
    for iri, topics in paper_topics.items():
        if iri in papers:
            papers[iri].tags = sorted(
                ((-topic_score.get(t, 0.0), label.get(topic_concept.get(t, ""), "")) for t in topics),
            )
    similar: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for node, ends in sim_papers.items():
        if len(ends) == 2 and node in sim_weight:
            a, b = ends
            similar[a].append((-sim_weight[node], b))
            similar[b].append((-sim_weight[node], a))
    for ranked in similar.values():
        ranked.sort()
    concepts = sorted((-n, label[c]) for c, n in count.items() if c in label and "/concept/" in c)
    return Build(papers, dict(similar), concepts, sorted(mentions))


def _norm(phrase: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", phrase.lower()))


def _yake(text: str, k: int) -> list[str]:
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=k * 2, dedupLim=0.7)
    seen: list[str] = []
    for phrase, _ in extractor.extract_keywords(text):
        if _norm(phrase) and _norm(phrase) not in {_norm(s) for s in seen}:
            seen.append(phrase)
    return seen[:k]


def _tfidf_neighbours(build: Build, keys: list[str], k: int = 5) -> dict[str, list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    order = sorted(build.papers)
    index = {iri: i for i, iri in enumerate(order)}
    texts = [build.papers[i].title + ". " + build.papers[i].abstract for i in order]
    vectors = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", sublinear_tf=True, min_df=2
    ).fit_transform(texts)
    out: dict[str, list[str]] = {}
    for key in keys:
        row = (vectors @ vectors[index[key]].T).toarray().ravel()
        row[index[key]] = -1.0
        best = sorted(range(len(order)), key=lambda j: (-row[j], order[j]))[:k]
        out[key] = [order[j] for j in best]
    return out


def _excerpt(text: str, words: int) -> str:
    split = text.split()
    return " ".join(split[:words]) + (" …" if len(split) > words else "")


def _write(out: Path, task: str, lines: list[str], key: dict[str, Any]) -> None:
    header = [
        f"# Blind reading: {task}",
        "",
        PROTOCOL[task],
        "",
        f"Write your answers to `answers-{task}.tsv`, one line per item: `ID<TAB>LABEL`.",
        "",
    ]
    (out / f"sheet-{task}.md").write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    (out / f"key-{task}.json").write_text(json.dumps(key, indent=1, sort_keys=True), encoding="utf-8")


def sheets(builds: dict[str, Build], out: Path, n: int, seed: int) -> None:
    """Sheets for the papers of the first build; every build's output (by name) joins the pool."""
    out.mkdir(parents=True, exist_ok=True)
    build = next(iter(builds.values()))
    rng = random.Random(seed)
    keys = sorted(build.papers)
    tag_sample = rng.sample(keys, min(n, len(keys)))
    pair_sample = rng.sample(keys, min(n, len(keys)))
    # Tags: kg's (ranked) pooled with YAKE's, shuffled; one item per distinct phrase.
    lines: list[str] = []
    key: dict[str, Any] = {}
    for p_no, iri in enumerate(tag_sample, 1):
        paper = build.papers[iri]
        kg_tags = [t for _, t in paper.tags]
        pool: dict[str, dict[str, Any]] = {}
        # Every build's tags of the paper (a build before a change: "before=DIR"), and YAKE's.
        pooled = [(name, [t for _, t in b.papers[iri].tags]) for name, b in builds.items() if iri in b.papers]
        for system, tags in (
            *pooled,
            ("yake", _yake(paper.title + ". " + paper.abstract, max(5, len(kg_tags)))),
        ):
            for rank, tag in enumerate(tags, 1):
                pool.setdefault(_norm(tag), {"text": tag, "from": {}})["from"][system] = rank
        items = sorted(pool.values(), key=lambda v: _norm(v["text"]))
        rng.shuffle(items)
        lines += [f"## P{p_no:02d}. {paper.title}", "", paper.abstract, ""]
        for i_no, item in enumerate(items, 1):
            item_id = f"P{p_no:02d}-T{i_no:02d}"
            lines.append(f"- {item_id}: {item['text']}")
            key[item_id] = {"paper": iri, **item}
        lines.append("")
    _write(out, "tags", lines, key)
    # Pairs: kg's similar papers (top 5 by weight) pooled with TF-IDF's top 5.
    tfidf = _tfidf_neighbours(build, pair_sample)
    lines, key = [], {}
    for p_no, iri in enumerate(pair_sample, 1):
        paper = build.papers[iri]
        pool = {}
        linked = {
            name: [o for _, o in b.similar.get(iri, [])[:5] if o in build.papers]
            for name, b in builds.items()
        }
        for system, others in [*linked.items(), ("tfidf", tfidf[iri])]:
            for rank, other in enumerate(others, 1):
                pool.setdefault(other, {"paper": other, "from": {}})["from"][system] = rank
        items = sorted(pool.values(), key=lambda v: v["paper"])
        rng.shuffle(items)
        lines += [f"## A{p_no:02d}. {paper.title}", "", _excerpt(paper.abstract, 180), ""]
        for i_no, item in enumerate(items, 1):
            shown = build.papers[item["paper"]]
            item_id = f"A{p_no:02d}-B{i_no:02d}"
            lines += [f"- {item_id}: **{shown.title}** — {_excerpt(shown.abstract, 60)}"]
            key[item_id] = {"source": iri, **item}
        lines.append("")
    _write(out, "pairs", lines, key)
    # Top-100 concepts by paper count, pooled with the 100 phrases YAKE gives most papers.
    yake_df: Counter[str] = Counter()
    written: dict[str, str] = {}
    for iri in rng.sample(keys, min(2000, len(keys))):
        paper = build.papers[iri]
        for phrase in _yake(paper.title + ". " + paper.abstract, 8):
            yake_df[_norm(phrase)] += 1
            written.setdefault(_norm(phrase), phrase.lower())
    yake_top = [written[p] for p, _ in sorted(yake_df.items(), key=lambda kv: (-kv[1], kv[0]))[:100]]
    pool = {}
    tops = {name: [label for _, label in b.concepts[:100]] for name, b in builds.items()}
    for system, phrases in [*tops.items(), ("yake", yake_top)]:
        for rank, phrase in enumerate(phrases, 1):
            pool.setdefault(_norm(phrase), {"text": phrase, "from": {}})["from"][system] = rank
    items = sorted(pool.values(), key=lambda v: _norm(v["text"]))
    rng.shuffle(items)
    lines, key = [], {}
    for i_no, item in enumerate(items, 1):
        lines.append(f"- C{i_no:03d}: {item['text']}")
        key[f"C{i_no:03d}"] = item
    _write(out, "concepts", lines, key)
    # Mentions: a random 40 of kg's, with both papers' text.
    sample = rng.sample(build.mentions, min(40, len(build.mentions)))
    lines, key = [], {}
    for m_no, (a, b) in enumerate(sample, 1):
        pa, pb = build.papers[a], build.papers[b]
        lines += [
            f"## M{m_no:02d}",
            "",
            f"A: **{pa.title}** — {pa.abstract}",
            "",
            f"B: **{pb.title}** — {_excerpt(pb.abstract, 120)}",
            "",
            f"Name: **{method_name(pb.title) or '?'}**",
            "",
        ]
        key[f"M{m_no:02d}"] = {"from": {"kg": m_no}, "a": a, "b": b}
    _write(out, "mentions", lines, key)


def score(out: Path) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for key_file in sorted(out.glob("key-*.json")):
        task = key_file.stem[4:]
        answers_file = out / f"answers-{task}.tsv"
        if not answers_file.exists():
            continue
        key = json.loads(key_file.read_text(encoding="utf-8"))
        answers = {}
        for line in answers_file.read_text(encoding="utf-8").splitlines():
            parts = line.strip().split("\t") if "\t" in line else line.strip().split()
            if len(parts) >= 2 and parts[0] in key:
                answers[parts[0]] = parts[1].strip().upper()[:1]
        per: dict[str, dict[str, Any]] = defaultdict(lambda: {"all": Counter(), "rank": defaultdict(Counter)})
        for item_id, item in key.items():
            if item_id.startswith("_") or item_id not in answers:
                continue
            for system, rank in item["from"].items():
                per[system]["all"][answers[item_id]] += 1
                per[system]["rank"][min(rank, 6)][answers[item_id]] += 1
        report[task] = {
            system: {
                "n": sum(d["all"].values()),
                "labels": dict(d["all"]),
                "by_rank": {str(r): dict(c) for r, c in sorted(d["rank"].items())},
            }
            for system, d in sorted(per.items())
        }
        if task == "pairs":
            report[task]["coverage"] = _coverage(key, answers)
        print(f"== {task} ({len(answers)} of {sum(1 for k in key if not k.startswith('_'))} items answered)")
        for system, d in sorted(per.items()):
            n = sum(d["all"].values())
            shares = ", ".join(f"{lab} {c / n:.0%}" for lab, c in sorted(d["all"].items()))
            print(f"  {system:6} n={n:4}  {shares}")
            for rank, c in sorted(d["rank"].items()) if task in ("tags", "pairs") else ():
                m = sum(c.values())
                shares = ", ".join(f"{lab} {v / m:.0%}" for lab, v in sorted(c.items()))
                print(f"    rank {rank if rank < 6 else '6+'}: n={m:3}  {shares}")
        if task == "pairs":
            print(f"  coverage: {report[task]['coverage']}")
    return report


def _coverage(key: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    """Papers with a clearly wanted partner among the pooled candidates, and how many each system links to one."""
    strong: dict[str, set[str]] = defaultdict(set)
    for item_id, item in key.items():
        if not item_id.startswith("_") and answers.get(item_id) == "C":
            strong[item["source"]].update(item["from"])
    systems = sorted({s for found in strong.values() for s in found})
    return {
        "papers_with_strong_partner": len(strong),
        **{s: sum(s in f for f in strong.values()) for s in systems},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("sheets")
    make.add_argument("build", type=Path)
    make.add_argument("out", type=Path)
    make.add_argument(
        "--also", action="append", default=[], metavar="NAME=BUILD", help="another build to pool"
    )
    make.add_argument("--papers", type=int, default=40)
    make.add_argument("--seed", type=int, default=7)
    read = sub.add_parser("score")
    read.add_argument("out", type=Path)
    read.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "sheets":
        builds = {"kg": read_build(args.build)}
        builds.update((n, read_build(Path(f))) for n, f in (a.split("=", 1) for a in args.also))
        sheets(builds, args.out, args.papers, args.seed)
    else:
        report = score(args.out)
        if args.json:
            json.dump(report, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
