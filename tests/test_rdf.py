from __future__ import annotations

import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDFS, XSD, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg import pipeline
from kg.ask.query import load_store, select
from kg.errors import ConfigError, KgError
from kg.export.rdf import KG_VOCAB, Minter, listing_date, to_rdf
from tests.conftest import DATA, ROOT

SHAPES = ROOT / "kg" / "data" / "shapes.ttl"
PREFIXES = """
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX kg: <https://w3id.org/kg/vocab#>
"""


def test_seed_build_conforms_to_the_shacl_shapes(seed_ttl: Path):
    pyshacl = pytest.importorskip("pyshacl")
    data = Graph().parse(seed_ttl)
    conforms, _, report = pyshacl.validate(data, shacl_graph=Graph().parse(SHAPES), inference="none")
    assert conforms, report


def test_shapes_reject_a_paper_without_provenance():
    pyshacl = pytest.importorskip("pyshacl")
    broken = Graph().parse(
        data=PREFIXES + "<http://x/p> a schema:ScholarlyArticle ; dcterms:title 'T' ; dcterms:abstract 'A' .",
        format="turtle",
    )
    conforms, _, report = pyshacl.validate(broken, shacl_graph=Graph().parse(SHAPES), inference="none")
    assert not conforms and "wasDerivedFrom" in report


def test_vocabulary_documents_every_kg_term_used(seed_ttl: Path):
    vocab = Graph().parse(ROOT / "kg" / "data" / "vocab.ttl")
    used = {p for p in Graph().parse(seed_ttl).predicates() if str(p).startswith(KG_VOCAB)}
    assert used
    for term in used:
        assert vocab.value(term, RDFS.label) is not None, term
        assert vocab.value(term, RDFS.comment) is not None, term


