from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph
from typer.testing import CliRunner

from kg import pipeline
from kg.ask.query import bundled_queries, load_store, queries_dir, resolve_query, run_query
from kg.cli import app
from tests.conftest import DATA, ROOT

runner = CliRunner()
CITATIONS = DATA / "citations.ttl"


def q(*args: str):
    return runner.invoke(app, ["query", *args])


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[pipeline.BuildResult, Path]:
    out = tmp_path_factory.mktemp("qexports")
    result = pipeline.build(out=out)
    return result, out / "graph.ttl"


def test_every_bundled_query_has_a_description_and_a_test():
    names = {query.name for query in bundled_queries()}
    assert len(names) >= 10
    tested = Path(__file__).read_text()
    for query in bundled_queries():
        assert query.description, query.name
        assert f'"{query.name}"' in tested, f"no test runs {query.name}"


def test_list_shows_every_query_with_its_description():
    result = q("--list")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    for query in bundled_queries():
        assert query.name in flat
    assert "Concepts tagging the most papers" in flat


def test_top_concepts_csv_matches_the_extractor(built):
    result, ttl = built
    out = q("top-concepts", "--data", str(ttl), "--format", "csv")
    assert out.exit_code == 0
    rows = csv_rows(out.stdout)
    expected = sorted(
        ((c.label, c.papers) for c in result.concepts.concepts.values()), key=lambda x: (-x[1], x[0])
    )
    assert [(r["label"], int(r["papers"])) for r in rows] == expected[:40]


def test_papers_for_concept_by_acronym_json_is_sparql_results_json(built):
    result, ttl = built
    out = q("papers-for-concept", "-d", str(ttl), "-f", "json", "--param", "label=LLM")
    assert out.exit_code == 0
    doc = json.loads(out.stdout)
    # W3C SPARQL 1.1 Query Results JSON: head.vars, results.bindings of {type, value[, datatype|xml:lang]}
    assert set(doc) == {"head", "results"} and doc["head"]["vars"] == [
        "paper",
        "title",
        "score",
        "concept",
        "label",
    ]
    for binding in doc["results"]["bindings"]:
        for var, term in binding.items():
            assert var in doc["head"]["vars"]
            assert term["type"] in {"uri", "literal", "bnode"} and isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "datatype", "xml:lang"}
    llm = next(k for k, c in result.concepts.concepts.items() if "LLM" in c.alt_labels)
    tagged = {p for p, tags in result.concepts.tags.items() if any(k == llm for k, _ in tags)}
    got = {b["paper"]["value"].rsplit("/", 1)[1] for b in doc["results"]["bindings"]}
    assert got == tagged


def test_similar_papers_are_ranked_by_weight(built):
    result, ttl = built
    title = "Scaling Laws for Speculative Decoding"
    out = q("similar-papers", "-d", str(ttl), "-f", "tsv", "-p", f"title={title}")
    assert out.exit_code == 0
    lines = out.stdout.strip().splitlines()
    weights = [float(line.split("\t")[3].split("^^")[0].strip('"')) for line in lines[1:]]
    assert weights and weights == sorted(weights, reverse=True)
    key = next(p.key for p in result.papers if p.title == title)
    neighbours = set()
    for a, b, e in result.graph.edges(data=True):
        if e["rel"] == "similar" and f"paper:{key}" in (a, b):
            neighbours.add(b if a == f"paper:{key}" else a)
    assert len(lines) - 1 == len(neighbours)


def test_narrower_concepts_follow_the_hierarchy_down(built):
    result, ttl = built
    concepts = result.concepts.concepts
    decoding = next(k for k, c in concepts.items() if k == "decoding")
    rows = csv_rows(q("narrower-concepts", "-d", str(ttl), "-f", "csv", "-p", "label=decoding").stdout)

    def below(key: str) -> bool:
        seen = concepts[key].broader
        while seen is not None:
            if seen == decoding:
                return True
            seen = concepts[seen].broader
        return False

    expected = {(concepts[k].label, concepts[k].papers) for k in concepts if below(k)}
    assert {(r["narrower"], int(r["papers"])) for r in rows} == expected
    assert "speculative decoding" in {r["narrower"] for r in rows}
    assert all(r["broader"] == concepts[decoding].label for r in rows)


def test_owners_with_most_papers(built):
    result, ttl = built
    rows = csv_rows(q("owners-with-most-papers", "-d", str(ttl), "-f", "csv").stdout)
    per_owner = Counter()
    for paper in result.papers:
        for owner in {link.owner for link in paper.links if link.kind.value == "repo"}:
            per_owner[owner] += 1
    assert {r["owner"]: int(r["papers"]) for r in rows} == dict(per_owner)


def test_papers_without_code(built):
    result, ttl = built
    rows = csv_rows(q("papers-without-code", "-d", str(ttl), "-f", "csv").stdout)
    expected = sorted(
        p.title for p in result.papers if not any(link.kind.value == "repo" for link in p.links)
    )
    assert sorted(r["title"] for r in rows) == expected


