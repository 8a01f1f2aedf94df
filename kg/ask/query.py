"""SPARQL over exported RDF, on Oxigraph.

rdflib's own SPARQL engine does not finish multi-join queries on exports of realistic size, so
queries run on Oxigraph; the export stays standard RDF any engine can read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.ask.syntax import explain_syntax_error
from kg.errors import KgError, QueryError, QuerySyntaxError, QueryUsageError, UnknownQueryError
from kg.export.namespaces import PREFIXES

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
}
DEFAULT_DATA = Path("exports")  # the last build: its store, or its RDF file


def load_store(paths: Sequence[Path]) -> ox.Store:
    """A store of the data in `paths`: a build folder (its Oxigraph store when current, see
    `kg.export.store.open_build`), or RDF files loaded in memory into the default graph."""
    if len(paths) == 1 and (paths[0].is_dir() or paths[0] == DEFAULT_DATA):
        from kg.export.store import open_build

        return open_build(paths[0])
    store = ox.Store()
    for path in paths:
        if not path.is_file():
            hint = " (run `kg build` first)" if path.name.startswith("graph.") else ""
            raise KgError(f"no such data file{hint}", path=path)
        fmt = _FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise KgError(
                f"unknown RDF file type {path.suffix!r} (use one of {', '.join(_FORMATS)})", path=path
            )
        try:
            store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())
        except (SyntaxError, ValueError, OSError) as err:
            raise KgError(f"cannot load RDF: {err}", path=path) from None
    return store


def select(store: ox.Store, sparql: str, *, prefixes: bool = False) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings (IRIs and literal values), unbound as missing keys;
    with `prefixes`, the usual prefixes are predeclared."""
    try:
        solutions = store.query(
            sparql, use_default_graph_as_union=True, prefixes=PREFIXES if prefixes else None
        )
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from None
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term.value
        rows.append(row)
    return rows


@dataclass
class Stats:
    """Counts of an export's main things, and its biggest repository owners."""

    counts: dict[str, int]
    top_owners: list[tuple[str, int]]
    top_concepts: list[tuple[str, int]]


_STATS_QUERY = """
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://w3id.org/kg/vocab#>
SELECT
  (SUM(IF(?c = schema:ScholarlyArticle, 1, 0)) AS ?papers)
  (SUM(IF(?c = schema:SoftwareSourceCode, 1, 0)) AS ?repos)
  (SUM(IF(?c = foaf:Agent, 1, 0)) AS ?owners)
  (SUM(IF(?c = schema:WebSite, 1, 0)) AS ?hosts)
  (SUM(IF(?c = prov:Entity, 1, 0)) AS ?sources)
  (SUM(IF(?c = skos:Concept && NOT EXISTS { ?s skos:notation ?code }, 1, 0)) AS ?concepts)
  (SUM(IF(?c = foaf:Person, 1, 0)) AS ?authors)
WHERE { ?s a ?c }
"""
_TOP_OWNERS = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX kg: <https://w3id.org/kg/vocab#>
SELECT ?name (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper kg:repository ?repo . ?repo kg:owner ?owner . ?owner foaf:name ?name .
} GROUP BY ?owner ?name ORDER BY DESC(?papers) ?name LIMIT 10
"""

_TOP_CONCEPTS = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?paper dcterms:subject ?concept . ?concept skos:prefLabel ?label .
} GROUP BY ?concept ?label ORDER BY DESC(?papers) ?label LIMIT 20
"""


def graph_stats(store: ox.Store) -> Stats:
    """Counts by class, triples, papers with code, and the owners with most papers."""
    counts = {k: int(v) for k, v in select(store, _STATS_QUERY)[0].items()}
    counts["triples"] = len(store)
    with_repo = select(
        store,
        "PREFIX kg: <https://w3id.org/kg/vocab#> "
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:repository ?r }",
    )
    counts["papers with a repository"] = int(with_repo[0]["n"])
    owners = [(r["name"], int(r["papers"])) for r in select(store, _TOP_OWNERS)]
    concepts = [(r["label"], int(r["papers"])) for r in select(store, _TOP_CONCEPTS)]
    return Stats(counts, owners, concepts)