def test_two_builds_are_byte_identical_whatever_the_input_order(tmp_path: Path):
    seeds = sorted(pipeline.sample_corpus().glob("*.txt"))
    a = pipeline.build(seeds, out=tmp_path / "a", formats=["ttl", "nt", "jsonld"])
    b = pipeline.build(list(reversed(seeds)), out=tmp_path / "b", formats=["ttl", "nt", "jsonld"])
    for pa, pb in zip(a.outputs, b.outputs, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_all_formats_carry_the_same_graph(tmp_path: Path):
    result = pipeline.build(out=tmp_path, formats=["ttl", "nt", "jsonld"])
    ttl, nt, jsonld = (Graph().parse(p) for p in result.outputs[:3])
    assert len(ttl) == result.triples
    assert isomorphic(ttl, nt) and isomorphic(ttl, jsonld)


def test_to_rdf_matches_the_written_export(seed_build: pipeline.BuildResult, seed_ttl: Path):
    assert isomorphic(to_rdf(seed_build.graph), Graph().parse(seed_ttl))


def test_each_place_a_paper_was_seen_is_queryable_with_its_line(seed_ttl: Path):
    title = "Adaptive Draft-Verification for Efficient Large Language Model Decoding"
    rows = select(
        load_store([seed_ttl]),
        PREFIXES
        + f"""
        SELECT ?file ?line WHERE {{
          ?p dcterms:title "{title}" ;
             prov:qualifiedDerivation [ prov:entity [ dcterms:source ?file ] ; kg:line ?line ] .
        }} ORDER BY ?file ?line""",
    )
    seen = []
    for path in sorted(pipeline.sample_corpus().glob("*.txt")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.strip().removeprefix("Subscribe") == title:
                seen.append({"file": path.name, "line": str(number)})
    assert rows == seen and len(seen) == 5


def test_papers_sharing_an_owner_meet_at_the_owner_node(seed_ttl: Path):
    rows = select(
        load_store([seed_ttl]),
        PREFIXES
        + """
        SELECT ?name (COUNT(DISTINCT ?p) AS ?n) WHERE {
          ?p kg:repository/kg:owner ?o . ?o foaf:name ?name
        } GROUP BY ?name HAVING (COUNT(DISTINCT ?p) > 1) ORDER BY DESC(?n) ?name""",
    )
    names = {r["name"].lower(): int(r["n"]) for r in rows}
    # microsoft: SimXNS, deep-language-networks, SpeechT5 (twice, different sub-paths) ...
    assert names["microsoft"] >= 3
    assert names["salesforce"] == 2  # CodeT5 and CodeGen2


def test_case_variants_of_a_repo_give_one_repository_node(seed_ttl: Path):
    rows = select(
        load_store([seed_ttl]),
        PREFIXES
        + """
        SELECT ?r (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:repository ?r .
          FILTER(CONTAINS(LCASE(STR(?r)), "megatron-lm")) } GROUP BY ?r""",
    )
    assert rows == [{"r": "https://github.com/nvidia/megatron-lm", "n": "2"}]


def test_title_without_abstract_is_flagged(tmp_path: Path):
    result = pipeline.build([DATA / "pages" / "blank_layout.txt"], out=tmp_path)
    rows = select(
        load_store(result.outputs[:1]),
        PREFIXES
        + """
        SELECT ?t WHERE { ?p kg:abstractMissing true ; dcterms:title ?t } ORDER BY ?t""",
    )
    assert [r["t"] for r in rows] == [
        "SVTRv2: CTC Beats Encoder-Decoder Models in Scene Text Recognition",
        "Scaling Laws for Speculative Decoding",
    ]


@pytest.mark.parametrize(
    ("text", "value", "datatype"),
    [
        ("Mar 11", "--03-11", "gMonthDay"),
        ("Aug 18", "--08-18", "gMonthDay"),
        ("Dec 31, 2024", "2024-12-31", "date"),
    ],
)
def test_listing_dates_are_typed(text: str, value: str, datatype: str):
    lit = listing_date(text)
    assert str(lit) == value and str(lit.datatype).endswith(datatype)


def test_base_iri_is_used_and_checked(tmp_path: Path):
    result = pipeline.build(
        [DATA / "pages" / "line_layout.txt"], out=tmp_path, base="https://example.org/lab/"
    )
    store = load_store(result.outputs[:1])
    papers = select(store, PREFIXES + "SELECT ?p WHERE { ?p a schema:ScholarlyArticle }")
    assert papers and all(r["p"].startswith("https://example.org/lab/paper/") for r in papers)
    with pytest.raises(ConfigError):
        Minter("not an iri")


def test_export_loads_in_oxigraph_with_same_triple_count(seed_build: pipeline.BuildResult, seed_ttl: Path):
    store = ox.Store()
    store.bulk_load(path=str(seed_ttl), format=ox.RdfFormat.TURTLE)
    assert len(store) == seed_build.triples


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_the_serializer_process_writes_the_same_bytes(
    seed_build: pipeline.BuildResult, tmp_path: Path, monkeypatch, fmt: str
):
    from kg.export import rdf, serialize

    here = rdf.write_graph(seed_build.graph, tmp_path / f"here.{fmt}", fmt)
    started = []
    real_popen = serialize.subprocess.Popen

    def spy(*args, **kwargs):
        started.append(args[0][:2])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(rdf, "SERIALIZER_MIN_EDGES", 0)
    monkeypatch.setattr(rdf, "CHUNK_CHARS", 10_000)  # many pieces through the pipe
    monkeypatch.setattr(serialize.subprocess, "Popen", spy)
    pieces = []
    real_send = serialize._Serializers.send
    monkeypatch.setattr(
        serialize._Serializers, "send", lambda self, data, *mark: pieces.append(real_send(self, data, *mark))
    )
    there = rdf.write_graph(seed_build.graph, tmp_path / f"there.{fmt}", fmt)
    # N-Triples is kg's own text, written by this process: no serializer starts for it.
    assert started == ([] if fmt == "nt" else [[sys.executable, "-c"]])
    assert len(pieces) > 100
    assert here == there == seed_build.triples
    assert (tmp_path / f"here.{fmt}").read_bytes() == (tmp_path / f"there.{fmt}").read_bytes()


def test_the_n_triples_file_is_what_oxigraph_writes_of_it(seed_build: pipeline.BuildResult, tmp_path: Path):
    """kg writes its N-Triples text as the file, unparsed: it must be Oxigraph's own writing of
    the same triples, byte for byte, down to the escapes of control characters."""
    import io

    from kg.export import rdf
    from kg.export.ntriples import string

    rdf.write_graph(seed_build.graph, tmp_path / "graph.nt", "nt")
    ours = (tmp_path / "graph.nt").read_bytes()
    odd = "".join(map(chr, range(0x20))) + '\x7f\x80 tab\tquote" back\\slash \u2028\ufeff é'
    ours += f"<https://example.org/a> <https://example.org/b> {string(odd)} .\n".encode()
    written = io.BytesIO()
    ox.serialize(ox.parse(ours, ox.RdfFormat.N_TRIPLES), written, ox.RdfFormat.N_TRIPLES)
    assert written.getvalue() == ours
    (literal,) = [t.object for t in ox.parse(ours.splitlines(keepends=True)[-1], ox.RdfFormat.N_TRIPLES)]
    assert literal.value == odd


def test_a_failing_serializer_process_is_a_one_line_error(
    seed_build: pipeline.BuildResult, tmp_path: Path, monkeypatch
):
    from kg.export import rdf

    monkeypatch.setattr(rdf, "SERIALIZER_MIN_EDGES", 0)
    with pytest.raises(KgError, match=r"^graph\.ttl: RDF serializer failed: .*(No such file|not found)"):
        rdf.write_graph(seed_build.graph, tmp_path / "missing" / "graph.ttl", "ttl")


def test_an_invalid_iri_in_the_data_is_left_out_not_fatal(tmp_path: Path):
    """Nothing one paper writes fails the export: an IRI Oxigraph refuses is dropped and reported."""
    from kg.export import rdf

    corpus = pipeline.build_corpus([DATA / "pages" / "line_layout.txt"])
    repo = next(n for n, kind in corpus.graph.nodes(data="kind") if kind == "repo")
    corpus.graph.nodes[repo]["iri"] = "https://github.com/a b/c"
    dropped: list[str] = []
    rdf.write_graphs(corpus.graph, {"ttl": tmp_path / "graph.ttl"}, separate=False, dropped=dropped)
    assert dropped == ["https://github.com/a b/c"]
    assert "a b/c" not in (tmp_path / "graph.ttl").read_text(encoding="utf-8")


def test_a_build_in_worker_processes_writes_the_same_files(tmp_path: Path, monkeypatch):
    from kg import parallel
    from kg.export import rdf, serialize

    # Every stage that can use workers or a serializer process does so, even on the sample.
    monkeypatch.setattr(parallel, "PARALLEL_MIN_PAPERS", 1)
    monkeypatch.setattr(rdf, "SERIALIZER_MIN_EDGES", 0)
    calls: list[tuple[bool, int | None]] = []
    real_run_jobs = pipeline.run_jobs

    def spy(jobs, *, parallel=True, workers=None, progress=None):
        calls.append((parallel, workers))
        return real_run_jobs(jobs, parallel=parallel, workers=workers, progress=progress)

    serializers = []
    real_popen = serialize.subprocess.Popen

    def popen(command, **options):
        serializers.append(command[3])  # the format
        return real_popen(command, **options)

    beside: list[tuple[bool, bool]] = []
    real_background = pipeline.Background

    def background(job, *, parallel=True, forks=False):
        beside.append((parallel, forks))
        return real_background(job, parallel=parallel, forks=forks)

    monkeypatch.setattr(pipeline, "run_jobs", spy)
    monkeypatch.setattr(pipeline, "Background", background)
    monkeypatch.setattr(serialize.subprocess, "Popen", popen)
    serial = pipeline.build(out=tmp_path / "serial", formats=["ttl", "nt"], jobs=1)
    # links, then the similar papers (always here, with the progress they count)
    assert calls == [(False, 1), (False, None)]
    # the words, the concepts (whose readers are workers), then the mentions and related concepts: here
    assert beside == [(False, False), (False, True), (False, False)]
    assert serializers == []  # and the RDF is serialized here too
    calls.clear()
    beside.clear()
    forked = pipeline.build(out=tmp_path / "forked", formats=["ttl", "nt"], jobs=3)
    assert calls == [(True, 3), (False, None)]
    assert beside == [(True, False), (True, True), (True, False)]  # in processes of their own
    # The store is loaded by a process of its own; N-Triples, kg's own text, is written here.
    assert serializers == ["ttl", "oxigraph"]
    assert serial.triples == forked.triples
    names = sorted(p.name for p in (tmp_path / "serial").iterdir() if p.is_file())
    assert names == sorted(p.name for p in (tmp_path / "forked").iterdir() if p.is_file())
    assert names == ["graph.html", "graph.nt", "graph.ttl", "manifest.json", "vocab.ttl"]
    for run in ("serial", "forked"):
        assert len(load_store([tmp_path / run])) == serial.triples  # each made its store
    for name in names:
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "forked" / name).read_bytes()


@pytest.mark.parametrize("separate", [False, True])
def test_every_literal_reads_back_exactly(tmp_path: Path, monkeypatch, separate: bool):
    from kg import graph as g
    from kg.export import rdf
    from kg.model import Occurrence, Paper, Source

    monkeypatch.setattr(rdf, "SERIALIZER_MIN_EDGES", 0)
    title = 'Quotes "in" titles, back\\slashes, tabs\tand ünïcödé\u2028: a "test"'
    abstract = 'Line one.\nLine two\r\nwith CR, a lone \\ and "quotes" and emoji \U0001f600.'
    paper = Paper(
        "quotes-test",
        title,
        abstract,
        [Occurrence("page one.txt", 7)],
        arxiv_id="2401.00001",
        venue='ACL "24"',
    )
    graph = g.build_graph([paper], [Source("page one.txt", "Mar 11")])
    path = tmp_path / "graph.nt"
    assert rdf.write_graphs(graph, {"nt": path}, separate=separate) == len(Graph().parse(path))
    back = Graph().parse(path)
    rows = {re.split("[/#]", str(p))[-1]: str(o) for _, p, o in back if isinstance(o, Literal)}
    assert rows["title"] == title
    assert rows["abstract"] == abstract
    assert rows["venue"] == 'ACL "24"'
    assert rows["source"] == "page one.txt"
    assert isomorphic(back, rdf.to_rdf(graph))


def test_a_paper_listed_twice_on_one_page_is_derived_from_it_once(tmp_path: Path):
    page = tmp_path / "twice.txt"
    text = (DATA / "pages" / "line_layout.txt").read_text()
    lines = text.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("SubscribeASAG"))
    page.write_text("\n".join([*lines, lines[title].removeprefix("Subscribe"), lines[title + 1]]) + "\n")
    result = pipeline.build([page], out=tmp_path / "out", formats=["nt"])
    store = load_store(result.outputs[:1])
    assert len(store) == result.triples  # no triple is written twice
    rows = select(
        store,
        PREFIXES
        + """
        SELECT (COUNT(DISTINCT ?d) AS ?seen) (COUNT(DISTINCT ?src) AS ?sources) WHERE {
          ?p dcterms:title ?t ; prov:wasDerivedFrom ?src ; prov:qualifiedDerivation ?d .
          FILTER(STRSTARTS(?t, "ASAG"))
        }""",
    )
    assert rows == [{"seen": "2", "sources": "1"}]  # two sightings (lines) on one page


