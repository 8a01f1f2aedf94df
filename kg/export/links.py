"""The triples of links: similarity, citation and embedding links between papers, and the web
addresses papers name (repositories, pages, owners, hosts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from kg import graph as g
from kg.export.ntriples import (
    FOAF_,
    KG_,
    SCHEMA_,
    XSD_,
    A,
    Writer,
    decimal,
    integer,
    string,
    typed,
)

# Kinds of node named by a web address of their own; several may share one.
_WEB_KINDS = ("repo", "page", "link", "owner", "host", "work")
# Links between papers that rest on citations or embeddings: (IRI kind, basis, what is counted).
_WEB_LINKS = {g.OWNER: KG_.owner, g.HOST: KG_.host}
_CITATION_LINKS = {
    g.COUPLED: ("coupling", KG_.BibliographicCoupling, KG_.sharedReferences),
    g.CO_CITED: ("cocitation", KG_.CoCitation, KG_.coCitations),
    g.NEAR: ("embedding", KG_.SpecterEmbedding, KG_.embeddingSimilarity),
}


class LinkTriples(Writer):
    """Paper-paper links as reified `kg:Similarity` nodes, and one subject group per web address."""

    def similarities(self, nid: str, data: dict, out: list[str]) -> None:
        """A paper's similarity links (as the smaller key of each pair), reified with their weight."""
        key = data["key"]
        nodes = self.nodes
        add = out.append
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                if edge["rel"] in _CITATION_LINKS:
                    self._citation_link(key, nodes[target]["key"], edge, out)
                if edge["rel"] != g.SIMILAR:
                    continue
                other = nodes[target]["key"]
                a, b = self.paper[key], self.paper[other]
                sim = f"<{self.mint.similarity(key, other)}>"
                add(
                    f"{sim} {A} {KG_.Similarity} .\n{sim} {KG_.paper} {a} .\n{sim} {KG_.paper} {b} .\n"
                    f"{sim} {KG_.weight} {decimal(edge['weight'])} .\n"
                    f"{sim} {KG_.conceptSimilarity} {decimal(edge['by_concepts'])} .\n"
                )
                if edge["by_concepts"] > 0:
                    add(f"{sim} {KG_.basis} {KG_.ConceptOverlap} .\n")
                if edge.get("by_text") is not None:
                    add(f"{sim} {KG_.textSimilarity} {decimal(edge['by_text'])} .\n")
                # The text's key phrases or its words (the weight's other half) overlap.
                if (edge.get("by_text") or 0) > 0 or (edge.get("by_words") or 0) > 0:
                    add(f"{sim} {KG_.basis} {KG_.TextOverlap} .\n")
                for shared in edge["shared"]:
                    add(f"{sim} {KG_.sharedConcept} {self.concept[shared]} .\n")

    def _citation_link(self, key: str, other: str, edge: dict, out: list[str]) -> None:
        """A coupling, co-citation or embedding link, as a kg:Similarity of its own basis."""
        kind, basis, measure = _CITATION_LINKS[edge["rel"]]
        a, b = self.paper[key], self.paper[other]
        link = f"<{self.mint.linked(kind, key, other)}>"
        out.append(
            f"{link} {A} {KG_.Similarity} .\n{link} {KG_.paper} {a} .\n{link} {KG_.paper} {b} .\n"
            f"{link} {KG_.weight} {decimal(edge['weight'])} .\n{link} {KG_.basis} {basis} .\n"
        )
        if measure == KG_.embeddingSimilarity:
            out.append(f"{link} {measure} {decimal(edge['weight'])} .\n")
        else:
            out.append(f"{link} {measure} {integer(edge['count'])} .\n")

    def _linked(self, s: str, nid: str, out: list[str]) -> None:
        nodes = self.nodes
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                rel = _WEB_LINKS.get(edge["rel"])
                o = self.external(nodes[target]["iri"]) if rel else None
                if o is not None:
                    out.append(f"{s} {rel} {o} .\n")

    def repo_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        if s is None:
            return
        out.append(f"{s} {A} {SCHEMA_.SoftwareSourceCode} .\n")
        out.append(f"{s} {SCHEMA_.codeRepository} {typed(data['iri'], XSD_.anyURI)} .\n")
        if data.get("name"):
            out.append(f"{s} {SCHEMA_.name} {string(data['name'])} .\n")
        self._linked(s, nid, out)

    def page_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        if s is None:
            return
        out.append(f"{s} {A} {SCHEMA_.WebPage} .\n{s} {SCHEMA_.url} {typed(data['iri'], XSD_.anyURI)} .\n")
        self._linked(s, nid, out)

    def owner_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        if s is None:
            return
        out.append(f"{s} {A} {FOAF_.Agent} .\n{s} {FOAF_.name} {string(data['name'])} .\n")
        self._linked(s, nid, out)

    def host_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        if s is None:
            return
        out.append(f"{s} {A} {SCHEMA_.WebSite} .\n{s} {SCHEMA_.url} {typed(data['iri'], XSD_.anyURI)} .\n")

    def _web_units(
        self, by_kind: dict[str, list[str]]
    ) -> list[tuple[Callable[[str, dict, list[str]], None], str]]:
        """One unit per web address, in IRI order: nodes of several kinds may share one (a site's
        root page is the site; a page one paper calls its project page another merely links)."""
        same: dict[str, list[str]] = defaultdict(list)
        for kind in _WEB_KINDS:
            for nid in by_kind.get(kind, ()):
                same[self.nodes[nid]["iri"]].append(nid)
        self._same_iri = {}
        units: list[tuple[Callable[[str, dict, list[str]], None], str]] = []
        for iri in sorted(same):
            nids = sorted(same[iri], key=lambda n: (_WEB_KINDS.index(self.nodes[n]["kind"]), n))
            self._same_iri[nids[0]] = nids
            units.append((self.web_node, nids[0]))
        return units

    def web_node(self, nid: str, data: dict, out: list[str]) -> None:
        """Every node at one web address, as one subject group (each triple once)."""
        nids = self._same_iri[nid]
        if len(nids) == 1:
            self._web_methods[data["kind"]](nid, data, out)
            return
        lines: list[str] = []
        for n in nids:
            self._web_methods[self.nodes[n]["kind"]](n, self.nodes[n], lines)
        out.append("".join(dict.fromkeys("".join(lines).splitlines(keepends=True))))
