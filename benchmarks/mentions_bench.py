"""How many, how concentrated, how well dated and how right are `schema:mentions` on real papers?

Reads a slice of the dev corpus (`../shared/corpora/arxiv-cs-2025.jsonl.gz`, arXiv metadata,
CC0) and finds the mentions as a build does (normalised text, the build's concept map, then
`kg.relate.mentions.mentions`), or reads them from a build already written (`--build DIR`, its
`graph.nt` or `graph.ttl`).  Prints: mentions, papers mentioned, the share of all mentions the
most mentioned papers receive (the issue's bar: at most 1% at 20,000 papers), mentions from an
older paper to a newer one (the bar: none), the most mentioned names, and a random sample
(fixed seed) with both titles and the sentence of the mentioning abstract that writes the
name, so that a reader can judge each (the bar: 95% of 40 right).

    python -m benchmarks.mentions_bench                       # the first 20,000 papers
    python -m benchmarks.mentions_bench --since 2025-09       # the months nothing was tuned on
    python -m benchmarks.mentions_bench --build exports/      # a build already written
    python -m benchmarks.mentions_bench --limit 50000 --baseline b0a2395 \
        --mentioning-since 2025-09 --sheet /work/judge --seed 22   # a blind sheet, two rules pooled

`--cache FILE` keeps the papers and concept map of a slice between runs (they take minutes at
20,000 papers; the mention rule takes seconds).  `--baseline REV` also runs the rule as it
stood at git revision REV on the same papers and prints both.  `--sheet DIR` writes
`mentions_sheet_SEED.md`, a blind judging sheet: `--sample` mentions drawn at random from each
rule's output (those whose mentioning paper is from `--mentioning-since` on), pooled, deduplicated
and shuffled, each shown as the two titles and abstracts and the name, nothing of the rule; and
`mentions_key_SEED.json`, which rule drew and which output holds each row.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from kg.extract.field import NAME_TOKEN
from kg.model import Paper
from kg.relate.mentions import mentions, method_name, older, paper_month

CORPUS = Path("/work/shared/corpora/arxiv-cs-2025.jsonl.gz")
SAMPLE = 40
SEED = 22
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")


@dataclass
class Text:
    title: str
    abstract: str
    month: str | None


def _build_mentions(folder: Path) -> tuple[dict[str, Text], list[tuple[str, str, str]]]:
    """The papers and mentions of a written build; the name is the mentioned paper's own."""
    import pyoxigraph as ox

    path = folder / "graph.nt" if (folder / "graph.nt").exists() else folder / "graph.ttl"
    kind = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    title: dict[str, str] = {}
    abstract: dict[str, str] = {}
    issued: dict[str, str] = {}
    pairs: list[tuple[str, str]] = []
    with path.open("rb") as stream:
        for triple in ox.parse(stream, format=kind):
            s, p, o = triple.subject.value, triple.predicate.value, triple.object.value
            if p == "http://purl.org/dc/terms/title":
                title[s] = o
            elif p == "http://purl.org/dc/terms/abstract":
                abstract[s] = o
            elif p == "http://purl.org/dc/terms/issued":
                issued[s] = o
            elif p == "https://schema.org/mentions":
                pairs.append((s, o))
    texts = {
        k: Text(t, abstract.get(k, ""), paper_month(Paper(key=k, title=t, abstract="", issued=issued.get(k))))
        for k, t in title.items()
    }
    found = [(a, b, method_name(texts[b].title) or "?") for a, b in pairs if a in texts and b in texts]
    return texts, sorted(found)


Rule = Callable[..., list[tuple[str, str, str]]]


def rule_at(revision: str) -> Rule:
    """`mentions` as kg/relate/mentions.py stood at a git revision (its imports from today's kg)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:kg/relate/mentions.py"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"mentions_{revision}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"mentions_{revision}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rule: Rule = module.mentions
    return rule


def _timed(rule: Rule, papers: list[Paper], concept_map: object) -> tuple[list[tuple[str, str, str]], float]:
    """The rule's mentions and the processor seconds it took (the less of two runs)."""
    seconds = []
    for _ in range(2):
        start = time.process_time()
        found = rule(papers, concept_map)
        seconds.append(time.process_time() - start)
    return found, min(seconds)


def _corpus_mentions(
    args: argparse.Namespace,
) -> tuple[dict[str, Text], dict[str, tuple[list[tuple[str, str, str]], float]]]:
    from kg.extract.concepts import extract_concepts
    from kg.extract.text import normalise_papers
    from kg.sources import SnapshotFilter, load_sources, merge_entries

    if args.cache and args.cache.exists():
        with args.cache.open("rb") as stream:
            papers, concept_map = pickle.load(stream)
    else:
        loaded = load_sources([args.corpus], keep=SnapshotFilter((), args.since, args.until))
        papers = merge_entries(list(islice(loaded.entries, args.limit)), loaded.warnings)
        normalise_papers(papers)
        concept_map = extract_concepts(papers)
        if args.cache:
            with args.cache.open("wb") as stream:
                pickle.dump((papers, concept_map), stream)
    from kg.extract.field import shipped_field
    from kg.extract.phrases import phrase_key

    shipped_field(), phrase_key(["models"])  # loaded before the rule in a build: not its time
    rules: dict[str, Rule] = {"kg": mentions}
    if args.baseline:
        rules[args.baseline] = rule_at(args.baseline)
    found = {label: _timed(rule, papers, concept_map) for label, rule in rules.items()}
    texts = {p.key: Text(p.title, p.abstract or "", paper_month(p)) for p in papers}
    return texts, found