# ------------------------------------------------------------------------------------------
# `kg query`: named, file and inline queries

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM_LINE = re.compile(r"^#\s*param\s+(\w+)\s*:\s*(.*)$")
# `# values label: skos:prefLabel|skos:altLabel`: the property path whose values a parameter
# is compared with (ignoring case), so an unmatched value can be reported with close matches.
_VALUES_LINE = re.compile(r"^#\s*values\s+(\w+)\s*:\s*(.*)$")
# `# needs: references and citations (kg build --enrich s2)`: what the build must hold for the
# query to answer anything, said when it answers nothing.
_NEEDS_LINE = re.compile(r"^#\s*needs\s*:\s*(.*)$")


@dataclass
class Query:
    """A SPARQL query with what `--list` shows: its name, one-line description and parameters."""

    name: str
    text: str
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # param -> property path of its values
    needs: str = ""  # what the build must hold for any answer (its `# needs:` line)


def queries_dir() -> Path:
    """Bundled queries: `kg/queries` in an installed package, `queries/` in a checkout."""
    installed = Path(str(resources.files("kg") / "queries"))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "queries"


def parse_query_text(name: str, text: str) -> Query:
    """Read the leading `#` comment: first line is the description, `# param x: ...` lines."""
    description = ""
    params: dict[str, str] = {}
    values: dict[str, str] = {}
    needs = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM_LINE.match(line)
        known = _VALUES_LINE.match(line)
        needed = _NEEDS_LINE.match(line)
        if needed:
            needs = needed.group(1).strip()
        elif match:
            params[match.group(1)] = match.group(2).strip()
        elif known:
            values[known.group(1)] = known.group(2).strip()
        elif not description:
            description = line.lstrip("# ").strip()
    return Query(name, text, description, params, values, needs)


def bundled_queries() -> list[Query]:
    """Every bundled query, sorted by name."""
    return [
        parse_query_text(p.stem, p.read_text(encoding="utf-8")) for p in sorted(queries_dir().glob("*.rq"))
    ]


