"""Slices of the real arXiv corpus for the benchmarks, and the same slices as Hugging Face JSON.

The corpus (`../shared/corpora/arxiv-cs-2025.jsonl.gz`, or `$KG_ARXIV_CORPUS`) holds 40,944
real arXiv cs papers, one JSON object a line in the shape of arXiv's metadata snapshot.  A
slice is its first N lines, written uncompressed to a folder under the system's temp folder
(`$KG_BENCH_SLICES` overrides it) and reused by later runs; nothing is written into the
repository.

kg cannot read the snapshot yet, so `to_hf` writes a slice as what `kg/sources/hf.py` reads:
a JSON array of Daily Papers items, `{"paper": {"id", "title", "summary", "authors":
[{"name"}], "publishedAt"}}`, compact as the API answers it.  The snapshot has no dates, so
`publishedAt` is the first of the month the id's `YYMM` names; the summary keeps the
snapshot's hard wrapping (kg unwraps it as it does the API's); authors are
`authors_parsed`'s "first last suffix".

One change to the text, so that today's kg can build every slice: a Markdown link in an
abstract, `[text](url)` (17 of the 40,944 papers; one lacks its `[` and `)`, two the url's
scheme), is written as `text (url)`, or as the bare url when the text is the url.  kg's link extraction (kg/links.py) reads
`https://github.com/a/b](https:` out of `[https://github.com/a/b](https://github.com/a/b)`,
and the RDF export then stops the build ("not a valid IRI, cannot be exported"); the first
such paper is line 9,988 (2505.16416), so the 2k slice builds either way and the 20k one
only with this.  `to_hf(..., markdown_links=True)` keeps the links as written.

    python -m benchmarks.slices                 # 2k, 5k, 10k, 20k and all, with their HF JSON
    python -m benchmarks.slices 2000 --hf       # one slice; prints the paths
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
CORPUS_NAME = "arxiv-cs-2025.jsonl.gz"
SIZES = (2000, 5000, 10000, 20000, None)  # None: the whole corpus


def corpus() -> Path:
    """The corpus file; fails with a clear message when it is absent."""
    if os.environ.get("KG_ARXIV_CORPUS"):
        return Path(os.environ["KG_ARXIV_CORPUS"])
    # ../shared beside a clone; ../../shared beside a worktree kept one folder down.
    places = [up / "shared" / "corpora" / CORPUS_NAME for up in (REPO.parent, REPO.parent.parent)]
    for path in places:
        if path.exists():
            return path
    raise SystemExit(f"the arXiv corpus is not at {places[0]} (set KG_ARXIV_CORPUS)")


def folder() -> Path:
    """Where slices are kept between runs."""
    path = Path(os.environ.get("KG_BENCH_SLICES") or Path(tempfile.gettempdir()) / "kg-bench-slices")
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_lines(path: Path) -> IO[str]:
    """A JSON-lines file as text, gzip-compressed (by its magic bytes) or plain."""
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The JSON objects of a snapshot-shaped file, one a line (blank lines skipped)."""
    with open_lines(path) as f:
        count = 0
        for line in f:
            if not line.strip():
                continue
            if limit is not None and count >= limit:
                return
            yield json.loads(line)
            count += 1


def name(n: int | None) -> str:
    return f"arxiv-{'all' if n is None else n}"


def slice_path(n: int | None) -> Path:
    """The first `n` lines of the corpus (None: all of it) as plain JSON lines, written once."""
    path = folder() / f"{name(n)}.jsonl"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with open_lines(corpus()) as src, open(tmp, "w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if n is not None and i >= n:
                break
            dst.write(line)
    tmp.replace(path)
    return path


def _published(arxiv_id: str) -> str | None:
    head = arxiv_id.split("/")[-1][:4]
    if len(head) == 4 and head.isdigit() and 1 <= int(head[2:]) <= 12:
        year = int(head[:2])
        return f"{2000 + year if year < 90 else 1900 + year}-{head[2:]}-01T00:00:00.000Z"
    return None


def _authors(record: dict[str, Any]) -> list[dict[str, str]]:
    parsed = record.get("authors_parsed")
    if parsed:
        names = [" ".join(p for p in (first, last, *rest) if p) for last, first, *rest in parsed]
    else:  # "A, B and C"
        text = (record.get("authors") or "").replace(" and ", ", ")
        names = [a.strip() for a in text.split(",")]
    return [{"name": n} for n in names if n]


# `[text](url)`; the url may lack its scheme (`[https://github.com/a/b](github.com/a/b)`).
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\s*\(((?:https?://)?[\w.-]+\.[A-Za-z]{2,}[^)\s]*)\)")
# A link half written: `url](url` with no `[` or no `)` (2506.00250).
_HALF_LINK = re.compile(r"(https?://[^\s\]\[]+)\]\((https?://[^)\s]+)\)?")


def plain_links(text: str) -> str:
    """Markdown links `[text](url)` as `text (url)`, or as one url when the text is the url."""

    def plain(m: re.Match[str]) -> str:
        label, url = " ".join(m.group(1).split()), m.group(2)
        if not label:
            return url
        if label.rstrip("/").endswith(url.rstrip("/").split("://")[-1]):  # the same address twice
            return label if "://" in label else url
        return f"{label} ({url})"

    return _HALF_LINK.sub(plain, _MARKDOWN_LINK.sub(plain, text))


def hf_item(record: dict[str, Any], markdown_links: bool = False) -> dict[str, Any]:
    """One snapshot record as a Daily Papers item (Markdown links made plain, unless kept)."""
    summary = (record.get("abstract") or "").strip()
    paper: dict[str, Any] = {
        "id": record["id"],
        "title": " ".join((record.get("title") or "").split()),
        "summary": summary if markdown_links else plain_links(summary),
        "authors": _authors(record),
    }
    published = _published(record["id"])
    if published:
        paper["publishedAt"] = published
    return {"paper": paper}


def to_hf(src: Path, dst: Path | None = None, *, markdown_links: bool = False) -> Path:
    """A snapshot-shaped slice as Hugging Face Daily Papers JSON (default: beside it,
    `.hf.json`, or `.hf-md.json` with the Markdown links kept); written once."""
    suffix = ".hf-md.json" if markdown_links else ".hf.json"
    dst = dst or src.with_name(src.name.removesuffix(".gz").removesuffix(".jsonl") + suffix)
    if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
        return dst
    items = [hf_item(r, markdown_links) for r in read_records(src)]
    tmp = dst.with_suffix(".tmp")
    tmp.write_text(json.dumps(items, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(dst)
    return dst


def hf_path(n: int | None) -> Path:
    """The `n`-paper slice as Hugging Face JSON, written once."""
    return to_hf(slice_path(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", help="papers per slice, or 'all' (default: 2k 5k 10k 20k all)")
    parser.add_argument("--hf", action="store_true", help="also write each slice as Hugging Face JSON")
    args = parser.parse_args()
    sizes = [None if s == "all" else int(s) for s in args.sizes] if args.sizes else list(SIZES)
    for n in sizes:
        path = slice_path(n)
        print(path)
        if args.hf or not args.sizes:
            print(hf_path(n))


if __name__ == "__main__":
    main()
