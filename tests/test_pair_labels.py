"""The labelled-pairs benchmark (benchmarks/pair_labels.py): which labelled rows a link set keeps."""

from __future__ import annotations

from benchmarks.pair_labels import kept_shares, read_labels


def test_kept_shares_count_the_kg_rows_kept_and_the_tfidf_rows_linked(tmp_path):
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "row\ta\tb\tlabel\tkg_weight\ttfidf_rank\n"
        "R01\t2503.00002\t2503.00001\tC\t0.2\t\n"  # a kg row, its ids in either order
        "R02\t2503.00003\t2503.00004\tS\t0.16\t\n"
        "R03\t2503.00005\t2503.00006\tC\t\t2\n"  # a TF-IDF row
        "R04\t2503.00007\t2503.00008\t?\t0.3\t\n",  # no label: left out
        encoding="utf-8",
    )
    rows = read_labels(labels)
    assert len(rows) == 3 and rows[0][0] == ("arxiv-2503.00001", "arxiv-2503.00002")
    figures = kept_shares(
        rows, {("arxiv-2503.00001", "arxiv-2503.00002"), ("arxiv-2503.00005", "arxiv-2503.00006")}
    )
    assert figures["kg rows labelled"] == {"C": 1, "S": 1, "N": 0}
    assert figures["kg rows kept"] == {"C": 1, "S": 0, "N": 0}
    assert figures["C-rate of the kept"] == 1.0
    assert figures["tf-idf rows now links"] == {"C": 1, "S": 0, "N": 0}
