"""arXiv's metadata snapshot: read streamed, plain or gzip, filtered while reading; categories in
the RDF (issue 21)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg import sources
from kg.errors import ConfigError, InputError
from kg.export.taxonomy import category_names, table_from_definitions
from kg.sources import SnapshotFilter, detect_format, load_sources
from kg.sources.snapshot import arxiv_categories, month_of, read_snapshot
from tests.conftest import DATA, ROOT
from tests.sources_build import build, shacl_conforms

SNAPSHOT = DATA / "snapshot" / "arxiv-metadata.jsonl"
CORPUS = ROOT.parent.parent / "shared" / "corpora" / "arxiv-cs-2025.jsonl.gz"
if not CORPUS.exists():  # a worktree sits two folders deeper than the main checkout
    CORPUS = Path("/work/shared/corpora/arxiv-cs-2025.jsonl.gz")
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def _records() -> list[dict]:
    return [json.loads(line) for line in SNAPSHOT.read_text(encoding="utf-8").splitlines()]


def _entries(path: Path, keep: SnapshotFilter | None = None):
    return read_snapshot(path, path.name, keep).entries


def test_a_snapshot_line_gives_id_title_authors_categories_doi_month_and_its_line():
    by_id = {e.arxiv_id: e for e in _entries(SNAPSHOT)}
    old = by_id["0704.0001"]
    assert (
        old.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert old.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert old.doi == "10.1103/physrevd.76.013009"
    assert old.issued == "2007-04"  # versions[0].created, month-precise
    assert old.venue == "Phys.Rev.D76:013009,2007"
    assert old.categories == ("hep-ph",)
    assert old.occurrence.line == 1
    assert old.abstract is not None and old.abstract.startswith("A fully differential calculation")
    assert "\n" not in old.abstract
    recent = by_id["2503.11794"]
    assert recent.issued == "2025-03"  # no versions: the id's YYMM
    assert recent.categories == ("cs.CV", "cs.AI", "cs.CL", "cs.LG")  # primary first
    assert recent.occurrence.line == 4
    assert by_id["hep-th/9901001"].issued == "1999-01"
    assert by_id["hep-th/9901001"].abstract is None


@pytest.mark.parametrize(
    ("record", "arxiv_id", "month"),
    [
        (
            {"versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]},
            "0704.0001",
            "2007-04",
        ),
        (
            {"versions": [{"version": "v1", "created": "Wed, 31 Dec 2014 23:59:00 GMT"}]},
            "1501.00001",
            "2014-12",
        ),
        ({"versions": []}, "2512.01234", "2025-12"),
        ({"versions": [{"created": "not a date"}]}, "2503.11731", "2025-03"),
        ({}, "math/9912001", "1999-12"),
        ({}, "hep-th/0101001", "2001-01"),
        ({}, None, None),
    ],
)
def test_the_month_comes_from_the_first_version_else_from_the_id(record, arxiv_id, month):
    assert month_of(record, arxiv_id) == month


def test_gzip_is_told_by_its_magic_bytes_not_its_name(tmp_path: Path):
    zipped = tmp_path / "metadata.data"  # no .gz
    zipped.write_bytes(gzip.compress(SNAPSHOT.read_bytes(), mtime=0))
    plain = tmp_path / "plain.jsonl.gz"  # a .gz name on plain text
    plain.write_bytes(SNAPSHOT.read_bytes())
    expected = [(e.arxiv_id, e.title) for e in _entries(SNAPSHOT)]
    for path in (zipped, plain):
        loaded = load_sources([path])
        assert [s.format for s in loaded.sources] == ["snapshot"]
        assert [(e.arxiv_id, e.title) for e in loaded.entries] == expected


def test_the_snapshot_is_streamed_never_read_whole(monkeypatch, tmp_path: Path):
    def whole(path: Path) -> str:
        raise AssertionError(f"{path} read whole")

    monkeypatch.setattr(sources, "read_text", whole)
    zipped = tmp_path / "s.jsonl.gz"
    zipped.write_bytes(gzip.compress(SNAPSHOT.read_bytes(), mtime=0))
    assert len(load_sources([SNAPSHOT, zipped]).entries) == 2 * len(_records())


def test_a_single_json_paper_object_is_not_taken_for_a_snapshot():
    hf_line = json.dumps({"id": "2503.11731", "title": "T", "summary": "S", "publishedAt": "2025-03-14"})
    assert detect_format(hf_line) == "hf"
    assert detect_format(SNAPSHOT.read_text(encoding="utf-8")) == "snapshot"


def test_other_readers_accept_gzip(tmp_path: Path):
    for name in ("hf_daily_2024-10-25.json", "library.bib", "ids.txt"):
        path = tmp_path / f"{name}.gz"
        path.write_bytes(gzip.compress((DATA / "sources" / name).read_bytes(), mtime=0))
        zipped, plain = load_sources([path]), load_sources([DATA / "sources" / name])
        assert [s.format for s in zipped.sources] == [s.format for s in plain.sources]
        assert [e.title for e in zipped.entries] == [e.title for e in plain.entries]
        assert zipped.entries


CUT = '{"id": "2503.00001", "title": "cut off'
CUT_AT = CUT.index('"cut') + 1  # JSON's column of the string left open


def _with_bad_line(tmp_path: Path) -> Path:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    lines.insert(2, CUT)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_bad_line_is_a_one_line_error_naming_file_and_line(tmp_path: Path):
    path = _with_bad_line(tmp_path)
    with pytest.raises(InputError) as err:
        load_sources([path])
    assert str(err.value) == (
        f"{path}:3: not valid JSON (Unterminated string starting at, column {CUT_AT}); "
        "--skip-bad skips such lines"
    )
    built = build(tmp_path, path, ok=False)
    assert built.result.exit_code == 3
    assert built.result.stderr == f"Error: {err.value}\n"
    assert not (tmp_path / "out").exists()


def test_with_skip_bad_a_bad_line_is_a_warning_and_the_rest_is_read(tmp_path: Path):
    path = _with_bad_line(tmp_path)
    loaded = load_sources([path], skip_bad=True)
    assert len(loaded.entries) == len(_records())
    assert loaded.warnings == [
        f"{path}:3: not valid JSON (Unterminated string starting at, column {CUT_AT}), skipped"
    ]
    assert [e.occurrence.line for e in loaded.entries][-1] == len(_records()) + 1


def test_codes_in_the_categories_field_that_are_no_arxiv_category_are_left_out_and_counted(tmp_path: Path):
    # As a real line of the dev corpus (arXiv 2508.04623) writes it: its MSC and ACM classes
    # and their words follow the categories.
    written = "cs.CL cs.IR 68T50 % Natural language processing (in Computer Science) I.2.7; H.2.3"
    assert arxiv_categories(written.split()) == ["cs.CL", "cs.IR"]
    assert arxiv_categories("hep-th cond-mat.stat-mech cmp-lg q-bio.NC".split()) == [
        "hep-th",
        "cond-mat.stat-mech",
        "cmp-lg",
        "q-bio.NC",
    ]
    records = _records()[:3]
    records[0] = {**records[0], "categories": written}
    records[1] = {**records[1], "categories": records[1]["categories"] + " 68T07, I.4.8;"}
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    read = read_snapshot(path, path.name)
    assert list(read.entries[0].categories) == ["cs.CL", "cs.IR"]
    assert list(read.entries[1].categories) == records[1]["categories"].split()[:-2]
    assert read.warnings == [
        f"{path}: 2 papers list among their categories codes that are no arXiv category "
        "(ACM or MSC classes, words: '68T50', '%', 'Natural'): left out"
    ]
    # No such code becomes a category of the graph.
    graph = (build(tmp_path, path).out / "graph.ttl").read_text(encoding="utf-8")
    assert "category/68T" not in graph and "category/I.4" not in graph and "category/Natural" not in graph


def test_a_damaged_gzip_names_the_file(tmp_path: Path):
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(SNAPSHOT.read_bytes() * 400, mtime=0)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=rf"^{path}:\d+: gzip data is damaged or cut short"):
        load_sources([path])


@pytest.mark.parametrize(
    ("keep", "ids"),
    [
        (SnapshotFilter(("cs.CL",)), ["2503.12141", "2503.11794"]),  # primary or cross-listed
        (SnapshotFilter(("CS.cl",)), ["2503.12141", "2503.11794"]),
        (SnapshotFilter(("eess.*",)), ["2503.11787"]),
        (SnapshotFilter(("hep",)), []),  # an archive is matched whole: hep is not hep-ph
        (SnapshotFilter(("hep-th", "hep-ph")), ["0704.0001", "hep-th/9901001"]),
        (SnapshotFilter(("cs",)), ["2503.11731", "2503.12141", "2503.11794", "2503.11787"]),
        (
            SnapshotFilter(("cs.*",), since="2025-03", until="2025-03"),
            ["2503.11731", "2503.12141", "2503.11794", "2503.11787"],
        ),
        (SnapshotFilter(since="2025-04"), []),
        (SnapshotFilter(until="2007-04"), ["0704.0001", "hep-th/9901001"]),
        (SnapshotFilter(("hep-ph", "hep-th"), since="2000-01"), ["0704.0001"]),
    ],
)
def test_category_and_month_filters_keep_only_what_they_name(keep, ids):
    assert [e.arxiv_id for e in _entries(SNAPSHOT, keep)] == ids


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "2025-13"}, "--since takes a month as YYYY-MM, not '2025-13'"),
        ({"until": "2025"}, "--until takes a month as YYYY-MM, not '2025'"),
        (
            {"since": "2025-05", "until": "2025-04"},
            "--since 2025-05 is after --until 2025-04: no paper can match",
        ),
        (
            {"categories": ("cs CL",)},
            "--category takes an arXiv category (cs.CL) or archive (cs.*), not 'cs CL'",
        ),
    ],
)
def test_bad_filters_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError) as err:
        SnapshotFilter(**kwargs)
    assert str(err.value) == message


def test_the_cli_filters_and_notes_what_it_kept(tmp_path: Path):
    built = build(tmp_path, SNAPSHOT, "--category", "cs.CL", "--category", "eess.*", "--since", "2025-01")
    assert f"Note: {SNAPSHOT}: 3 of 6 papers match --category cs.CL --category eess.* --since 2025-01" in (
        built.result.stderr
    )
    ids = built.column("SELECT ?id WHERE { ?p kg:arxivId ?id } ORDER BY ?id", "id")
    assert ids == ["2503.11787", "2503.11794", "2503.12141"]
    bad = build(tmp_path, SNAPSHOT, "--until", "March", ok=False)
    assert bad.result.exit_code == 2
    assert bad.result.stderr == "Error: --until takes a month as YYYY-MM, not 'March'\n"


def test_categories_are_skos_concepts_of_their_own_scheme_with_the_primary_marked(tmp_path: Path):
    extra = tmp_path / "in" / "extra.jsonl"
    extra.parent.mkdir()
    record = {"id": "2503.99999", "title": "A paper in a made-up category", "abstract": "Text.",
              "categories": "cs.XX cs.CV", "authors_parsed": [["Doe", "Jane", ""]]}  # fmt: skip
    extra.write_text(json.dumps(record) + "\n", encoding="utf-8")
    built = build(tmp_path, SNAPSHOT, extra)
    rows = built.rows(
        SKOS
        + """SELECT ?code ?label ?papers WHERE {
        ?c skos:notation ?code ; skos:prefLabel ?label ; skos:inScheme ?scheme ; kg:paperCount ?papers .
        ?scheme a skos:ConceptScheme . } ORDER BY ?code"""
    )
    counts: dict[str, int] = {}
    for r in [*_records(), record]:
        for code in r["categories"].split():
            counts[code] = counts.get(code, 0) + 1
    assert [(r["code"], int(r["papers"])) for r in rows] == sorted(counts.items())
    labels = {r["code"]: r["label"] for r in rows}
    assert labels["cs.CV"] == "Computer Vision and Pattern Recognition"
    assert labels["eess.IV"] == "Image and Video Processing"
    assert labels["hep-ph"] == "High Energy Physics - Phenomenology"
    assert labels["cs.XX"] == "cs.XX"  # unknown: its code
    primary = built.rows(
        SKOS
        + "SELECT ?id ?code WHERE { ?p kg:arxivId ?id ; kg:primaryCategory/skos:notation ?code } ORDER BY ?id"
    )
    assert {(r["id"], r["code"]) for r in primary} == {
        (r["id"], r["categories"].split()[0]) for r in [*_records(), record]
    }
    shacl_conforms(built.out / "graph.ttl")


def test_a_month_stays_a_month_in_rdf(tmp_path: Path):
    built = build(tmp_path, SNAPSHOT)
    rows = built.rows(
        "SELECT ?id ?issued (DATATYPE(?issued) AS ?t) WHERE { ?p kg:arxivId ?id ; dcterms:issued ?issued }"
    )
    by_id = {r["id"]: (r["issued"], r["t"]) for r in rows}
    gym = "http://www.w3.org/2001/XMLSchema#gYearMonth"
    assert by_id["2503.11731"] == ("2025-03", gym)
    assert by_id["0704.0001"] == ("2007-04", gym)


def test_the_category_table_is_what_the_script_makes_from_arxivs_definitions():
    made = table_from_definitions(
        (DATA / "snapshot" / "taxonomy_definitions.txt").read_text(encoding="utf-8")
    )
    rows = [line.split("\t") for line in made.splitlines() if not line.startswith("#")]
    assert rows == [
        ["cs.CL", "Computation and Language"],
        ["cs.CV", "Computer Vision and Pattern Recognition"],
        ["stat.ML", "Machine Learning"],
    ]  # inactive cmp-lg left out, names' spacing collapsed
    shipped = category_names()
    for code, name in rows:
        assert shipped[code] == name
    assert sum(code.startswith("cs.") for code in shipped) >= 40
    for code in ("stat.ML", "eess.IV", "eess.SP", "math.OC", "q-bio.NC", "physics.comp-ph", "quant-ph"):
        assert code in shipped, code


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"the dev corpus is not here ({CORPUS})")
    path = tmp_path_factory.mktemp("slice") / "slice.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as stream, path.open("w", encoding="utf-8") as out:
        for _, line in zip(range(3000), stream, strict=False):
            out.write(line)
    return path


def test_a_slice_of_the_real_corpus_reads_every_line_with_its_categories(corpus_slice: Path):
    records = [json.loads(line) for line in corpus_slice.read_text(encoding="utf-8").splitlines()]
    entries = _entries(corpus_slice)
    assert [e.arxiv_id for e in entries] == [r["id"] for r in records]
    assert [list(e.categories) for e in entries] == [
        arxiv_categories(r["categories"].split()) for r in records
    ]
    assert all(e.issued == f"20{r['id'][:2]}-{r['id'][2:4]}" for e, r in zip(entries, records, strict=True))
    assert all(e.authors and e.title and "\n" not in e.title for e in entries)
    cl = _entries(corpus_slice, SnapshotFilter(("cs.CL",), since="2025-04"))
    expected = [r["id"] for r in records if "cs.CL" in r["categories"].split() and r["id"][:4] >= "2504"]
    assert [e.arxiv_id for e in cl] == expected
    assert 0 < len(expected) < len(records)


def test_the_bundled_snapshot_fixture_is_a_real_corpus_slice_in_shape(corpus_slice: Path):
    # The fixture's recent lines are lines of the dev corpus, unchanged.
    corpus_lines = set(corpus_slice.read_text(encoding="utf-8").splitlines())
    fixture = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    assert sum(line in corpus_lines for line in fixture) == 4


def test_a_gzip_slice_builds_by_category_in_a_real_process(corpus_slice: Path, tmp_path: Path):
    zipped = tmp_path / "slice.jsonl.gz"
    lines = corpus_slice.read_text(encoding="utf-8").splitlines(keepends=True)
    zipped.write_bytes(gzip.compress("".join(lines[:1500]).encode(), mtime=0))
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "build",
            str(zipped),
            "--category",
            "cs.CL",
            "--out",
            str(out),
            "-q",
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if "not a valid IRI" in done.stderr:
        pytest.xfail("an abstract's link is not a valid IRI (the text-normalisation part of issue 21)")
    assert done.returncode == 0, done.stderr
    expected = sum("cs.CL" in json.loads(line)["categories"].split() for line in lines[:1500])
    assert f"{expected} of 1500 papers match --category cs.CL" in done.stderr
