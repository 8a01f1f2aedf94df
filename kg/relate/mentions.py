"""Mentions: a paper whose abstract names another corpus paper's own method (`schema:mentions`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from kg.extract.field import NAME_TOKEN, Field, inside_longer_name, shipped_field
from kg.extract.phrases import FUNCTION_WORDS, GENERIC_WORDS, acronym_key, is_acronym, zipf
from kg.extract.vocabulary import ConceptMap
from kg.model import Paper

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*$")


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
# An all-capitals name that spells a common English word (STAR, ATLAS, OASIS) names many things.
WORD_ZIPF = 3.0


def mentions(
    papers: Sequence[Paper], concepts: ConceptMap | None = None, field: Field | None = None
) -> list[tuple[str, str, str]]:
    """(mentioning paper, mentioned paper, name) where an abstract names another paper's method.

    The name is the mentioned paper's own (its title's short name, `method_name`), which no
    other corpus paper's title claims; it is no common word of the field (`field`, by default
    the statistics shipped with kg: the share of the field's papers writing it, whether it
    is written mostly inside longer names such as MARCO in "MS MARCO", whether the field
    defines it as an acronym of a long form), nor a concept's
    acronym in three or more corpus papers; the abstract writes it on its own, not inside a
    longer name; and the mentioning paper is not older than the mentioned one (by month).
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
    month = {p.key: paper_month(p) for p in papers}
    found: set[tuple[str, str, str]] = set()
    writers: dict[str, set[str]] = defaultdict(set)
    for paper in papers:
        if not paper.abstract or not names:
            continue
        text = paper.abstract
        matches = list(NAME_TOKEN.finditer(text))
        for i, match in enumerate(matches):
            word = match.group(0)
            target = names.get(word)
            if target is None:
                continue
            writers[word].add(paper.key)
            if target == paper.key or inside_longer_name(text, matches, i):
                continue
            if older(month[paper.key], month[target]):
                continue  # a paper cannot name a method that appeared after it
            found.add((paper.key, target, word))
    limit = max(COMMON_IN_CORPUS, int(CORPUS_COMMON_SHARE * len(papers)))
    too_common = {w for w, ks in writers.items() if len(ks) > limit}
    return sorted(m for m in found if m[2] not in too_common)


def _field_word(name: str, field: Field) -> bool:
    """Whether the field uses the name as its own word rather than one paper's method."""
    if field.name_share(name) > FIELD_COMMON_SHARE or field.fragment(name):
        return True
    if acronym_key(name) in field.senses:  # the field spells it out: ISAC, "integrated sensing and ..."
        return True
    return name.isupper() and zipf(name.lower()) >= WORD_ZIPF
