"""Building the graph of some inputs through the real CLI, and asking it in SPARQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.ask.query import load_store, select
from kg.cli import app
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
