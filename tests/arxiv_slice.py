"""Slices of the dev corpus (arXiv metadata-snapshot JSON lines, CC0) as Hugging Face Daily Papers
API JSON, the shape `kg.sources.hf` reads, for tests and benchmarks that build real papers."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "arxiv-cs-2025.jsonl.gz"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpora/arxiv-cs-2025.jsonl.gz")
MISSING = f"the dev corpus {CORPUS} is absent"


def records(limit: int | None = None, corpus: Path = CORPUS) -> Iterator[dict]:
    """The first `limit` records of the snapshot (all when None), as parsed JSON objects."""
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in islice(lines, limit):
            yield json.loads(line)


def _month(arxiv_id: str) -> str:
    yymm = arxiv_id.split(".")[0]
    return f"20{yymm[:2]}-{yymm[2:4]}-01T00:00:00.000Z" if yymm.isdigit() and len(yymm) == 4 else ""


def as_daily_papers(record: dict) -> dict:
    """One snapshot record as one item of `GET /api/daily_papers` (title and summary as written)."""
    names = [n.strip() for n in record["authors"].replace(" and ", ", ").split(",") if n.strip()]
    paper = {
        "id": record["id"],
        "title": record["title"],
        "summary": record["abstract"],
        "authors": [{"name": n} for n in names],
    }
    published = _month(record["id"])
    if published:
        paper["publishedAt"] = published
    return {"paper": paper}


def write_slice(path: Path, limit: int | None = None, corpus: Path = CORPUS) -> Path:
    """Write the first `limit` papers of the corpus as one Daily Papers JSON file at `path`."""
    items = [as_daily_papers(r) for r in records(limit, corpus)]
    path.write_text(json.dumps(items, indent=0), encoding="utf-8")
    return path
