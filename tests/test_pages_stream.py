"""A saved page is read in one pass and holds only what it keeps (issue 26, item 7: a
1M-line page took 2.85 GB).  `benchmarks/page_memory.py` measures a 1M-line page; here a page
of mostly page furniture shows that the memory follows the kept lines, not the file."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg.sources import pages

FURNITURE = "Get trending papers in your email inbox!"
ABSTRACT = " ".join(["a sentence of prose about models"] * 10) + "."


def page_text(lines: int) -> str:
    """A page of `lines` furniture lines with three papers among them."""
    body = [FURNITURE] * lines
    for i, at in enumerate((10, lines // 2, lines - 10)):
        body[at : at + 2] = [f"Paper number {i}", ABSTRACT]
    return "Daily Papers\n" + "\n".join(body) + "\n"


def peak_of(call: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_lines_are_those_of_splitlines_whatever_the_chunk(chunk: int):
    rng = random.Random(chunk)
    ends = ["\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029", "\r\r\n", "\n\r"]
    for _ in range(300):
        text = "".join(rng.choice(["ab", "c d", "", *ends]) for _ in range(rng.randint(0, 20)))
        assert list(pages.lines_of(text, chunk)) == text.splitlines(), repr(text)


def test_a_page_held_as_text_adds_only_what_it_keeps():
    text = page_text(400_000)  # 16 MB of furniture lines, three papers
    (_, entries, warnings), peak = peak_of(lambda: pages.parse_page(text, "big"))
    assert [e.title for e in entries] == ["Paper number 0", "Paper number 1", "Paper number 2"]
    assert all(e.abstract == ABSTRACT for e in entries) and warnings == []
    # Was: every line split into a list first, twice the text again (36 MB here).
    assert peak < len(text) / 4, (peak, len(text))


def test_a_page_read_from_an_open_file_never_holds_the_file(tmp_path: Path):
    path = tmp_path / "page.txt"
    text = page_text(400_000)
    path.write_text(text, encoding="utf-8")
    expected = pages.parse_page(text, "big")[1]
    with path.open(encoding="utf-8") as lines:  # a generator of lines: one at a time
        (_, entries, _), peak = peak_of(lambda: pages.parse_page(lines, "big"))
    assert entries == expected  # titles, abstracts and line numbers as from the text
    assert [e.occurrence.line for e in entries] == [12, 200_002, 399_992]
    assert peak < path.stat().st_size / 20, (peak, path.stat().st_size)
