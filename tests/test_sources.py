"""Every input format through the real CLI: detection, Hugging Face JSON, saved HTML, one
identity across sources, bad inputs, and the vocabulary and shapes of what they give."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import app
from kg.sources import detect_format, load_sources, merge_entries
from kg.sources.hf import unwrap
from tests.conftest import DATA, ROOT
from tests.sources_build import HF_DAY, PAGE, PREFIXES, SOURCES, build, runner, shacl_conforms

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
    assert built.result.exit_code == 3
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
        "https://segment-anything.com"  # the root page is the site
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
    assert built.result.exit_code == 3
    assert built.result.stderr == (
        f"Error: {page}: HTML page without Hugging Face papers data in it; save the page as text instead "
        "(select all, copy, paste into a .txt file), or fetch the list with `kg fetch hf`\n"
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
    assert built.result.exit_code == 3
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


def test_a_merge_warning_names_the_items_of_a_json_array_on_one_line():
    from kg.model import Entry, Occurrence

    entries = [
        Entry("Segment Anything", None, Occurrence("day.json", 1, f"/{i}"), arxiv_id=arxiv)
        for i, arxiv in enumerate(["2304.02643", "2401.00001"])
    ]
    warnings: list[str] = []
    merge_entries(entries, warnings)
    assert any("at day.json:1 (/0) and day.json:1 (/1)" in w for w in warnings), warnings