AXIOMS = ROOT / "kg" / "data" / "standard-axioms.ttl"
VOCAB = ROOT / "kg" / "data" / "vocab.ttl"


def validate_with_rdfs_inference(data: Graph) -> tuple[bool, str]:
    """pyshacl with RDFS inference over the standard axioms and the kg vocabulary.

    owlrl (pyshacl's reasoner) swaps rdflib's lexical conversions process-wide and leaves
    gMonthDay literals ill-typed for later validations; they are put back afterwards.
    """
    import rdflib.term

    pyshacl = pytest.importorskip("pyshacl")
    saved = dict(rdflib.term._toPythonMapping)
    try:
        conforms, _, report = pyshacl.validate(
            data,
            shacl_graph=Graph().parse(SHAPES),
            ont_graph=Graph().parse(AXIOMS).parse(VOCAB),
            inference="rdfs",
        )
    finally:
        rdflib.term._toPythonMapping.clear()
        rdflib.term._toPythonMapping.update(saved)
    return conforms, report


@pytest.fixture(scope="module")
def mixed_build(tmp_path_factory) -> pipeline.BuildResult:
    """Every kind of node: pages, HF JSON (authors, upvotes, pointers), BibTeX (dates, DOIs)."""
    sources = DATA / "sources"
    return pipeline.build(
        [sources / "library.bib", sources / "hf_daily_2024-10-25.json", DATA / "pages" / "line_layout.txt"],
        out=tmp_path_factory.mktemp("mixed"),
        formats=["ttl"],
    )


