"""arXiv ids and DOIs in every form, id lists, and filling id-only papers from arXiv."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from kg.cli import app
from kg.enrich import arxiv
from kg.sources.identity import parse_arxiv_id, parse_doi
from tests.sources_build import SOURCES, Built, build, runner, shacl_conforms


@pytest.mark.parametrize(
    ("text", "arxiv_id"),
    [
        ("1706.03762", "1706.03762"),
        ("arXiv:1706.03762v5", "1706.03762"),
        ("ARXIV: 1501.00001", "1501.00001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136v2", "math.GT/0309136"),
        ("https://arxiv.org/abs/1706.03762", "1706.03762"),
        ("http://export.arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
        ("https://arxiv.org/pdf/1706.03762v5.pdf", "1706.03762"),
        ("arxiv.org/pdf/2109.00859", "2109.00859"),
        ("https://huggingface.co/papers/2304.02643", "2304.02643"),
        ("10.48550/arXiv.1706.03762", "1706.03762"),
        ("1713.03762", None),  # no 13th month
        ("1706.0376", None),
        ("10.1000/xyz", None),
    ],
)
def test_arxiv_id_forms(text: str, arxiv_id: str | None):
    assert parse_arxiv_id(text) == arxiv_id


@pytest.mark.parametrize(
    ("text", "doi"),
    [
        ("10.1162/neco.1997.9.8.1735", "10.1162/neco.1997.9.8.1735"),
        ("doi:10.1038/NATURE14539", "10.1038/nature14539"),
        ("https://doi.org/10.18653/v1/N19-1423", "10.18653/v1/n19-1423"),
        ("http://dx.doi.org/10.1000/a%2Fb.", "10.1000/a/b"),
        ("1706.03762", None),
        ("10.12/x", None),
    ],
)
def test_doi_forms(text: str, doi: str | None):
    assert parse_doi(text) == doi


def test_an_id_list_with_every_form_a_duplicate_and_a_bad_id(tmp_path: Path):
    ids = SOURCES / "ids.txt"
    built = build(tmp_path, ids)
    same = built.column("SELECT ?s WHERE { ?p owl:sameAs ?s } ORDER BY ?s", "s")
    assert same == [
        "https://arxiv.org/abs/1706.03762",
        "https://arxiv.org/abs/1810.04805",
        "https://arxiv.org/abs/2109.00859",
        "https://arxiv.org/abs/2304.02643",
        "https://arxiv.org/abs/hep-th/9901001",
        "https://doi.org/10.1038/nature14539",
        "https://doi.org/10.1162/neco.1997.9.8.1735",
    ]
    assert built.result.stderr == (
        f"Warning: {ids}:10: arXiv 1706.03762 is listed again (first on line 2), read once\n"
        f"Warning: {ids}:11: not an arXiv id or DOI: '1713.0376x', skipped\n"
        "Warning: 7 of 7 papers have no title (known only by arXiv id or DOI); "
        "--enrich arxiv fills in titles, abstracts and authors\n"
    )
    missing = built.column(
        "SELECT ?p WHERE { ?p kg:titleMissing true FILTER NOT EXISTS { ?p dcterms:title ?t } }", "p"
    )
    assert len(missing) == 7
    shacl_conforms(built.out / "graph.ttl")


def arxiv_ids_handler(asked: list[str]):
    """arXiv's `id_list` answer: an Atom entry for each id it knows."""
    known = {
        "1706.03762": (
            "Attention Is All You\n  Need",
            "2017-06-12",
            ["Ashish Vaswani", "Noam Shazeer"],
            "cs.CL",
        ),
        "hep-th/9901001": (
            "Noncommutative Geometry and String\n  Field Theory",
            "1999-01-01",
            ["A. Author"],
            "hep-th",
        ),
    }

    def handle(request: Request) -> Response:
        ids = request.args["id_list"].split(",")
        asked.append(request.args["id_list"])
        entries = []
        for ident in ids:
            if ident not in known:
                continue
            title, published, authors, category = known[ident]
            names = "".join(f"<author><name>{a}</name></author>" for a in authors)
            entries.append(
                f"<entry><id>http://arxiv.org/abs/{ident}v2</id><published>{published}T17:57:34Z</published>"
                f"<title>{title}</title><summary>  An abstract that arXiv\nwraps at the margin.</summary>{names}"
                f'<category term="{category}" scheme="http://arxiv.org/schemas/atom"/></entry>'
            )
        feed = f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">{"".join(entries)}</feed>'
        return Response(feed, content_type="application/atom+xml")

    return handle


def test_enrich_arxiv_fills_id_only_papers_by_batched_id_list(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    asked: list[str] = []
    httpserver.expect_request("/arxiv").respond_with_handler(arxiv_ids_handler(asked))
    monkeypatch.setenv("KG_ARXIV_API", httpserver.url_for("/arxiv"))
    monkeypatch.setattr(arxiv, "INTERVAL", 0.0)
    monkeypatch.setattr(arxiv, "IDS_PER_QUERY", 3)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "build",
            str(SOURCES / "ids.txt"),
            "-e",
            "arxiv",
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    # Five arXiv ids in batches of three: two requests, sorted ids.
    assert asked == ["1706.03762,1810.04805,2109.00859", "2304.02643,hep-th/9901001"]
    built = Built(result, out)
    rows = built.rows(
        """SELECT ?id ?title ?abstract ?issued WHERE { ?p kg:arxivId ?id ; dcterms:title ?title ;
             dcterms:abstract ?abstract ; dcterms:issued ?issued } ORDER BY ?id"""
    )
    assert [(r["id"], r["title"], r["issued"]) for r in rows] == [
        ("1706.03762", "Attention Is All You Need", "2017-06-12"),
        ("hep-th/9901001", "Noncommutative Geometry and String Field Theory", "1999-01-01"),
    ]
    assert rows[0]["abstract"] == "An abstract that arXiv wraps at the margin."
    assert re.search(r"arxiv\W+2\W+3\W+0\W+0\W+0\W+2\W", result.stdout)  # matched, not found, ..., sent
    assert "Warning: arXiv: 2 papers known only by DOI were not asked" in result.stderr
    assert (
        "Warning: 5 of 7 papers have no title (known only by arXiv id or DOI); enrichment did not find them"
        in (result.stderr)
    )
    shacl_conforms(out / "graph.ttl")
