"""The triples of concepts: labels, hierarchy, co-occurrence, and the concept scheme."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from kg import graph as g
from kg.export.ntriples import (
    DCTERMS_,
    KG_,
    SKOS_,
    A,
    Writer,
    integer,
    string,
)


class ConceptTriples(Writer):
    """Concepts and their scheme."""

    def __init__(self, graph: nx.MultiDiGraph, base: str):
        super().__init__(graph, base)
        self._related = self._linked_slugs(g.RELATED, both=True)
        self._narrower = self._linked_slugs(g.BROADER, both=False, reverse=True)

    def _linked_slugs(self, rel: str, *, both: bool, reverse: bool = False) -> dict[str, list[str]]:
        """Per concept node, the slugs of the concepts it links to by `rel` (`reverse`: that
        link to it; `both`: either way)."""
        linked: dict[str, list[str]] = defaultdict(list)
        nodes = self.nodes
        for nid, kind in self.graph.nodes(data="kind"):
            if kind != "concept":
                continue
            for other, edges in self.succ[nid].items():
                if any(e["rel"] == rel for e in edges.values()):
                    if both or not reverse:
                        linked[nid].append(nodes[other]["slug"])
                    if both or reverse:
                        linked[other].append(nodes[nid]["slug"])
        return linked

    def concept_node(self, nid: str, data: dict, out: list[str]) -> None:
        slug = data["slug"]
        s = self.concept[slug]
        add = out.append
        add(f"{s} {A} {SKOS_.Concept} .\n{s} {SKOS_.prefLabel} {string(data['label'])} .\n")
        for alt in data["alt_labels"]:
            add(f"{s} {SKOS_.altLabel} {string(alt)} .\n")
        add(
            f"{s} {SKOS_.inScheme} <{self.mint.scheme}> .\n{s} {KG_.paperCount} {integer(data['papers'])} .\n"
        )
        for other in sorted(self._related.get(nid, ())):
            add(f"{s} {SKOS_.related} {self.concept[other]} .\n")
        for other in sorted(self._narrower.get(nid, ())):
            add(f"{s} {SKOS_.narrower} {self.concept[other]} .\n")
        nodes = self.nodes
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                if edge["rel"] == g.BROADER:
                    add(f"{s} {SKOS_.broader} {self.concept[nodes[target]['slug']]} .\n")
                elif edge["rel"] == g.RELATED:
                    other = nodes[target]["slug"]
                    c = f"<{self.mint.cooccurrence(slug, other)}>"
                    add(
                        f"{c} {A} {KG_.Cooccurrence} .\n{c} {KG_.concept} {s} .\n"
                        f"{c} {KG_.concept} {self.concept[other]} .\n{c} {KG_.support} {integer(edge['weight'])} .\n"
                    )

    def scheme(self, nid: str, data: dict, out: list[str]) -> None:
        s = f"<{self.mint.scheme}>"
        title = string("Concepts extracted from the corpus by kg")
        out.append(f"{s} {A} {SKOS_.ConceptScheme} .\n{s} {DCTERMS_.title} {title} .\n")
