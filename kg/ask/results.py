"""A query's answer as the user asked for it: a table of compact terms, or a results or RDF format."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from kg.errors import QueryUsageError
from kg.export.namespaces import PREFIXES

_COUNT_AT_MOST = 1_000_000  # rows left out of a table that are counted before giving up
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

MAX_TABLE_ROWS = 100  # a terminal table of more rows is read by nobody; csv/tsv/json give all


@dataclass
class TableRows:
    """The first rows of a SELECT as display strings, and how many more there were."""

    names: list[str]
    rows: list[list[str]]
    more: int = 0  # rows left out (counted up to `_COUNT_AT_MOST`)
    more_is_lower_bound: bool = False


def table_rows(result: ox.QuerySolutions, max_rows: int = MAX_TABLE_ROWS) -> TableRows:
    """At most `max_rows` rows of `result` as compact strings; the rest only counted."""
    names = [v.value for v in result.variables]
    table = TableRows(names, [])
    for solution in result:
        if len(table.rows) < max_rows:
            table.rows.append([compact(solution[n]) for n in names])
            continue
        table.more += 1
        if table.more >= _COUNT_AT_MOST:
            table.more_is_lower_bound = True
            break
    return table


def check_format(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str) -> None:
    """`QueryUsageError` when `fmt` cannot show this form of result ("table" fits all)."""
    if fmt == "table":
        return
    if isinstance(result, ox.QueryTriples) and fmt not in GRAPH_FORMATS:
        raise QueryUsageError(
            f"--format {fmt} is for SELECT and ASK answers; this query gives a graph "
            f"(CONSTRUCT or DESCRIBE): use --format {', '.join(GRAPH_FORMATS)} (table prints Turtle)"
        )
    if not isinstance(result, ox.QueryTriples) and fmt in GRAPH_FORMATS:
        form = "rows (SELECT)" if isinstance(result, ox.QuerySolutions) else "true or false (ASK)"
        raise QueryUsageError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE graphs; this query gives {form}: "
            f"use --format table, {', '.join(RESULT_FORMATS)}"
        )


def write_results(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str, output: IO[bytes]
) -> None:
    """SELECT/ASK results in a W3C results format, CONSTRUCT/DESCRIBE graphs in an RDF one
    (Turtle for "table"), streamed to `output`; `check_format` first."""
    if isinstance(result, ox.QueryTriples):
        graph_format = GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        prefixes = PREFIXES if graph_format is not ox.RdfFormat.N_TRIPLES else None
        ox.serialize(result, output, graph_format, prefixes=prefixes)
    else:
        result.serialize(output, RESULT_FORMATS[fmt])


def write_counted(result: ox.QuerySolutions | ox.QueryTriples, fmt: str, output: IO[bytes]) -> int:
    """`write_results`, returning how many rows (or triples) were written."""
    if isinstance(result, ox.QueryTriples):
        count = 0

        def counted() -> Iterator[ox.Triple]:
            nonlocal count
            for triple in result:
                count += 1
                yield triple

        graph_format = GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        prefixes = PREFIXES if graph_format is not ox.RdfFormat.N_TRIPLES else None
        ox.serialize(counted(), output, graph_format, prefixes=prefixes)
        return count
    # Solutions serialize only themselves: write them to memory, read the rows back to count.
    buffer = io.BytesIO()
    result.serialize(buffer, RESULT_FORMATS[fmt])
    output.write(buffer.getvalue())
    if RESULT_FORMATS[fmt] is ox.QueryResultsFormat.CSV:  # Oxigraph does not read CSV back
        return sum(1 for _ in csv.reader(io.StringIO(buffer.getvalue().decode("utf-8")))) - 1
    parsed = ox.parse_query_results(buffer.getvalue(), RESULT_FORMATS[fmt])
    return sum(1 for _ in parsed) if isinstance(parsed, ox.QuerySolutions) else 1


def compact(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    """A readable cell: prefixed name for known namespaces, literal values as they are."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and re.fullmatch(r"[\w.-]*", term.value[len(ns) :]):
                return f"{prefix}:{term.value[len(ns) :]}"
        return term.value
    return term.value
