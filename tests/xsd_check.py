"""Validate kg's GraphML and GEXF exports against the published XML Schemas, offline.

The schemas live in tests/data/xsd/ (see its README for where each file comes from).  Every
`schemaLocation` in them is a local file name, and schemas are loaded through a parser that
never goes to the network: a web address that still turns up is mapped to the file of the same
name next to the schema, or refused.

    validate(path, "graphml")        # GraphML 1.0
    validate(path, "gexf-1.3")       # GEXF 1.3
    validate(path, "gexf-1.2draft")  # GEXF 1.2draft (what networkx writes)
    validate(path, Path(".../some.xsd"))

returns lxml's error lines (`file:line:column:LEVEL:DOMAIN:TYPE: message`), empty if valid.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree

XSD = Path(__file__).parent / "data" / "xsd"
SCHEMAS = {
    "graphml": XSD / "graphml-1.0" / "graphml.xsd",
    "graphml-1.0": XSD / "graphml-1.0" / "graphml.xsd",
    "gexf": XSD / "gexf-1.3" / "gexf.xsd",
    "gexf-1.3": XSD / "gexf-1.3" / "gexf.xsd",
    "gexf-1.2draft": XSD / "gexf-1.2draft" / "gexf.xsd",
}


class _LocalOnly(etree.Resolver):
    """Serve a web `schemaLocation` from the schema's own folder, by file name; refuse any other."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, system_url, public_id, context):  # type: ignore[override]
        url = urlparse(system_url or "")
        if url.scheme in ("", "file"):
            return None  # a local path: libxml2 reads it itself
        local = self.folder / Path(url.path).name
        if local.is_file():
            return self.resolve_filename(str(local), context)
        raise OSError(f"refusing to fetch {system_url}: no {local.name} in {self.folder}")


def _parser(folder: Path | None = None) -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=True)
    if folder is not None:
        parser.resolvers.add(_LocalOnly(folder))
    return parser


@cache
def load_schema(schema: str | Path) -> etree.XMLSchema:
    """The compiled schema named in SCHEMAS, or read from an .xsd path."""
    path = Path(SCHEMAS.get(str(schema), schema)).resolve()
    doc = etree.parse(str(path), _parser(path.parent))
    return etree.XMLSchema(doc)


def validate(path: str | Path, schema: str | Path) -> list[str]:
    """lxml's error lines for the document at `path` against `schema` (a SCHEMAS name or an
    .xsd path); an empty list means valid.  A document that is not well-formed XML gives its
    parse errors instead."""
    xsd = load_schema(schema)
    try:
        doc = etree.parse(str(path), _parser())
    except etree.XMLSyntaxError as err:
        return [str(e) for e in err.error_log]
    if xsd.validate(doc):
        return []
    return [str(e) for e in xsd.error_log]


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        sys.exit(
            "usage: python tests/xsd_check.py FILE SCHEMA  (SCHEMA: " + ", ".join(SCHEMAS) + " or a path)"
        )
    lines = validate(sys.argv[1], sys.argv[2])
    print("\n".join(lines) or "valid")
    sys.exit(1 if lines else 0)