def test_concept_cooccurrence(built):
    result, ttl = built
    rows = csv_rows(q("concept-cooccurrence", "-d", str(ttl), "-f", "csv").stdout)
    assert rows and all(int(r["support"]) >= 2 for r in rows)
    top = rows[0]
    both = [
        tags
        for tags in result.concepts.tags.values()
        if {result.concepts.concepts[k].label for k, _ in tags} >= {top["labelA"], top["labelB"]}
    ]
    assert len(both) == int(top["support"])


def test_paper_mentions(built):
    _, ttl = built
    rows = csv_rows(q("paper-mentions", "-d", str(ttl), "-f", "csv").stdout)
    pairs = {(r["title"].split(":")[0], r["mentionedTitle"].split(":")[0]) for r in rows}
    assert ("RaftMLP", "MLP-Mixer") in pairs


def test_papers_per_source_in_the_table_format(built):
    _, ttl = built
    out = q("papers-per-source", "-d", str(ttl))
    assert out.exit_code == 0
    for path in sorted(pipeline.sample_corpus().glob("*.txt")):
        assert path.name in out.stdout
    assert "--03-11" in out.stdout


def test_citations_in_corpus_on_enriched_data():
    rows = csv_rows(q("citations-in-corpus", "-d", str(CITATIONS), "-f", "csv").stdout)
    assert sorted((r["citingTitle"][:8], r["citedTitle"][:8]) for r in rows) == [
        ("BERT: Pr", "Attentio"),
        ("Language", "Attentio"),
        ("Language", "BERT: Pr"),
    ]


def test_prior_works_counts_citing_papers():
    rows = csv_rows(q("prior-works", "-d", str(CITATIONS), "-f", "csv").stdout)
    assert [(r["title"][:12], r["citedBy"]) for r in rows] == [("Neural Machi", "2"), ("Deep Residua", "1")]


def test_coupled_and_co_cited_papers_with_their_counts():
    coupled = csv_rows(q("coupled-papers", "-d", str(CITATIONS), "-f", "csv").stdout)
    assert [(r["titleA"][:4], r["titleB"][:8], r["sharedReferences"]) for r in coupled] == [
        ("BERT", "Language", "2")
    ]
    cocited = csv_rows(q("co-cited-papers", "-d", str(CITATIONS), "-f", "csv").stdout)
    assert [(r["titleA"][:9], r["titleB"][:4], r["coCitations"], r["weight"]) for r in cocited] == [
        ("Attention", "BERT", "2", "0.7071")
    ]


def test_derivative_works_cite_two_corpus_papers_or_more():
    rows = csv_rows(q("derivative-works", "-d", str(CITATIONS), "-f", "csv").stdout)
    assert [(r["title"], r["year"], r["citesCorpusPapers"]) for r in rows] == [
        ("A Survey of Transformers", "2021", "3")
    ]


def test_most_cited_in_corpus_with_overall_counts():
    rows = csv_rows(q("most-cited-in-corpus", "-d", str(CITATIONS), "-f", "csv").stdout)
    assert [(r["title"][:9], r["citedInCorpus"], r["citationCount"]) for r in rows] == [
        ("Attention", "2", "100000"),
        ("BERT: Pre", "1", "80000"),
    ]


def test_ask_sets_the_exit_code(built):
    _, ttl = built
    yes = q("ASK { ?p a schema:ScholarlyArticle }", "-d", str(ttl))
    no = q("ASK { ?p a schema:Movie }", "-d", str(ttl))
    assert (yes.exit_code, yes.stdout.strip()) == (0, "true")
    assert (no.exit_code, no.stdout.strip()) == (1, "false")


def test_construct_writes_turtle(built):
    _, ttl = built
    out = q("CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c skos:prefLabel ?l } LIMIT 3", "-d", str(ttl))
    assert out.exit_code == 0
    assert len(Graph().parse(data=out.stdout, format="turtle")) == 3


def test_query_from_a_file(tmp_path: Path, built):
    _, ttl = built
    path = tmp_path / "count.rq"
    path.write_text("# Count papers.\nSELECT (COUNT(*) AS ?n) WHERE { ?p a schema:ScholarlyArticle }\n")
    rows = csv_rows(q(str(path), "-d", str(ttl), "-f", "csv").stdout)
    assert rows == [{"n": str(len(built[0].papers))}]


def test_param_is_bound_not_pasted(built):
    _, ttl = built
    hostile = 'LLM" } UNION { ?paper ?p ?o'
    out = q("papers-for-concept", "-d", str(ttl), "-f", "csv", "-p", f"label={hostile}")
    assert out.exit_code == 0 and csv_rows(out.stdout) == []


def test_syntax_error_has_line_and_column_and_exit_2(built):
    _, ttl = built
    out = q("SELECT ?x WHERE {\n  ?x a\n}", "-d", str(ttl))
    assert out.exit_code == 2
    assert out.stderr == (
        "Error: SPARQL syntax error in inline: the query ends too early (line 3, column 2): "
        "something is missing before its end\n"
    )


def test_unknown_name_suggests_close_matches(built):
    out = q("top-concept", "-d", str(built[1]))
    assert out.exit_code == 2
    assert (
        out.stderr
        == "Error: no bundled query named 'top-concept'; did you mean top-concepts, narrower-concepts, papers-for-concept?\n"
    )