def _is_file(path: Path) -> bool:
    """Whether `path` names a file; text no file name can be (too long, a NUL byte) names none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve_query(spec: str) -> Query:
    """A bundled query name, a path to a `.rq` file, or inline SPARQL text."""
    path = Path(spec)
    if _is_file(path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise QueryError(
                f"cannot read query file ({getattr(err, 'strerror', None) or err})", path=path
            ) from None
        return parse_query_text(path.stem, text)
    if spec.endswith(".rq") and "\n" not in spec and " " not in spec:
        raise QueryError("no such query file", path=path)
    if _NAME.match(spec):
        known = {q.name: q for q in bundled_queries()}
        if spec in known:
            return known[spec]
        close = difflib.get_close_matches(spec, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `kg query --list` shows them all"
        raise UnknownQueryError(f"no bundled query named {spec!r}{hint}")
    return parse_query_text("inline", spec)


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    """A `--param` value as an RDF term: `<iri>`, a number, true/false, or else a string.

    The value becomes a bound term, never text pasted into the query.
    """
    if value.startswith("<") and value.endswith(">"):
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as err:
            raise QueryError(f"bad IRI in parameter: {err}") from None
    if re.fullmatch(r"-?\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    if re.fullmatch(r"-?\d+\.\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    if value in ("true", "false"):
        return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return ox.Literal(value)


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """`name=value` pairs of `--param` as a dict; a malformed or repeated name is an error."""
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise QueryUsageError(f"--param expects name=value, got {item!r}")
        if name in params:
            raise QueryUsageError(
                f"--param {name} is given twice ({params[name]!r} and {value!r}); give it once"
            )
        params[name] = value
    return params


def match_values(store: ox.Store, query: Query, params: dict[str, str]) -> dict[str, list[ox.Literal]]:
    """For each parameter declared with a `# values` line, the literals of the data that equal
    its value in any case ("llm" finds "LLM"); the query then matches those exactly.

    Looking the few literals up first, then joining on them, is what keeps such a query fast
    on a large store: a case-folding FILTER inside the query makes the engine compare every
    label with every candidate (56 s against 0.4 s for `papers-for-concept` at 100k papers).
    """
    matched: dict[str, list[ox.Literal]] = {}
    for name, path in query.values.items():
        value = params.get(name)
        term = parse_term(value) if value is not None else None
        if not isinstance(term, ox.Literal):
            continue
        wanted = ox.Literal(term.value.lower())  # its N-Triples form is escaped: safe in the text
        found = store.query(
            f"SELECT DISTINCT ?v WHERE {{ ?s {path} ?v FILTER(isLITERAL(?v) && LCASE(STR(?v)) = {wanted}) }}",
            prefixes=PREFIXES,
        )
        assert isinstance(found, ox.QuerySolutions)
        matched[name] = sorted((row["v"] for row in found), key=str)  # type: ignore[misc]
    return matched


def _with_values(text: str, values: dict[str, list[ox.Literal]]) -> str:
    """`text` with each variable bound to its literals by a VALUES block first in WHERE."""
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if where is None or not values:
        return text
    blocks = "".join(
        f"\n  VALUES ?{name} {{ {' '.join(str(t) for t in terms)} }}" for name, terms in values.items()
    )
    return f"{text[: where.end()]}{blocks}{text[where.end() :]}"


def run_query(
    store: ox.Store,
    query: Query,
    params: dict[str, str] | None = None,
    matched: dict[str, list[ox.Literal]] | None = None,
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Run `query` with `params` bound as RDF terms; the usual prefixes are predeclared.

    A parameter found in `matched` (see `match_values`) is bound to those literals instead of
    its value as typed; matched to none, it keeps the typed value (and the answer is empty).
    """
    params = dict(params or {})
    unknown = sorted(set(params) - set(query.params)) if query.params else []
    if unknown:
        raise QueryUsageError(
            f"query {query.name!r} has no parameter {', '.join(unknown)}; its parameters: {', '.join(query.params)}"
        )
    missing = sorted(set(query.params) - set(params))
    if missing:
        needed = ", ".join(f"--param {m}=... ({query.params[m]})" for m in missing)
        raise QueryUsageError(f"query {query.name!r} needs {needed}")
    found = {k: v for k, v in (matched or {}).items() if v and k in params}
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): parse_term(v) for k, v in params.items() if k not in found
    }
    try:
        return store.query(_with_values(query.text, found), prefixes=PREFIXES, substitutions=substitutions)
    except SyntaxError as err:
        raise QuerySyntaxError(
            f"SPARQL syntax error in {query.name}: {explain_syntax_error(query.text, str(err))}"
        ) from None
    except RuntimeError as err:  # e.g. a parameter the query does not select (SEP-0007)
        raise QueryError(f"cannot run {query.name}: {err}") from None


def unmatched_params(
    store: ox.Store, query: Query, params: dict[str, str], matched: dict[str, list[ox.Literal]]
) -> list[str]:
    """A note for each parameter whose value matches none of its declared values (ignoring
    case; `matched` from `match_values`), with the closest ones: why an answer is empty."""
    notes = []
    for name, path in query.values.items():
        if name not in matched or matched[name]:
            continue
        term = parse_term(params[name])
        assert isinstance(term, ox.Literal)
        wanted = term.value.lower()
        known = [
            r["v"]
            for r in select(
                store, f"SELECT DISTINCT ?v WHERE {{ ?s {path} ?v FILTER(isLITERAL(?v)) }}", prefixes=True
            )
        ]
        close = _close_values(wanted, known)
        hint = f"; close matches: {', '.join(repr(c) for c in close)}" if close else "; nothing close either"
        notes.append(f"--param {name}={term.value!r} matches no {path} in the data (in any case){hint}")
    return notes


def _close_values(wanted: str, known: list[str], n: int = 5) -> list[str]:
    """Values containing `wanted` (shortest first), then the most similar ones."""
    folded: dict[str, str] = {}
    for value in sorted(known):
        folded.setdefault(value.lower(), value)
    containing = sorted((f for f in folded if wanted in f), key=lambda f: (len(f), f))[:n]
    similar = difflib.get_close_matches(wanted, list(folded), n=n, cutoff=0.6)
    chosen = list(dict.fromkeys(containing + similar))[:n]
    return [folded[f] for f in chosen]
