"""Knowledge of the field shipped as data (`kg/data/field.tsv.gz`): the script that makes it."""

from __future__ import annotations

from pathlib import Path

from kg.extract.field import build_field, main, read_field, shipped_field, shipped_path, write_field

SNAPSHOT = Path(__file__).parent / "data" / "snapshot" / "arxiv-metadata.jsonl"


def test_the_script_makes_the_same_file_twice(tmp_path: Path):
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    main(["build", str(SNAPSHOT), "--out", str(first)])
    main(["build", str(SNAPSHOT), "--out", str(second)])
    assert first.read_bytes() == second.read_bytes()
    stats = read_field(first)
    assert stats == build_field([SNAPSHOT])
    assert stats.papers == len(SNAPSHOT.read_text().splitlines())


def test_months_filter_what_the_script_counts():
    every = build_field([SNAPSHOT])
    some = build_field([SNAPSHOT], since="2099-01")
    assert every.papers > 0 and some.papers == 0 and not some.phrases


def test_the_shipped_file_is_what_the_script_writes(tmp_path: Path):
    shipped = shipped_field()
    again = tmp_path / "field.tsv.gz"
    write_field(shipped, again)
    assert again.read_bytes() == shipped_path().read_bytes()
    # Counted over 2025-03..2025-08 of the dev corpus: "large language models" is on a large
    # share of the field's papers, a title fragment such as "pipeline for rapidly" on none.
    assert 20_000 < shipped.papers < 30_000
    assert shipped.share("large language model") > 0.1
    assert not shipped.unit("pipeline for rapidly")
    assert shipped.unit("speculative decoding")
