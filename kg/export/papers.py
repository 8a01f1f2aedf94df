"""The triples of papers, their authors and the outside works they cite."""

from __future__ import annotations

import re
from urllib.parse import quote

from kg import graph as g
from kg.export.ntriples import (
    CITO_,
    DATE_TYPES,
    DCTERMS_,
    FOAF_,
    KG_,
    OWL_,
    PROV_,
    SCHEMA_,
    XSD_,
    A,
    Writer,
    decimal,
    integer,
    string,
    typed,
)

_PAPER_LINKS = {g.REPOSITORY: KG_.repository, g.PROJECT_PAGE: KG_.projectPage, g.LINK: KG_.link}


class PaperTriples(Writer):
    """A paper's own subject group and its parts (authorships, topics, derivations); authors and works."""

    def paper_node(self, nid: str, data: dict, out: list[str]) -> None:
        key = data["key"]
        iri = self.mint.paper(key)
        s = self.paper[key]
        add = out.append
        if data["title"]:
            add(f"{s} {A} {SCHEMA_.ScholarlyArticle} .\n{s} {DCTERMS_.title} {string(data['title'])} .\n")
        else:  # known by an id only, until enrichment finds its title
            add(f'{s} {A} {SCHEMA_.ScholarlyArticle} .\n{s} {KG_.titleMissing} "true"^^{XSD_.boolean} .\n')
        if data.get("abstract") is not None:
            add(f"{s} {DCTERMS_.abstract} {string(data['abstract'])} .\n")
        else:
            add(f'{s} {KG_.abstractMissing} "true"^^{XSD_.boolean} .\n')
        # The text as written (LaTeX, Markdown links), where the shown text differs from it.
        if data.get("written_title") is not None:
            add(f"{s} {KG_.writtenTitle} {string(data['written_title'])} .\n")
        if data.get("written_abstract") is not None:
            add(f"{s} {KG_.writtenAbstract} {string(data['written_abstract'])} .\n")
        self._identity(s, data, out)
        nodes = self.nodes
        derivations: list[tuple[str, str, int, str]] = []  # (IRI, source name, line, JSON Pointer)
        topics = []
        authors = []
        for target, edges in self.succ[nid].items():
            for edge in edges.values():
                rel = edge["rel"]
                if rel == g.SUBJECT:
                    slug = nodes[target]["slug"]
                    add(f"{s} {DCTERMS_.subject} {self.concept[slug]} .\n")
                    topics.append((slug, edge["score"]))
                elif rel == g.MENTIONS:
                    add(f"{s} {SCHEMA_.mentions} {self.paper[nodes[target]['key']]} .\n")
                elif rel == g.CREATOR:
                    author = f"<{self.mint.author(nodes[target]['key'])}>"
                    add(f"{s} {DCTERMS_.creator} {author} .\n")
                    authors.append((edge["position"], author))
                elif rel == g.CITES:
                    cited = nodes[target]
                    o = self.paper[cited["key"]] if cited["kind"] == "paper" else self.external(cited["iri"])
                    if o is not None:
                        add(f"{s} {CITO_.cites} {o} .\n")
                elif rel == g.DERIVED_FROM:
                    name = nodes[target]["name"]
                    if not derivations or derivations[-1][1] != name:  # a page's edges come together
                        add(f"{s} {PROV_.wasDerivedFrom} {self.source[name]} .\n")
                    pointer = edge.get("pointer", "")
                    derivations.append(
                        (
                            f"<{self.mint.derivation(iri, name, edge['line'], pointer)}>",
                            name,
                            edge["line"],
                            pointer,
                        )
                    )
                elif rel in _PAPER_LINKS:
                    o = self.external(nodes[target]["iri"])
                    if o is not None:
                        add(
                            f"{s} {_PAPER_LINKS[rel]} {o} .\n{s} {KG_.writtenUrl} {string(edge['written'])} .\n"
                        )
                elif rel == g.SIMILAR:
                    add(f"{s} {KG_.similarTo} {self.paper[nodes[target]['key']]} .\n")
        for source, edges in self.pred[nid].items():  # the similar papers stored the other way
            if any(edge["rel"] == g.SIMILAR for edge in edges.values()):
                add(f"{s} {KG_.similarTo} {self.paper[nodes[source]['key']]} .\n")
        for d, *_ in derivations:
            add(f"{s} {PROV_.qualifiedDerivation} {d} .\n")
        authors.sort()
        authorships = [f"<{self.mint.authorship(iri, position)}>" for position, _ in authors]
        for a in authorships:
            add(f"{s} {KG_.authorship} {a} .\n")
        topic_iris = [f"<{self.mint.topic(iri, slug)}>" for slug, _ in topics]
        for t in topic_iris:
            add(f"{s} {KG_.topic} {t} .\n")
        # The paper's parts after the paper: each subject's triples stay together.
        for a, (position, author) in zip(authorships, authors, strict=True):
            add(f"{a} {A} {KG_.Authorship} .\n{a} {KG_.author} {author} .\n")
            add(f"{a} {KG_.position} {integer(position)} .\n")
        for t, (slug, score) in zip(topic_iris, topics, strict=True):
            add(
                f"{t} {A} {KG_.Topic} .\n{t} {KG_.concept} {self.concept[slug]} .\n"
                f"{t} {KG_.score} {decimal(score)} .\n"
            )
        for d, name, line, pointer in derivations:
            add(f"{d} {A} {PROV_.Derivation} .\n{d} {PROV_.entity} {self.source[name]} .\n")
            add(f"{d} {KG_.line} {integer(line)} .\n")
            if pointer:
                add(f"{d} {KG_.jsonPointer} {string(pointer)} .\n")

    def _identity(self, s: str, data: dict, out: list[str]) -> None:
        """What the inputs and enrichment tell of a paper: ids as owl:sameAs links, date, venue,
        arXiv categories (the primary one also as kg:primaryCategory)."""
        add = out.append
        same = []
        if data.get("arxiv_id"):
            add(f"{s} {KG_.arxivId} {string(data['arxiv_id'])} .\n")
            same.append(self.external(f"https://arxiv.org/abs/{data['arxiv_id']}"))
        if data.get("s2_id"):
            same.append(self.external(f"https://www.semanticscholar.org/paper/{data['s2_id']}"))
        if data.get("doi"):
            same.append(self.external(f"https://doi.org/{quote(data['doi'], safe='/:;()._-')}"))
        for o in same:
            if o is not None:
                add(f"{s} {OWL_.sameAs} {o} .\n")
        issued = data.get("issued")
        if issued:
            datatype = DATE_TYPES.get(len(issued))
            if datatype is not None and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", issued):
                add(f"{s} {DCTERMS_.issued} {typed(issued, datatype)} .\n")
        if data.get("upvotes") is not None:
            add(f"{s} {KG_.upvotes} {integer(data['upvotes'])} .\n")
        if data.get("citation_count") is not None:
            add(f"{s} {KG_.citationCount} {integer(data['citation_count'])} .\n")
        if data.get("influential_citation_count") is not None:
            add(f"{s} {KG_.influentialCitationCount} {integer(data['influential_citation_count'])} .\n")
        if data.get("venue"):
            add(f"{s} {KG_.venue} {string(data['venue'])} .\n")
        for position, code in enumerate(data.get("categories", ())):
            category = self.category[code]
            if position == 0:  # arXiv lists the primary category first
                add(f"{s} {KG_.primaryCategory} {category} .\n")
            add(f"{s} {KG_.category} {category} .\n")

    def author_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = f"<{self.mint.author(data['key'])}>"
        out.append(f"{s} {A} {FOAF_.Person} .\n{s} {FOAF_.name} {string(data['name'])} .\n")
        if data["key"].startswith("s2-"):
            s2 = self.external(f"https://www.semanticscholar.org/author/{data['key'][3:]}")
            if s2 is not None:
                out.append(f"{s} {OWL_.sameAs} {s2} .\n")

    def work_node(self, nid: str, data: dict, out: list[str]) -> None:
        s = self.external(data["iri"])
        if s is None:
            return
        out.append(f"{s} {A} {SCHEMA_.CreativeWork} .\n")
        if data.get("title"):
            out.append(f"{s} {DCTERMS_.title} {string(data['title'])} .\n")
        year = data.get("year")
        if year:
            out.append(f"{s} {DCTERMS_.issued} {typed(f'{year:04d}', XSD_.gYear)} .\n")
        nodes = self.nodes
        for target, edges in self.succ[nid].items():  # an outside work citing corpus papers
            if any(e["rel"] == g.CITES for e in edges.values()):
                out.append(f"{s} {CITO_.cites} {self.paper[nodes[target]['key']]} .\n")
