"""The strict title rule that keeps a wrong match out of the graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import TypeVar

from kg.sources.identity import normalize_title

T = TypeVar("T")
# Normalized titles (case, punctuation, spacing and Unicode forms already folded) must agree
# to 0.95: that leaves room for a typo or a British/American spelling in a long title, but not
# for an extra or missing word, which is how distinct papers' titles usually differ
# ("Attention Is All You Need" vs "Attention Is Not All You Need": 0.93).
THRESHOLD = 0.95


def title_similarity(a: str, b: str) -> float:
    na, nb = normalize_title(a), normalize_title(b)
    if na == nb:
        return 1.0
    return SequenceMatcher(None, na, nb, autojunk=False).ratio()


def best_match(title: str, candidates: Iterable[T], title_of: Callable[[T], str]) -> T | None:
    """The candidate whose title matches `title` best, if it clears `THRESHOLD`."""
    scored = [(title_similarity(title, title_of(c)), i, c) for i, c in enumerate(candidates)]
    scored = [s for s in scored if s[0] >= THRESHOLD]
    if not scored:
        return None
    return max(scored, key=lambda s: (s[0], -s[1]))[2]