def test_missing_data_says_to_build(tmp_path: Path):
    out = q("top-concepts", "-d", str(tmp_path / "graph.ttl"))
    assert out.exit_code == 3
    assert out.stderr == f"Error: {tmp_path / 'graph.ttl'}: no such data file (run `kg build` first)\n"


def test_missing_parameter_is_named(built):
    out = q("papers-for-concept", "-d", str(built[1]))
    assert out.exit_code == 2
    assert "needs --param label=..." in out.stderr


def test_bundled_queries_ship_with_the_package():
    assert queries_dir().is_dir()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"queries" = "kg/queries"' in pyproject


@pytest.mark.parametrize(
    ("name", "params"),
    [("top-concepts", {}), ("papers-per-source", {}), ("paper-mentions", {}), ("papers-without-code", {})],
)
def test_oxigraph_answers_like_rdflib(built, name: str, params: dict[str, str]):
    _, ttl = built
    query = resolve_query(name)
    ox_rows = {
        tuple(str(row[v.value].value) if row[v.value] is not None else None for v in result.variables)
        for result in [run_query(load_store([ttl]), query, params)]
        for row in result
    }
    graph = Graph().parse(ttl)
    rd_rows = {tuple(str(x) if x is not None else None for x in row) for row in graph.query(query.text)}
    assert ox_rows == rd_rows


def test_papers_by_month_orders_dated_papers_and_leaves_month_empty_for_a_year(tmp_path: Path):
    sources = DATA / "sources"
    pipeline.build([sources / "library.bib", sources / "hf_daily_2024-10-25.json"], out=tmp_path)
    rows = csv_rows(q("papers-by-month", "-d", str(tmp_path / "graph.ttl"), "-f", "csv").stdout)
    assert [(r["year"], r["month"], r["issued"], r["arxivId"]) for r in rows] == [
        ("1997", "11", "1997-11", ""),  # BibTeX year and month
        ("2017", "06", "2017-06-12", "1706.03762"),  # HF publishedAt refines BibTeX's 2017 jun
        ("2018", "", "2018", "1810.04805"),  # BibTeX year alone
        ("2021", "09", "2021-09-02", "2109.00859"),
        ("2023", "04", "2023-04-05", "2304.02643"),
    ]
    assert rows[0]["title"] == "Long Short-Term Memory"


def test_a_parameter_is_matched_to_the_labels_as_written_then_joined_exactly(built):
    from kg.ask.query import match_values

    _, ttl = built
    store = load_store([ttl])
    query = resolve_query("papers-for-concept")
    matched = match_values(store, query, {"label": "llm"})
    assert [t.value for t in matched["label"]] == ["LLM"]
    assert match_values(store, query, {"label": "no such concept"}) == {"label": []}
    # The exact join gives what the typed value would give, in any case.
    exact = {r["paper"].value for r in run_query(store, query, {"label": "LLM"})}
    folded = {r["paper"].value for r in run_query(store, query, {"label": "llm"}, matched)}
    assert exact and folded == exact


def test_papers_by_category_lists_primary_and_cross_listed_papers_primary_first(tmp_path: Path):
    snapshot = DATA / "snapshot" / "arxiv-metadata.jsonl"
    pipeline.build([snapshot], out=tmp_path)
    records = [json.loads(line) for line in snapshot.read_text(encoding="utf-8").splitlines()]
    out = q("papers-by-category", "-d", str(tmp_path / "graph.ttl"), "-f", "csv", "-p", "category=cs.CL")
    assert out.exit_code == 0, out.output
    rows = csv_rows(out.stdout)
    listed = [r for r in records if "cs.CL" in r["categories"].split()]
    expected = sorted(
        ((r["id"], str(r["categories"].split()[0] == "cs.CL").lower()) for r in listed),
        key=lambda x: (x[1] != "true",),
    )
    assert [(r["arxivId"], r["primary"]) for r in rows] == expected
    assert {r["name"] for r in rows} == {"Computation and Language"}


@pytest.mark.parametrize(
    "text",
    [
        # over 255 bytes and no `/`: no file name can be this long
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o . FILTER(?o != " + '"' + "x" * 300 + '"' + ") }",
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o }  " + "#" * 5000,
        "SELECT (COUNT(?s) AS ?n) WHERE { ?s ?p ?o . FILTER(?o != " + '"a\x00b"' + ") }",
    ],
)
def test_long_one_line_query_text_is_run_as_sparql_never_tried_as_a_path(built, text: str):
    _, ttl = built
    out = q(text, "-d", str(ttl), "-f", "csv")
    assert out.exit_code == 0, out.output
    assert int(csv_rows(out.stdout)[0]["n"]) > 0


def test_a_query_file_that_is_not_there_is_named(tmp_path: Path, built):
    out = q(str(tmp_path / "nope.rq"), "-d", str(built[1]))
    assert out.exit_code == 3
    assert out.stderr == f"Error: {tmp_path / 'nope.rq'}: no such query file\n"
