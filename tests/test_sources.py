"""Every input format through the real CLI: detection, what each reader keeps, one identity
across sources, bad inputs; and input resolution (each file once, no loops)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from kg.cli import app
from kg.enrich import arxiv
from kg.errors import InputError
from kg.query import load_store, select
from kg.sources import detect_format, load_sources, merge_entries
from kg.sources.hf import unwrap
from kg.sources.identity import parse_arxiv_id, parse_doi
from kg.sources.inputs import resolve_inputs, source_names
from tests.conftest import DATA, ROOT

runner = CliRunner()
SOURCES = DATA / "sources"
HF_DAY = SOURCES / "hf_daily_2024-10-25.json"
PAGE = DATA / "pages" / "blank_layout.txt"
PREFIXES = """
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX kg: <https://w3id.org/kg/vocab#>
"""


class Built:
    def __init__(self, result, out: Path):
        self.result = result
        self.out = out
        self._store = None

    def rows(self, sparql: str) -> list[dict[str, str]]:
        if self._store is None:
            self._store = load_store([self.out / "graph.ttl"])
        return select(self._store, PREFIXES + sparql)

    def column(self, sparql: str, name: str) -> list[str]:
        return [r[name] for r in self.rows(sparql)]


def build(tmp_path: Path, *args: str | Path, ok: bool = True) -> Built:
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", *map(str, args), "--out", str(out), "-q"])
    if ok:
        assert result.exit_code == 0, result.output
    return Built(result, out)


def shacl_conforms(path: Path) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    from rdflib import Graph

    conforms, _, text = pyshacl.validate(
        Graph().parse(path), shacl_graph=Graph().parse(ROOT / "kg" / "data" / "shapes.ttl")
    )
    assert conforms, text


# ---------------------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hf_daily_2024-10-25.json", "hf"),
        ("hf_daily_minified.json", "hf"),
        ("hf_paper_2304.02643.json", "hf"),
        ("hf_daily_page.html", "html"),
        ("ids.txt", "ids"),
        ("library.bib", "bibtex"),
    ],
)
def test_format_comes_from_the_content_not_the_name(tmp_path: Path, name: str, expected: str):
    renamed = tmp_path / "saved.txt"  # the name says nothing
    shutil.copy(SOURCES / name, renamed)
    assert detect_format(renamed.read_text(), renamed) == expected
    assert detect_format(PAGE.read_text(), tmp_path / "page.txt") == "page"


@pytest.mark.parametrize(
    ("suffix", "reader"), [(".json", "hf"), (".bib", "bibtex"), (".htm", "html"), (".txt", "page")]
)
def test_content_that_fits_no_format_is_read_as_its_name_says(tmp_path: Path, suffix: str, reader: str):
    # so that a broken .json or .bib file is told what is wrong with it as JSON or BibTeX
    assert detect_format("Some words\nthat are no format at all\n", tmp_path / f"x{suffix}") == reader


def test_input_format_forces_a_reader(tmp_path: Path):
    built = build(tmp_path, PAGE, "--input-format", "bibtex", ok=False)
    assert built.result.exit_code == 1
    assert built.result.stderr == f"Error: {PAGE}: no BibTeX entries with a title, DOI or arXiv id found\n"
    forced = build(tmp_path, SOURCES / "ids.txt", "--input-format", "ids")
    assert len(forced.column("SELECT ?p WHERE { ?p a schema:ScholarlyArticle }", "p")) == 7


def test_an_unknown_input_format_is_a_usage_error(tmp_path: Path):
    result = runner.invoke(app, ["build", str(PAGE), "--input-format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "csv" in result.stderr


# ---------------------------------------------------------------------------------------
# Hugging Face JSON


def test_hf_daily_json_keeps_ids_text_links_authors_dates_and_upvotes(tmp_path: Path):
    built = build(tmp_path, HF_DAY)
    papers = built.rows(
        """SELECT ?id ?title ?abstract ?issued ?up WHERE {
             ?p kg:arxivId ?id ; dcterms:title ?title ; dcterms:abstract ?abstract ;
                dcterms:issued ?issued ; kg:upvotes ?up ;
                owl:sameAs ?same .
             FILTER (DATATYPE(?issued) = xsd:date && STR(?same) = CONCAT("https://arxiv.org/abs/", ?id))
           } ORDER BY ?id"""
    )
    assert [(p["id"], p["issued"], p["up"]) for p in papers] == [
        ("1706.03762", "2017-06-12", "97"),
        ("2109.00859", "2021-09-02", "12"),
        ("2304.02643", "2023-04-05", "41"),
    ]
    # Hard-wrapped title and summary are flowing text again.
    codet5 = papers[1]
    assert codet5["title"].endswith("Models for Code Understanding and Generation")
    assert all("\n" not in p["abstract"] and "  " not in p["abstract"] for p in papers)
    assert "a new single-model state-of-the-art BLEU score of 41.8" in papers[0]["abstract"]
    # githubRepo inside `paper` (CodeT5, SAM) and at the item's top level (Transformer).
    repos = built.rows("SELECT ?id ?repo WHERE { ?p kg:arxivId ?id ; kg:repository ?repo } ORDER BY ?id")
    assert [(r["id"], r["repo"]) for r in repos] == [
        ("1706.03762", "https://github.com/tensorflow/tensor2tensor"),
        ("2109.00859", "https://github.com/salesforce/codet5"),
        ("2304.02643", "https://github.com/facebookresearch/segment-anything"),
    ]
    assert built.column("SELECT ?page WHERE { ?p kg:projectPage ?page }", "page") == [
        "https://segment-anything.com/"
    ]
    authors = built.column(
        """SELECT ?name WHERE { ?p kg:arxivId "2304.02643" ; kg:authorship ?a .
             ?a kg:position ?n ; kg:author/foaf:name ?name } ORDER BY ?n""",
        "name",
    )
    assert authors[:3] == ["Alexander Kirillov", "Eric Mintun", "Nikhila Ravi"] and authors[-2:] == [
        "Piotr Dollár",
        "Ross Girshick",
    ]
    source = built.rows(
        """SELECT ?listed ?format WHERE { ?s a prov:Entity ; kg:listingDate ?listed ; kg:inputFormat ?format
             FILTER (DATATYPE(?listed) = xsd:date) }"""
    )
    assert source == [{"listed": "2024-10-25", "format": "hf"}]
    where = built.rows(
        """SELECT ?line ?pointer WHERE { ?p kg:arxivId "1706.03762" ; prov:qualifiedDerivation ?d .
             ?d kg:line ?line ; kg:jsonPointer ?pointer }"""
    )
    assert where == [{"line": "63", "pointer": "/1"}]
    shacl_conforms(built.out / "graph.ttl")


def test_a_one_line_answer_tells_its_items_apart_by_json_pointer(tmp_path: Path):
    built = build(tmp_path, SOURCES / "hf_daily_minified.json")
    rows = built.rows(
        "SELECT ?d ?line ?pointer WHERE { ?p prov:qualifiedDerivation ?d . ?d kg:line ?line ; kg:jsonPointer ?pointer }"
        " ORDER BY ?pointer"
    )
    assert [(r["line"], r["pointer"]) for r in rows] == [("1", "/0"), ("1", "/1")]
    assert len({r["d"] for r in rows}) == 2


def test_a_single_paper_object_is_read(tmp_path: Path):
    built = build(tmp_path, SOURCES / "hf_paper_2304.02643.json")
    assert built.column("SELECT ?t WHERE { ?p kg:arxivId '2304.02643' ; dcterms:title ?t }", "t") == [
        "Segment Anything"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a line\nand the next", "a line and the next"),
        ("new single-model state-of-the-\nart BLEU", "new single-model state-of-the-art BLEU"),
        ("both pre-\nand post-training", "both pre- and post-training"),
        (
            "  indented\n   wrap  \n\nsecond paragraph\ncontinues",
            "indented wrap\n\nsecond paragraph continues",
        ),
    ],
)
def test_unwrap(text: str, expected: str):
    assert unwrap(text) == expected


def test_an_item_without_a_paper_is_named_in_a_warning(tmp_path: Path):
    data = [*json.loads(HF_DAY.read_text())[:1], {"thumbnail": "x.png"}]
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data, indent=2))
    built = build(tmp_path, path)
    line = json.dumps(data, indent=2).split("\n").index("  {", 2) + 1
    assert (
        f"Warning: {path}:{line} (/1): not a Daily Papers item (no paper object, no id and title), skipped"
        in built.result.stderr
    )


# ---------------------------------------------------------------------------------------
# Saved HTML


def test_a_saved_hf_page_is_read_through_its_embedded_json(tmp_path: Path):
    built = build(tmp_path, SOURCES / "hf_daily_page.html")
    assert built.column("SELECT ?id WHERE { ?p kg:arxivId ?id } ORDER BY ?id", "id") == [
        "1706.03762",
        "2109.00859",
    ]
    assert built.column("SELECT ?f WHERE { ?s kg:inputFormat ?f }", "f") == ["html"]


def test_html_without_papers_data_says_what_is_needed(tmp_path: Path):
    page = tmp_path / "paper.html"
    page.write_text(
        "<!DOCTYPE html><html><body><h1>Attention Is All You Need</h1><p>Abstract…</p></body></html>"
    )
    built = build(tmp_path, page, ok=False)
    assert built.result.exit_code == 1
    assert built.result.stderr == (
        f"Error: {page}: HTML page without Hugging Face papers data in it; save the page as text instead "
        "(select all, copy, paste into a .txt file), or fetch the list with `kg fetch hf`\n"
    )


# ---------------------------------------------------------------------------------------
# arXiv ids and DOIs


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
    assert (
        "arxiv: matched / unmatched / failed" in result.stdout and "2 / 3 / 0 (2 requests)" in result.stdout
    )
    assert "Warning: arXiv: 2 papers known only by DOI were not asked" in result.stderr
    assert (
        "Warning: 5 of 7 papers have no title (known only by arXiv id or DOI); enrichment did not find them"
        in (result.stderr)
    )
    shacl_conforms(out / "graph.ttl")


# ---------------------------------------------------------------------------------------
# BibTeX


def test_bibtex_keeps_decoded_titles_authors_dates_venues_and_ids(tmp_path: Path):
    built = build(tmp_path, SOURCES / "library.bib")
    rows = {
        r["title"]: r
        for r in built.rows(
            """SELECT ?title ?id ?same ?issued ?type ?venue WHERE {
                 ?p a schema:ScholarlyArticle ; dcterms:title ?title .
                 OPTIONAL { ?p kg:arxivId ?id } OPTIONAL { ?p owl:sameAs ?same FILTER STRSTARTS(STR(?same), "https://doi") }
                 OPTIONAL { ?p dcterms:issued ?issued BIND (STRAFTER(STR(DATATYPE(?issued)), "#") AS ?type) }
                 OPTIONAL { ?p kg:venue ?venue } }"""
        )
    }
    assert set(rows) == {
        "Attention is All you Need",
        "Long Short-Term Memory",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",  # nested braces
        "CodeT5: Identifier-aware Unified Pre-trained Encoder-Decoder Models for Code Understanding and Generation",
        "Segment Anything",
    }
    lstm = rows["Long Short-Term Memory"]
    assert (lstm["same"], lstm["issued"], lstm["type"], lstm["venue"]) == (
        "https://doi.org/10.1162/neco.1997.9.8.1735",
        "1997-11",
        "gYearMonth",
        "Neural Computation",  # an @string macro
    )
    bert = rows["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert (bert["id"], bert["issued"], bert["type"], bert.get("venue")) == (
        "1810.04805",
        "2018",
        "gYear",
        None,
    )
    attention = rows["Attention is All you Need"]
    assert (attention["id"], attention.get("same")) == ("1706.03762", None)  # arXiv's own DOI is the arXiv id
    assert rows["Segment Anything"]["id"] == "2304.02643"  # Mendeley's arxivId
    assert rows[
        "CodeT5: Identifier-aware Unified Pre-trained Encoder-Decoder Models for Code Understanding and Generation"
    ]["venue"].endswith("EMNLP 2021")
    names = built.column("SELECT ?name WHERE { ?a a foaf:Person ; foaf:name ?name }", "name")
    assert {"Jürgen Schmidhuber", "Łukasz Kaiser", "Piotr Dollár", "Shafiq R. Joty"} <= set(names)
    order = built.column(
        """SELECT ?name WHERE { ?p dcterms:title "Long Short-Term Memory" ; kg:authorship ?a .
             ?a kg:position ?n ; kg:author/foaf:name ?name } ORDER BY ?n""",
        "name",
    )
    assert order == ["Sepp Hochreiter", "Jürgen Schmidhuber"]
    assert built.column("SELECT ?r WHERE { ?p kg:repository ?r }", "r") == [
        "https://github.com/facebookresearch/segment-anything"
    ]
    abstract = built.column("SELECT ?a WHERE { ?p kg:arxivId '1706.03762' ; dcterms:abstract ?a }", "a")
    assert abstract and abstract[0].startswith("The dominant sequence transduction models")
    shacl_conforms(built.out / "graph.ttl")


def test_bibtex_latex_and_percent_signs(tmp_path: Path):
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@article{a, title = {{\\'E}tude {\\`a} 50% du co{\\^u}t: {\\em {Nested {Braces}}} -- {$\\alpha$}-Nets},\n"
        '  author = {M{\\"u}ller, J{\\"o}rg and de la Fontaine, Jean and Smith, Jr., John and others},\n'
        "  abstract = {Gains of 12% over \\textbf{all} baselines.}, year = 2020}\n"
    )
    built = build(tmp_path, bib)
    assert built.column("SELECT ?t WHERE { ?p dcterms:title ?t }", "t") == [
        "Étude à 50% du coût: Nested Braces – α-Nets"
    ]
    assert built.column("SELECT ?a WHERE { ?p dcterms:abstract ?a }", "a") == [
        "Gains of 12% over all baselines."
    ]
    names = built.column(
        "SELECT ?name WHERE { ?p kg:authorship ?a . ?a kg:position ?n ; kg:author/foaf:name ?name } ORDER BY ?n",
        "name",
    )
    assert names == ["Jörg Müller", "Jean de la Fontaine", "John Smith, Jr."]  # "and others" is no author


def test_a_broken_bibtex_entry_is_a_warning_and_the_rest_is_read(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{good, title = {First}, year = 2020}\n"
        "@misc{broken, title = {never closed\n"
        "@article{good, title = {Second}, year = 2021}\n"
        "@article{after, title = {Third}, year = 2022}\n"
        "@misc{empty, note = {nothing to know it by}}\n"
    )
    built = build(tmp_path, bib)
    assert built.column("SELECT ?t WHERE { ?p dcterms:title ?t } ORDER BY ?t", "t") == ["First", "Third"]
    assert built.result.stderr == (
        f"Warning: {bib}:2: not a readable BibTeX entry ('@misc{{broken, title = {{never closed'), skipped\n"
        f"Warning: {bib}:3: entry key 'good' used again, entry skipped\n"
        f"Warning: {bib}:5: entry 'empty' has no title, DOI or arXiv id, skipped\n"
    )


# ---------------------------------------------------------------------------------------
# One identity across sources


def test_an_hf_item_and_a_page_listing_are_one_paper(tmp_path: Path):
    built = build(tmp_path, PAGE, HF_DAY)
    rows = built.rows(
        """SELECT ?p (COUNT(DISTINCT ?s) AS ?sources) WHERE { ?p kg:arxivId "2109.00859" ; prov:wasDerivedFrom ?s }
           GROUP BY ?p"""
    )
    assert rows == [{"p": "https://w3id.org/kg/id/paper/arxiv-2109.00859", "sources": "2"}]
    codet5 = built.column("SELECT ?p WHERE { ?p dcterms:title ?t FILTER STRSTARTS(?t, 'CodeT5') }", "p")
    assert codet5 == ["https://w3id.org/kg/id/paper/arxiv-2109.00859"]


def test_every_source_at_once_gives_one_node_per_paper_with_every_provenance(tmp_path: Path):
    built = build(tmp_path, PAGE, SOURCES)
    counts = built.rows(
        """SELECT ?id (COUNT(?d) AS ?seen) WHERE { ?p kg:arxivId ?id ; prov:qualifiedDerivation ?d }
           GROUP BY ?id ORDER BY ?id"""
    )
    assert [(r["id"], r["seen"]) for r in counts] == [
        ("1706.03762", "5"),  # HF day, minified, saved page, ids.txt, library.bib
        ("1810.04805", "2"),
        ("2109.00859", "6"),  # + the saved page's text and the DBLP entry (by title, with its DOI)
        ("2304.02643", "4"),
        ("hep-th/9901001", "1"),
    ]
    codet5 = built.column("SELECT ?s WHERE { ?p kg:arxivId '2109.00859' ; owl:sameAs ?s } ORDER BY ?s", "s")
    assert codet5 == ["https://arxiv.org/abs/2109.00859", "https://doi.org/10.18653/v1/2021.emnlp-main.685"]
    lstm = built.column("SELECT ?p WHERE { ?p owl:sameAs <https://doi.org/10.1162/neco.1997.9.8.1735> }", "p")
    assert lstm == ["https://w3id.org/kg/id/paper/doi-10.1162_neco.1997.9.8.1735"]  # BibTeX + ids.txt
    assert built.column("SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:ScholarlyArticle }", "n") == ["9"]
    shacl_conforms(built.out / "graph.ttl")


def test_conflicting_values_are_reported_not_merged(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@inproceedings{v, title = {Attention Is All You Need (Extended)}, year = {2018},\n"
        "  author = {Vaswani, Ashish and Someone, Else}, eprint = {1706.03762}, archivePrefix = {arXiv}}\n"
        "@article{other, title = {Segment Anything}, eprint = {2401.00001}, archivePrefix = {arXiv}}\n"
    )
    built = build(tmp_path, HF_DAY, bib)
    stderr = built.result.stderr
    where = f"{HF_DAY.name}"
    assert (
        f"Warning: conflict for arXiv 1706.03762: title 'Attention Is All You Need' ({where}:63) vs "
        "'Attention Is All You Need (Extended)' (refs.bib:1); kept the first\n" in stderr
    )
    assert (
        f"Warning: conflict for arXiv 1706.03762: date '2017-06-12' ({where}:63) vs '2018' (refs.bib:1); kept the first\n"
        in stderr
    )
    assert (
        "Warning: conflict for arXiv 1706.03762: authors 'Ashish Vaswani, Noam Shazeer, Niki Parmar, … (8 names)'"
        in stderr
    )
    assert (
        f"Warning: same title 'Segment Anything' at {where}:144 and refs.bib:3, but arXiv ids 2304.02643 and "
        "2401.00001: kept apart\n" in stderr
    )
    kept = built.rows(
        "SELECT ?title ?issued WHERE { ?p kg:arxivId '1706.03762' ; dcterms:title ?title ; dcterms:issued ?issued }"
    )
    assert kept == [{"title": "Attention Is All You Need", "issued": "2017-06-12"}]
    assert len(built.column("SELECT ?p WHERE { ?p dcterms:title 'Segment Anything' }", "p")) == 2


def test_merge_without_ids_keeps_todays_rule():
    entries = load_sources([DATA / "pages"]).entries
    papers = merge_entries(entries)
    assert [p.key for p in papers] == sorted(p.key for p in papers)
    assert sum(len(p.occurrences) for p in papers) == len(entries)


# ---------------------------------------------------------------------------------------
# Bad inputs


def _bad(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "broken.json").write_text('[\n  {"paper": {"id": "1706.03762",\n  "title": "x"\n]\n')
    (tmp / "s2.json").write_text(json.dumps({"data": [{"paperId": "abc", "title": "A paper"}]}))
    (tmp / "empty.json").write_text("[]")
    csl = [
        {
            "id": "http://zotero.org/users/1/items/AB",
            "type": "article-journal",
            "title": "A paper",
            "author": [{"family": "Doe", "given": "Jane"}],
            "issued": {"date-parts": [[2020]]},
        }
    ]
    (tmp / "zotero.json").write_text(json.dumps(csl))
    (tmp / "junk.bib").write_text("this is not BibTeX\nat all\n")
    (tmp / "only-bad-ids.txt").write_text("1713.03762\nnot-an-id\n")
    (tmp / "other.html").write_text("<!doctype html><html><body><p>Hello</p></body></html>")
    return {
        "invalid-json": (tmp / "broken.json", "not valid JSON (Expecting ',' delimiter, column 1)"),
        "other-json": (
            tmp / "s2.json",
            "JSON, but not Hugging Face papers data (expected the array `GET /api/daily_papers` returns, "
            "or a paper with id and title)",
        ),
        "empty-json": (
            tmp / "empty.json",
            "JSON, but not Hugging Face papers data (expected the array "
            "`GET /api/daily_papers` returns, or a paper with id and title)",
        ),
        "not-bibtex": (tmp / "junk.bib", "no BibTeX entries with a title, DOI or arXiv id found"),
        "csl-json": (
            tmp / "zotero.json",
            "CSL JSON (a reference manager's export) is not read; export the library as BibTeX instead",
        ),
        "no-html-data": (
            tmp / "other.html",
            "HTML page without Hugging Face papers data in it; save the page as text instead (select all, copy, "
            "paste into a .txt file), or fetch the list with `kg fetch hf`",
        ),
    }


BAD = ["invalid-json", "other-json", "empty-json", "csl-json", "not-bibtex", "no-html-data"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_line_naming_the_file(tmp_path: Path, case: str):
    path, problem = _bad(tmp_path)[case]
    built = build(tmp_path, path, ok=False)
    where = f"{path}:4" if case == "invalid-json" else str(path)
    assert built.result.exit_code == 1
    assert built.result.stderr == f"Error: {where}: {problem}\n"
    assert not built.out.exists() or not any(built.out.iterdir())


@pytest.mark.parametrize("case", BAD)
def test_skip_bad_warns_about_each_bad_format_and_builds_the_rest(tmp_path: Path, case: str):
    path, problem = _bad(tmp_path)[case]
    built = build(tmp_path, HF_DAY, path, "--skip-bad")
    where = f"{path}:4" if case == "invalid-json" else str(path)
    assert f"Warning: skipped {where}: {problem}\n" in built.result.stderr
    assert len(built.column("SELECT ?p WHERE { ?p a schema:ScholarlyArticle }", "p")) == 3


def test_ids_forced_on_a_file_without_ids(tmp_path: Path):
    path = _bad(tmp_path)["invalid-json"][0].with_name("only-bad-ids.txt")
    built = build(tmp_path, path, "--input-format", "ids", ok=False)
    assert built.result.stderr == (
        f"Error: {path}: no arXiv ids or DOIs found (expected one a line, e.g. 1706.03762 or 10.1000/xyz)\n"
    )


# ---------------------------------------------------------------------------------------
# Input resolution: each file once, and no endless loop (issue 17, item 1)


def _tree(tmp: Path) -> Path:
    root = tmp / "in"
    (root / "sub").mkdir(parents=True)
    shutil.copy(PAGE, root / "x.txt")
    shutil.copy(HF_DAY, root / "sub" / "day.json")
    (root / "sub" / "up").symlink_to("..")  # a folder link back up its own tree
    (root / "alias.txt").symlink_to("x.txt")
    return root


def test_a_file_named_twice_is_read_once_with_a_note(tmp_path: Path):
    root = _tree(tmp_path)
    again = root / ".." / "in" / "x.txt"
    built = build(tmp_path, root / "x.txt", again, root / "alias.txt")
    assert built.result.stderr.splitlines() == [
        f"Note: {again}: same file as {root / 'x.txt'}, read once",
        f"Note: {root / 'alias.txt'}: same file as {root / 'x.txt'}, read once",
    ]
    assert built.column("SELECT ?f WHERE { ?s dcterms:source ?f }", "f") == ["x.txt"]


def test_folders_and_double_star_globs_do_not_follow_links_back_into_the_tree(tmp_path: Path):
    root = _tree(tmp_path)
    for inputs in ([root], [f"{root}/**/*.txt", f"{root}/**/*.json"], [f"{root}/**"]):
        # In a separate process with a time limit: a regression would loop, not fail.
        run = subprocess.run(
            [sys.executable, "-m", "kg", "build", *map(str, inputs), "--out", str(tmp_path / "o"), "-q"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert run.returncode == 0, run.stderr
        assert "same file as" in run.stderr  # alias.txt is x.txt
    resolved = resolve_inputs([root])
    # alias.txt comes first in the walk, so x.txt is the name read once more
    assert [p.relative_to(root).as_posix() for p in resolved.files] == ["alias.txt", "sub/day.json"]
    assert resolved.notes == [f"{root / 'x.txt'}: same file as {root / 'alias.txt'}, read once"]


def test_source_names_end_even_for_one_file_named_twice(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    (tmp_path / "sub").mkdir()
    names = source_names([path, tmp_path / "sub" / ".." / "a.txt"])
    assert sorted(names.values()) == sorted({names[path], names[path] + "#2"})


def test_a_glob_matching_nothing_and_an_empty_folder_are_errors(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no files match this pattern"):
        resolve_inputs([f"{tmp_path}/**/*.bib"])
    with pytest.raises(InputError, match=r"folder holds no input files"):
        resolve_inputs([tmp_path / "empty"])


def test_every_kg_term_of_every_format_is_in_the_vocabulary(tmp_path: Path):
    from rdflib import RDFS, Graph

    built = build(tmp_path, PAGE, SOURCES)
    vocab = Graph().parse(ROOT / "kg" / "data" / "vocab.ttl")
    used = {p for p in Graph().parse(built.out / "graph.ttl").predicates() if str(p).startswith(PREFIXES_KG)}
    assert {"titleMissing", "upvotes", "jsonPointer", "inputFormat"} <= {
        str(p)[len(PREFIXES_KG) :] for p in used
    }
    for term in used:
        assert vocab.value(term, RDFS.label) is not None and vocab.value(term, RDFS.comment) is not None, term


PREFIXES_KG = "https://w3id.org/kg/vocab#"


@pytest.mark.parametrize(
    ("paper", "conforms"),
    [
        ("kg:titleMissing true", True),
        ('dcterms:title "T"', True),
        ('dcterms:title "T" ; kg:titleMissing true', False),
        ("kg:upvotes 3", False),  # neither a title nor the flag
        ('dcterms:title "T" ; dcterms:issued "2017"^^xsd:gYear ; kg:upvotes -1', False),
    ],
)
def test_shapes_want_a_title_or_the_missing_flag(paper: str, conforms: bool):
    pyshacl = pytest.importorskip("pyshacl")
    from rdflib import Graph

    data = Graph().parse(
        data=PREFIXES
        + f"""<http://x/s> a prov:Entity ; dcterms:source "ids.txt" ; kg:inputFormat "ids" .
        <http://x/p> a schema:ScholarlyArticle ; {paper} ; kg:abstractMissing true ;
            prov:wasDerivedFrom <http://x/s> ; prov:qualifiedDerivation <http://x/d> .
        <http://x/d> a prov:Derivation ; prov:entity <http://x/s> ; kg:line 2 .""",
        format="turtle",
    )
    result, _, report = pyshacl.validate(data, shacl_graph=Graph().parse(ROOT / "kg" / "data" / "shapes.ttl"))
    assert result is conforms, report


def test_a_saved_paper_page_is_read_through_its_paper_props(tmp_path: Path):
    import html as html_module

    paper = json.loads((SOURCES / "hf_paper_2304.02643.json").read_text())
    props = html_module.escape(
        json.dumps({"paper": paper, "canonical": "https://huggingface.co/papers/2304.02643"})
    )
    page = tmp_path / "Segment Anything.html"
    page.write_text(
        f'<!DOCTYPE html>\n<html><body>\n<div data-target="PaperPage" data-props="{props}"></div>\n</body></html>\n'
    )
    built = build(tmp_path, page)
    rows = built.rows(
        "SELECT ?id ?pointer WHERE { ?p kg:arxivId ?id ; prov:qualifiedDerivation/kg:jsonPointer ?pointer }"
    )
    assert rows == [{"id": "2304.02643", "pointer": "/PaperPage"}]  # the props hold the paper as an item does


def test_every_format_builds_byte_identical_across_hash_seeds(tmp_path: Path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "kg",
                "build",
                str(PAGE),
                str(SOURCES),
                "--out",
                str(out),
                "-q",
                "-f",
                "nt",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert run.returncode == 0, run.stderr
        outputs.append((out / "graph.nt").read_bytes())
    assert outputs[0] == outputs[1]