def report(texts: dict[str, Text], found: list[tuple[str, str, str]], seconds: float, label: str) -> None:
    """Counts, concentration, dating and time of one rule's mentions."""
    received = Counter(target for _, target, _ in found)
    names = Counter(name for _, _, name in found)
    backwards = sum(1 for s, t, _ in found if older(texts[s].month, texts[t].month))
    print(
        f"[{label}] papers {len(texts)}, mentions {len(found)} ({seconds:.1f} s processor), "
        f"papers mentioned {len(received)}"
    )
    for target, count in received.most_common(3):
        print(f"  receives {count / len(found):.1%} ({count}): {texts[target].title[:80]}")
    print(f"  older -> newer mentions: {backwards} ({backwards / max(len(found), 1):.1%})")
    print("  most mentioned names: " + ", ".join(f"{n} {c}" for n, c in names.most_common(8)))


_PROTOCOL = """# Mentions: blind judging sheet

Each row is a pair of research papers and a name. Paper A's abstract writes the name; paper B's
title begins with the name. Read both titles and abstracts and answer one question per row:

> When paper A writes the name, does it refer to the very thing paper B introduces (B's method,
> model, dataset, benchmark or tool), so that a link "A mentions B" is correct?

Answer **right** (A refers to B's thing, including a later version of the same work by the same
thing's name), **wrong** (A means something else that happens to share the name: its own new
method, another paper's, a common term, or an acronym of other words), or **unsure** (the texts
do not tell). Add a few words of reason where it helps. Judge only from the text shown.
"""


def write_sheet(
    texts: dict[str, Text],
    outputs: dict[str, list[tuple[str, str, str]]],
    folder: Path,
    seed: int,
    sample: int,
    since: str | None,
) -> Path:
    """The blind sheet and its key (see the module docstring); returns the sheet's path."""
    rng = random.Random(seed)
    drawn: dict[tuple[str, str, str], set[str]] = {}
    pools = {}
    for label, found in outputs.items():
        pool = sorted(m for m in found if not since or (texts[m[0]].month or "") >= since)
        pools[label] = len(pool)
        for m in rng.sample(pool, min(sample, len(pool))):
            drawn.setdefault(m, set()).add(label)
    rows = sorted(drawn)
    rng.shuffle(rows)
    held = {label: set(found) for label, found in outputs.items()}
    lines = [_PROTOCOL, f"{len(rows)} rows.", ""]
    key = []
    for number, (source, target, name) in enumerate(rows, 1):
        a, b = texts[source], texts[target]
        lines += [
            f"## Row {number}: `{name}`",
            "",
            f"**Paper A:** {a.title}",
            "",
            f"> {a.abstract.strip()}",
            "",
        ]
        lines += [f"**Paper B:** {b.title}", "", f"> {b.abstract.strip()}", ""]
        lines += ["Answer (right / wrong / unsure): ", "", "Reason: ", "", "---", ""]
        key.append(
            {
                "row": number,
                "name": name,
                "mentioning": source,
                "mentioned": target,
                "mentioning_month": a.month,
                "mentioned_month": b.month,
                "drawn_for": sorted(drawn[(source, target, name)]),
                "in_output_of": sorted(label for label, ms in held.items() if (source, target, name) in ms),
            }
        )
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / f"mentions_sheet_{seed}.md"
    sheet.write_text("\n".join(lines), encoding="utf-8")
    record = {"seed": seed, "per_rule": sample, "mentioning_since": since, "pool_sizes": pools, "rows": key}
    (folder / f"mentions_key_{seed}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return sheet


def sentence_naming(text: str, name: str) -> str:
    """The first sentence of `text` that writes `name` as a word of its own."""
    for sentence in _SENTENCE_END.split(text):
        if any(m.group(0) == name for m in NAME_TOKEN.finditer(sentence)):
            return sentence
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=20_000, help="papers read (after the month filter)")
    parser.add_argument("--since", default=None, help="YYYY-MM")
    parser.add_argument("--until", default=None, help="YYYY-MM")
    parser.add_argument("--build", type=Path, default=None, help="read the mentions of this written build")
    parser.add_argument("--cache", type=Path, default=None, help="keep the slice's papers and concepts here")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="mentions shown to judge")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--baseline", default=None, help="also run the rule of this git revision")
    parser.add_argument("--sheet", type=Path, default=None, help="write a blind judging sheet and key here")
    parser.add_argument("--mentioning-since", default=None, help="YYYY-MM: sheet rows from papers this new")
    args = parser.parse_args()
    if args.build:
        texts, found = _build_mentions(args.build)
        results = {"build": (found, 0.0)}
    else:
        texts, results = _corpus_mentions(args)
    for label, (found, seconds) in results.items():
        report(texts, found, seconds, label)
    if args.sheet:
        outputs = {label: found for label, (found, _) in results.items()}
        sheet = write_sheet(texts, outputs, args.sheet, args.seed, args.sample, args.mentioning_since)
        print(f"sheet {sheet}")
        return
    found = next(iter(results.values()))[0]
    sample = random.Random(args.seed).sample(found, min(args.sample, len(found)))
    for number, (source, target, name) in enumerate(sample, 1):
        a, b = texts[source], texts[target]
        print(f"\n## {number:02d} {name}")
        print(f"A ({a.month}): {a.title}")
        print(f"B ({b.month}): {b.title}")
        print(f"A writes: {sentence_naming(a.abstract, name)}")


if __name__ == "__main__":
    main()
