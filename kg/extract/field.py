"""Knowledge of the field: how the papers of a research field at large write phrases and names.

The rarity of a phrase inside one small corpus is not its specificity ("lane" is rare in 2,000
papers and still no topic; "large language models" is everywhere and still generic).  These
statistics come from a large corpus of the field, shipped as `kg/data/field.tsv.gz`:

- `papers`: how many papers the statistics were counted over;
- `name NAME df unit`: a coined name as written (`SOTA`, `GLEN`, `MARCO`): the papers writing
  it, and those writing it on its own rather than inside a longer name ("MS MARCO");
- `phrase KEY df abstract heads`: a candidate phrase's key (`kg.extract.phrases.phrase_key`,
  so the keys match the extractor's): the papers writing it, those whose abstract's running
  text has it as a phrase (title fragments like "pipeline for rapidly" have none), and those
  writing it at least once as the head of its noun phrase, with no word of the phrase after it
  ("large-scale user" stands so in hardly any of its papers: they write "large-scale user study");
- `sense ACRONYM LONG-FORM-KEY papers`: the long forms the field defines an acronym by;
- `head WORD keys`: how many distinct phrase keys of the table end on the word (generic heads
  such as "model" end thousands).

Rebuild from another corpus (a biology user has another field), any input `kg build` reads:

    python -m kg.extract.field build CORPUS.jsonl.gz --since 2025-03 --until 2025-08 --out kg/data/field.tsv.gz

The shipped file is built from the dev corpus's months 2025-03..2025-08 only (arXiv metadata,
CC0); 2025-09..2025-12 are kept for judging.  Output is deterministic (sorted, gzip mtime 0).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.extract.candidates import paper_terms
from kg.extract.phrases import surface_key
from kg.extract.senses import AcronymSenses, sense_groups
from kg.model import Paper

# A written name: letters and digits, inner hyphens or dots (`MLP-Mixer`, `Qwen2.5`).
NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
# Rows below these paper counts are left out of the shipped file: they tell nothing the
# extractor could use (a phrase or name of one or two papers is neither generic nor a unit).
MIN_NAME_PAPERS = 2
MIN_PHRASE_PAPERS = 3
MIN_SENSE_PAPERS = 2
# A phrase's head share (`Field.head_share`) is read only from this many of the field's papers.
MIN_STANDING_PAPERS = 5


def is_coined(token: str) -> bool:
    """A token written as a name: a capital inside, a digit, or all capitals (`CoCa`, `T5`, `SOTA`)."""
    return len(token) >= 2 and (any(c.isupper() for c in token[1:]) or any(c.isdigit() for c in token))


def names_written(text: str) -> tuple[set[str], set[str]]:
    """(every coined name `text` writes, those it writes at least once on their own).

    A name is inside a longer name when a capitalised word stands right before it (other than
    a sentence's first word) or right after it: MARCO in "MS MARCO", "the Llama Guard model".
    """
    written: set[str] = set()
    alone: set[str] = set()
    matches = list(NAME_TOKEN.finditer(text))
    for i, match in enumerate(matches):
        token = match.group(0)
        if not is_coined(token):
            continue
        written.add(token)
        if not inside_longer_name(text, matches, i):
            alone.add(token)
    return written, alone


def inside_longer_name(text: str, matches: Sequence[re.Match[str]], i: int) -> bool:
    """Whether the `i`th word match of `text` is part of a longer written name (see `names_written`)."""
    start, end = matches[i].span()
    if i > 0:
        before = matches[i - 1]
        gap = text[before.end() : start]
        if gap == " " and before.group(0)[0].isupper():
            opening = text[: before.start()].rstrip()
            if opening and opening[-1] not in ".!?:;":
                return True
    if i + 1 < len(matches):
        after = matches[i + 1]
        if text[end : after.start()] == " " and after.group(0)[0].isupper() and is_coined(after.group(0)):
            return True
    return False


@dataclass
class Field:
    """The field's statistics (see the module docstring); empty when none are known."""

    papers: int = 0
    names: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (df, papers alone)
    phrases: dict[str, tuple[int, int]] = field(default_factory=dict)  # key: (df, abstract df)
    senses: dict[str, dict[str, int]] = field(default_factory=dict)  # acronym: {long-form key: papers}
    heads: dict[str, int] = field(default_factory=dict)  # word: phrase keys ending on it
    standing: dict[str, int] = field(default_factory=dict)  # key: papers writing it as a head
    _acronym_papers: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    def share(self, key: str) -> float:
        """The share of the field's papers that write the phrase key, or an acronym the field
        defines by it ("AI" for "artificial intelligence", which most papers never spell out)."""
        if not self.papers:
            return 0.0
        return max(self.phrases.get(key, (0, 0))[0], self._by_acronym().get(key, 0)) / self.papers

    def _by_acronym(self) -> dict[str, int]:
        """{long-form key: papers writing its acronym}, for each acronym's main sense in the field."""
        if self._acronym_papers is None:
            papers: dict[str, int] = {}
            for acronym, defined in self.senses.items():
                main, count = max(defined.items(), key=lambda kv: (kv[1], kv[0]))
                written = max(count, *(self.names.get(form, (0, 0))[0] for form in (acronym, acronym + "s")))
                papers[main] = max(papers.get(main, 0), written)
            self._acronym_papers = papers
        return self._acronym_papers

    def name_share(self, name: str) -> float:
        """The share of the field's papers that write the name."""
        return self.names.get(name, (0, 0))[0] / self.papers if self.papers else 0.0

    def fragment(self, name: str) -> bool:
        """Whether the field writes the name mostly inside longer names (MARCO of MS MARCO)."""
        df, alone = self.names.get(name, (0, 0))
        return df >= MIN_NAME_PAPERS and alone * 2 < df

    def unit(self, key: str) -> bool:
        """Whether the field writes the phrase key as a phrase of running abstract text."""
        return self.phrases.get(key, (0, 0))[1] >= 2

    def head_share(self, key: str) -> float | None:
        """The share of the phrase key's papers in the field that write it as the head of its
        noun phrase at least once; None where the field has too few papers of it to say."""
        df = self.phrases.get(key, (0, 0))[0]
        if df < MIN_STANDING_PAPERS:
            return None
        return self.standing.get(key, 0) / df


# A phrase on GENERIC_SHARE or more of the field's papers says little of one paper ("large
# language models" is on 28%) and weighs GENERIC_WEIGHT; from SPECIFIC_SHARE down it weighs
# fully, and in between its weight falls with the logarithm of its share ("modalities", 6%).
GENERIC_SHARE = 0.15
SPECIFIC_SHARE = 0.01
GENERIC_WEIGHT = 0.25


def specificity(stats: Field, key: str) -> float:
    """How much the phrase key may weigh as a tag, by the share of the field writing it (GENERIC_WEIGHT..1)."""
    share = stats.share(key)
    if share <= SPECIFIC_SHARE:
        return 1.0
    if share >= GENERIC_SHARE:
        return GENERIC_WEIGHT
    fall = math.log(GENERIC_SHARE / share) / math.log(GENERIC_SHARE / SPECIFIC_SHARE)
    return GENERIC_WEIGHT + (1 - GENERIC_WEIGHT) * fall


# A phrase on FIELD_TERM_SHARE or more of the field's papers names a field or a tool of every
# paper ("deep learning", "vision-language models", "artificial intelligence"): it tags a
# paper only where the paper has too few specific concepts.
FIELD_TERM_SHARE = 0.03


def is_field_term(stats: Field, key: str) -> bool:
    """Whether the phrase key is so widely written in the field that it says little of a paper."""
    return stats.share(key) >= FIELD_TERM_SHARE


# Where one paper of a corpus defines an acronym in a sense the field gives it this share or
# less as often as its main sense ("multilingual large language models (MLLMs)", where the
# field writes multimodal 200 times as often), papers using it bare mean the field's sense.
MINOR_SENSE_SHARE = 0.1
# A sense the corpus itself defines in this many papers is the corpus's own, whatever the field says.
CORPUS_SENSE_PAPERS = 2


def with_field_senses(senses: AcronymSenses, stats: Field) -> AcronymSenses:
    """`senses` where each acronym's corpus-wide sense (`AcronymSenses.corpus`) is the field's
    main sense if the corpus's is a minor sense in the field defined by one paper only (see
    MINOR_SENSE_SHARE); the papers that define the acronym keep their own sense."""
    corpus = dict(senses.corpus)
    for acronym, sense in senses.corpus.items():
        defined = stats.senses.get(acronym)
        if not defined or sum(senses.written.get(sense, Counter()).values()) >= CORPUS_SENSE_PAPERS:
            continue
        groups = sense_groups(Counter(defined))
        totals = [sum(defined[k] for k in group) for group in groups]
        main = max(range(len(groups)), key=lambda g: (totals[g], -g))
        if sense in groups[main]:
            continue
        minor = next((totals[g] for g, group in enumerate(groups) if sense in group), 0)
        if minor <= MINOR_SENSE_SHARE * totals[main]:
            corpus[acronym] = groups[main][0]
    return dataclasses.replace(senses, corpus=corpus)


def is_fragment(stats: Field, key: str) -> bool:
    """Whether a phrase of several words, where a paper writes it in its title only, is a title
    fragment: the field never writes it as a phrase of running abstract text ("pipeline for
    rapidly", "discovery of non-standard").  Without statistics, nothing is."""
    return bool(stats.papers) and " " in key and not stats.unit(key)


# A phrase the field writes as the head of its noun phrase in fewer than this share of its
# papers is a modifier of longer phrases, not a concept ("conditional diffusion" of
# "conditional diffusion models", "driver assistance" of "driver assistance systems",
# "confounding"): 13%, 8%, 7%; "video diffusion" stands in 19%, "diffusion model" in 91%.
MODIFIER_HEAD_SHARE = 0.15


# A lone word in -ing is a verb or participle as often as a noun: "Unifying", "Empowering",
# "Redefining" and "emerging" lead titles and phrases (head in 21-31% of their papers on the
# tuning months), "reasoning", "pruning" and "fine-tuning" are concepts (74-79%).  Such a word
# must stand as a head in this share of the field's papers to be a tag.
GERUND_HEAD_SHARE = 0.4


def is_modifier(stats: Field, key: str, variants: Iterable[str] = ()) -> bool:
    """Whether the field writes the phrase key mostly before more words of its phrase (see
    MODIFIER_HEAD_SHARE; GERUND_HEAD_SHARE for a lone word in -ing), and no `variants` merged
    into it ("transformer model" of "transformer") stands as a head either.  Where the field
    has too few papers of it to say (`Field.head_share`), it is not."""
    share = stats.head_share(key)
    limit = GERUND_HEAD_SHARE if " " not in key and key.endswith("ing") else MODIFIER_HEAD_SHARE
    if share is None or share >= limit:
        return False
    return all((stats.head_share(v) or 0.0) < limit for v in variants)


def field_statistics(papers: Iterable[Paper]) -> Field:
    """Count the statistics over `papers` (text already normalised, as a build reads it)."""
    n = 0
    names: Counter[str] = Counter()
    alone_names: Counter[str] = Counter()
    phrases: Counter[str] = Counter()
    in_abstract: Counter[str] = Counter()
    standing: Counter[str] = Counter()
    senses: Counter[tuple[str, str]] = Counter()
    for paper in papers:
        n += 1
        text = f"{paper.title}\n{paper.abstract or ''}"
        written, alone = names_written(text)
        names.update(written)
        alone_names.update(alone)
        terms = paper_terms(paper)
        surfaces = list(terms.counts)
        keys = {surface_key(s) for s in surfaces if not s.startswith(("ACR:", "VERB:"))}
        phrases.update(keys)
        in_abstract.update(
            {surface_key(s) for s in surfaces[terms.in_title :] if not s.startswith(("ACR:", "VERB:"))}
        )
        defined = {(a, surface_key(" ".join(words))) for a, words in terms.definitions if words}
        senses.update(defined)
        standing.update({surface_key(s) for s in terms.heads if not s.startswith(("ACR:", "VERB:"))})
    result = Field(papers=n)
    result.names = {k: (c, alone_names[k]) for k, c in names.items() if c >= MIN_NAME_PAPERS}
    result.phrases = {k: (c, in_abstract[k]) for k, c in phrases.items() if c >= MIN_PHRASE_PAPERS}
    result.standing = {k: standing[k] for k in result.phrases if standing[k]}
    for (acronym, key), count in senses.items():
        if count >= MIN_SENSE_PAPERS:
            result.senses.setdefault(acronym, {})[key] = count
    heads: Counter[str] = Counter(k.rsplit(" ", 1)[-1] for k in result.phrases if " " in k)
    result.heads = {w: c for w, c in heads.items() if c >= MIN_PHRASE_PAPERS}
    return result


def _rows(stats: Field) -> Iterable[str]:
    yield f"papers\t{stats.papers}"
    for name in sorted(stats.names):
        yield "name\t{}\t{}\t{}".format(name, *stats.names[name])
    for key in sorted(stats.phrases):
        yield "phrase\t{}\t{}\t{}\t{}".format(key, *stats.phrases[key], stats.standing.get(key, 0))
    for acronym in sorted(stats.senses):
        for key, count in sorted(stats.senses[acronym].items()):
            yield f"sense\t{acronym}\t{key}\t{count}"
    for word in sorted(stats.heads):
        yield f"head\t{word}\t{stats.heads[word]}"


def write_field(stats: Field, path: Path) -> None:
    """Write the statistics as gzipped TSV, byte-identical for the same statistics."""
    data = "".join(row + "\n" for row in _rows(stats)).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(data)
    path.write_bytes(buffer.getvalue())


def read_field(path: Path) -> Field:
    """Read statistics written by `write_field`."""
    stats = Field()
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for row in rows:
            kind, *values = row.rstrip("\n").split("\t")
            if kind == "papers":
                stats.papers = int(values[0])
            elif kind == "name":
                stats.names[values[0]] = (int(values[1]), int(values[2]))
            elif kind == "phrase":
                stats.phrases[values[0]] = (int(values[1]), int(values[2]))
                if len(values) > 3 and values[3] != "0":
                    stats.standing[values[0]] = int(values[3])
            elif kind == "sense":
                stats.senses.setdefault(values[0], {})[values[1]] = int(values[2])
            elif kind == "head":
                stats.heads[values[0]] = int(values[1])
    return stats


def shipped_path() -> Path:
    return Path(str(resources.files("kg") / "data" / "field.tsv.gz"))


@lru_cache(maxsize=1)
def shipped_field() -> Field:
    """The statistics shipped with kg (empty when the file is absent)."""
    path = shipped_path()
    return read_field(path) if path.exists() else Field()


def build_field(inputs: Sequence[str | Path], since: str | None = None, until: str | None = None) -> Field:
    """Read `inputs` as `kg build` would (an arXiv snapshot filtered by month) and count them."""
    from kg.extract.text import normalise_papers
    from kg.sources import SnapshotFilter, load_sources, merge_entries

    loaded = load_sources(inputs, keep=SnapshotFilter((), since, until))
    papers = merge_entries(loaded.entries, loaded.warnings)
    normalise_papers(papers)
    papers.sort(key=lambda p: p.key)
    return field_statistics(papers)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kg.extract.field", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="count the statistics of a corpus")
    build.add_argument("inputs", nargs="+", help="what kg build reads (an arXiv snapshot, pages, ...)")
    build.add_argument("--since", default=None, help="first month kept, YYYY-MM")
    build.add_argument("--until", default=None, help="last month kept, YYYY-MM")
    build.add_argument("--out", type=Path, default=shipped_path())
    args = parser.parse_args(argv)
    write_field(build_field(args.inputs, args.since, args.until), args.out)


if __name__ == "__main__":
    main()
