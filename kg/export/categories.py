"""The triples of arXiv categories: one SKOS concept per category papers name, in a scheme of
its own, labelled with arXiv's official name (`kg.export.taxonomy`)."""

from __future__ import annotations

from collections import Counter

from kg.export.ntriples import DCTERMS_, KG_, SKOS_, A, Writer, integer, string
from kg.export.taxonomy import category_name


class CategoryTriples(Writer):
    """arXiv categories as `skos:Concept`s of the category scheme."""

    def categories(self, nid: str, data: dict, out: list[str]) -> None:
        """Every category some paper is in (sorted by code), then the scheme."""
        counts: Counter[str] = Counter()
        for _, node in self.graph.nodes(data=True):
            if node.get("kind") == "paper":
                counts.update(node.get("categories", ()))
        if not counts:
            return
        scheme = f"<{self.mint.category_scheme}>"
        add = out.append
        for code in sorted(counts):
            s = self.category[code]
            add(
                f"{s} {A} {SKOS_.Concept} .\n{s} {SKOS_.notation} {string(code)} .\n"
                f"{s} {SKOS_.prefLabel} {string(category_name(code))} .\n"
                f"{s} {SKOS_.inScheme} {scheme} .\n{s} {KG_.paperCount} {integer(counts[code])} .\n"
            )
        title = string("arXiv category taxonomy (https://arxiv.org/category_taxonomy)")
        add(f"{scheme} {A} {SKOS_.ConceptScheme} .\n{scheme} {DCTERMS_.title} {title} .\n")
