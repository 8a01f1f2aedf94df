"""The triples of provenance: the source files papers were read from."""

from __future__ import annotations

from kg.export.iris import listing_date
from kg.export.ntriples import (
    DCTERMS_,
    KG_,
    PROV_,
    A,
    Writer,
    literal,
    string,
)


class ProvenanceTriples(Writer):
    """Source files as `prov:Entity`."""

    # One method per node kind; each appends whole subject groups to `out`.
    def source_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.source[data["name"]]
        out.append(f"{s} {A} {PROV_.Entity} .\n{s} {DCTERMS_.source} {string(data['name'])} .\n")
        if data.get("listed"):
            out.append(f"{s} {KG_.listingDate} {literal(listing_date(data['listed']))} .\n")
        if data.get("format"):
            out.append(f"{s} {KG_.inputFormat} {string(data['format'])} .\n")