def test_shapes_hold_under_rdfs_inference_over_the_standard_vocabularies(mixed_build):
    kinds = {kind for _, kind in mixed_build.graph.nodes(data="kind")}
    assert {"paper", "author", "owner", "source", "concept", "repo", "host"} <= kinds
    conforms, report = validate_with_rdfs_inference(Graph().parse(mixed_build.outputs[0]))
    assert conforms, report


@pytest.mark.parametrize(
    ("triples", "violated"),
    [
        # an owner (not a person) without its host
        ("<http://x/o> a foaf:Agent ; foaf:name 'o' .", "kg:host"),
        # a file a paper was derived from that names no file
        (
            "<http://x/p> a schema:ScholarlyArticle ; dcterms:title 'T' ; kg:abstractMissing true ;"
            " prov:wasDerivedFrom <http://x/s> ; prov:qualifiedDerivation <http://x/d> ."
            " <http://x/d> a prov:Derivation ; prov:entity <http://x/s> ; kg:line 1 .",
            "dcterms:source",
        ),
    ],
)
def test_shapes_still_catch_errors_under_inference(triples: str, violated: str):
    conforms, report = validate_with_rdfs_inference(Graph().parse(data=PREFIXES + triples, format="turtle"))
    assert not conforms and violated.split(":")[1] in report


