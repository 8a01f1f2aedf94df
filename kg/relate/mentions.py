"""Mentions: a paper whose abstract names another corpus paper's own method (`schema:mentions`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from kg.extract.phrases import FUNCTION_WORDS, GENERIC_WORDS, is_acronym
from kg.extract.vocabulary import ConceptMap
from kg.model import Paper

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*$")

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")


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
    coined = any(c.isupper() for c in head[1:]) or any(c.isdigit() for c in head)
    if not coined:
        return None
    if is_acronym(head) and head.isupper() and len(head) < 4:
        return None  # CTC, GAN, ...: common technique acronyms, not one paper's method
    return head


def mentions(papers: Sequence[Paper], concepts: ConceptMap | None = None) -> list[tuple[str, str, str]]:
    """(mentioning paper, mentioned paper, name) where an abstract names another paper's method.

    Names that two corpus papers claim, or that the corpus uses as a concept's acronym in
    three or more papers (a technique, not a paper), are left out.
    """
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
    names = {n: ks[0] for n, ks in owners.items() if len(ks) == 1 and n.lower() not in common}
    found = set()
    for paper in papers:
        if not paper.abstract:
            continue
        for word in set(_WORD.findall(paper.abstract)) & names.keys():
            target = names[word]
            if target != paper.key:
                found.add((paper.key, target, word))
    return sorted(found)
