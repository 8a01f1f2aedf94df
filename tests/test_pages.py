from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import load_sources as load_pages
from kg.sources import merge_entries, normalize_title
from kg.sources.pages import looks_like_abstract, parse_page
from tests.conftest import DATA, SEEDS


def test_blank_line_layout_pairs_titles_with_abstracts_and_flags_missing_ones():
    path = DATA / "pages" / "blank_layout.txt"
    source, entries, warnings = parse_page(path.read_text(), "blank_layout.txt")
    assert source.listed == "Aug 18"
    assert [e.title for e in entries] == [
        "CodeT5: Identifier-aware Unified Pre-trained Encoder-Decoder Models for Code Understanding and Generation",
        "SVTRv2: CTC Beats Encoder-Decoder Models in Scene Text Recognition",
        "Scaling Laws for Speculative Decoding",
    ]
    assert entries[0].abstract is not None and entries[0].abstract.startswith(
        "Pre-trained models for Natural"
    )
    assert entries[1].abstract is None  # followed directly by another title
    assert entries[2].abstract is None  # last line of the page
    assert [e.occurrence.line for e in entries] == [13, 17, 19]
    assert warnings == []


def test_one_line_layout_strips_glued_subscribe_and_has_no_date():
    path = DATA / "pages" / "line_layout.txt"
    source, entries, _ = parse_page(path.read_text(), "line_layout.txt")
    assert source.listed is None
    assert entries[0].title.startswith("ASAG: Building Strong One-Decoder-Layer")
    assert entries[0].occurrence.line == 3
    assert entries[1].title.startswith("GTrans:")
    assert entries[-1].title.startswith("AlphaViT:") and entries[-1].abstract is None


@pytest.mark.parametrize(
    "furniture",
    [
        "new",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "Get trending papers in your email inbox!",
        "Get trending papers in your email inbox once a day!",
    ],
)
def test_furniture_is_never_a_title(furniture: str):
    text = f"{furniture}\nScaling Laws for Speculative Decoding\n{'word ' * 60}\n"
    _, entries, _ = parse_page(text, "p.txt")
    assert [e.title for e in entries] == ["Scaling Laws for Speculative Decoding"]


@pytest.mark.parametrize("date", ["Mar 11", "Aug 18", "Sept 3", "Dec 31, 2024"])
def test_date_lines_become_listing_dates(date: str):
    source, entries, _ = parse_page(f"{date}\nA Title\n{'word ' * 60}\n", "p.txt")
    assert source.listed == date
    assert len(entries) == 1


def test_abstract_without_title_is_warned_not_invented():
    text = f"{'word ' * 60}\nA Title\n{'text ' * 60}\n"
    _, entries, warnings = parse_page(text, "p.txt")
    assert [e.title for e in entries] == ["A Title"]
    assert warnings == ["p.txt:1: abstract without a title line, skipped"]


def _seed_pairs() -> tuple[list[str], list[str]]:
    titles, abstracts = [], []
    for path in sorted(SEEDS.glob("*.txt")):
        _, entries, _ = parse_page(path.read_text(), path.name)
        titles += [e.title for e in entries]
        abstracts += [e.abstract or "" for e in entries]
    return titles, abstracts


def test_seed_titles_and_abstracts_are_told_apart():
    titles, abstracts = _seed_pairs()
    assert all(not looks_like_abstract(t) for t in titles)
    assert all(looks_like_abstract(a) for a in abstracts)


def test_seed_entries_and_distinct_papers_come_from_the_data():
    pages = load_pages([SEEDS])
    # Every non-blank, non-furniture line is a title or an abstract, and each abstract follows
    # its title: so entries are the number of title lines, counted independently here.
    content = 0
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text().splitlines():
            line = re.sub(r"^Subscribe(?=[A-Z])", "", line.strip())
            if line and not looks_like_abstract(line) and not _is_chrome(line):
                content += 1
    assert len(pages.entries) == content
    assert all(e.abstract for e in pages.entries)
    distinct = {normalize_title(e.title) for e in pages.entries}
    papers = merge_entries(pages.entries)
    assert len(papers) == len(distinct) < len(pages.entries)
    assert sum(len(p.occurrences) for p in papers) == len(pages.entries)


def _is_chrome(line: str) -> bool:
    return line.lower() in {
        "new",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "get trending papers in your email inbox!",
        "get trending papers in your email inbox once a day!",
    } or bool(re.match(r"^[A-Z][a-z]{2} \d{1,2}$", line))


def test_a_paper_on_several_pages_is_one_paper_remembering_each_place():
    papers = merge_entries(load_pages([SEEDS]).entries)
    speculative = [p for p in papers if p.title == "Scaling Laws for Speculative Decoding"]
    assert len(speculative) == 1
    many = max(papers, key=lambda p: len(p.occurrences))
    assert len({o.source for o in many.occurrences}) == len(many.occurrences) > 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Attention Is All You Need", "attention is all you need"),
        ("Faster Diffusion: Rethinking the Role", "Faster  Diffusion -- Rethinking the role"),
        ("ＣｏｄｅＴ５", "CodeT5"),  # NFKC folds full-width forms
    ],
)
def test_title_normalization_identifies_variants(a: str, b: str):
    assert normalize_title(a) == normalize_title(b)


def test_directories_and_globs_expand_in_sorted_order(tmp_path: Path):
    for name in ["b.txt", "a.txt"]:
        (tmp_path / name).write_text((DATA / "pages" / "line_layout.txt").read_text())
    by_dir = load_pages([tmp_path])
    by_glob = load_pages([str(tmp_path / "*.txt")])
    assert [s.name for s in by_dir.sources] == ["a.txt", "b.txt"] == [s.name for s in by_glob.sources]


def test_same_file_name_in_two_folders_gets_distinct_source_names(tmp_path: Path):
    for folder in ["x", "y"]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.txt").write_text((DATA / "pages" / "line_layout.txt").read_text())
    pages = load_pages([tmp_path])
    assert [s.name for s in pages.sources] == ["x/page.txt", "y/page.txt"]


def test_skip_bad_keeps_going_and_warns(tmp_path: Path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "good.txt").write_text((DATA / "pages" / "line_layout.txt").read_text())
    pages = load_pages([tmp_path], skip_bad=True)
    assert [s.name for s in pages.sources] == ["good.txt"]
    assert pages.warnings == [f"skipped {tmp_path / 'empty.txt'}: file is empty"]
    with pytest.raises(InputError, match="file is empty"):
        load_pages([tmp_path])


def test_a_long_question_title_before_its_abstract_is_still_a_title():
    # 26 words and two sentence ends: prose by the line test alone; its position decides.
    title = (
        "Attention is All You Need? Good Embeddings with Statistics are enough. Large Scale Audio "
        "Understanding without Transformers, Convolutions, BERTs, Mixers, Attention, RNNs or anything else"
    )
    assert looks_like_abstract(title)
    _, entries, warnings = parse_page(f"{title}\n{'word ' * 60}\n", "p.txt")
    assert [(e.title, e.abstract is not None) for e in entries] == [(title, True)]
    assert warnings == []


@pytest.mark.parametrize("space", ["  ", "\t", "\xa0", "\u2009", " \u3000 "])
def test_irregular_whitespace_inside_lines_is_collapsed(space: str):
    _, entries, _ = parse_page(f"Scaling{space}Laws\n{'word' + space}{'word ' * 60}\n", "p.txt")
    assert entries[0].title == "Scaling Laws"
    assert entries[0].abstract is not None and "  " not in entries[0].abstract