def test_vocabulary_ranges_match_the_data(mixed_build, seed_ttl: Path):
    vocab = Graph().parse(VOCAB)
    ranges = {
        p: r
        for p, r in vocab.subject_objects(RDFS.range)
        if str(p).startswith(KG_VOCAB) and "XMLSchema" in str(r)
    }
    assert len(ranges) >= 10
    checked = set()
    for path in (seed_ttl, mixed_build.outputs[0]):
        for p, o in Graph().parse(path).predicate_objects():
            if p in ranges:
                datatype = o.datatype or XSD.string if isinstance(o, Literal) else None
                assert datatype == ranges[p], (p, o)
                checked.add(p)
    assert {URIRef(KG_VOCAB + "line"), URIRef(KG_VOCAB + "position")} <= checked


def test_a_base_iri_ending_in_hash_gives_valid_iris(tmp_path: Path):
    base = "https://example.org/kg#"
    result = pipeline.build([DATA / "sources" / "hf_daily_2024-10-25.json"], out=tmp_path, base=base)
    store = load_store(result.outputs[:1])  # Oxigraph parses every IRI
    assert len(store) == result.triples
    iris = {str(t) for triple in Graph().parse(result.outputs[0]) for t in triple if isinstance(t, URIRef)}
    minted = sorted(i for i in iris if i.startswith(base))
    assert minted and all(i.count("#") == 1 for i in minted)
    rows = select(
        store,
        PREFIXES + "SELECT ?t ?pos WHERE { ?p kg:authorship ?t . ?t kg:position ?pos } ORDER BY ?t LIMIT 1",
    )
    assert rows[0]["t"].startswith(base + "paper/arxiv-") and rows[0]["t"].endswith("/author-1")
    for bad in ("https://example.org/a#b/", "https://example.org/a#b#"):
        with pytest.raises(ConfigError, match="one '#', at its end"):
            Minter(bad)


def test_a_key_is_encoded_alike_in_every_iri_it_is_part_of():
    mint = Minter()
    key = "gervásio-and-the-cat"
    paper = mint.paper(key)
    assert paper.endswith("/paper/gerv%C3%A1sio-and-the-cat")
    assert mint.similarity(key, "b") == mint.base + "similarity/gerv%C3%A1sio-and-the-cat--b"
    assert mint.cooccurrence("a", key).endswith("--gerv%C3%A1sio-and-the-cat")
    assert mint.topic(paper, "x").startswith(paper + "#")


def test_similarity_nodes_name_their_papers_as_the_papers_iris_do(seed_ttl: Path):
    rows = select(
        load_store([seed_ttl]),
        PREFIXES + "SELECT ?s ?p WHERE { ?s a kg:Similarity ; kg:paper ?p }",
    )
    assert rows
    for row in rows:
        key = row["p"].rsplit("/", 1)[1]
        a, b = row["s"].rsplit("/", 1)[1].split("--")
        assert key in (a, b), row
    assert any("%" in row["p"] for row in rows)  # the seeds hold a title with an accent


def test_no_two_urls_differ_only_by_a_trailing_slash(seed_ttl: Path):
    iris = {str(t) for triple in Graph().parse(seed_ttl) for t in triple if isinstance(t, URIRef)}
    twins = sorted(i for i in iris if i.endswith("/") and i[:-1] in iris)
    assert twins == []
    rows = select(
        load_store([seed_ttl]),
        PREFIXES + "SELECT ?page WHERE { ?page a schema:WebPage, schema:WebSite ; kg:host ?page }",
    )
    assert {"page": "https://idea23d.github.io"} in rows  # a project site's root page is the site
