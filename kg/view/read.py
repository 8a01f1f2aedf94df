"""Read a build's RDF export back into the networkx model, so `kg view` redraws the user's
last build (never the bundled sample) without rebuilding it.

This is the one place that knows where a build keeps its graph: today graph.nt or graph.ttl
in the output directory (a store or manifest can take over here).  It inverts the export of
`kg.export.rdf` for what the view reads: papers, concepts, links, sources, authors, citations and
similarity links, with the attributes and node ids the pipeline gives them.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, unquote

import networkx as nx
import pyoxigraph as ox

from kg import graph as g
from kg.errors import KgError
from kg.export.iris import CITO, DCTERMS, FOAF, KG, OWL, PROV, RDF, SCHEMA, SKOS
from kg.view.select import BROADER, CITES, CREATOR

EXPORTS = ("graph.nt", "graph.ttl")  # N-Triples first: the fastest to parse
# kg:Similarity nodes that rest on citations or embeddings: their basis and what they count.
_CITATION_LINKS = {
    g.COUPLED: (KG.BibliographicCoupling, KG.sharedReferences),
    g.CO_CITED: (KG.CoCitation, KG.coCitations),
    g.NEAR: (KG.SpecterEmbedding, None),
}


def build_file(out: Path) -> Path:
    """The RDF file of the build in directory `out` (or `out` itself when it is a file)."""
    if out.is_file():
        return out
    for name in EXPORTS:
        if (out / name).is_file():
            return out / name
    raise KgError("no build here (graph.ttl or graph.nt); run `kg build` first", path=out)


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def read_build(out: Path) -> nx.MultiDiGraph:
    """The networkx model of the build written to directory `out` (or RDF file `out`)."""
    path = build_file(out)
    try:
        triples = ox.parse(path=str(path))
        by_subject: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            by_subject[_value(t.subject)][_value(t.predicate)].append(t.object)
    except (OSError, SyntaxError, ValueError) as err:
        raise KgError(f"cannot read the build's RDF ({err})", path=path) from None
    return _Model(by_subject).graph


def _types(props: dict[str, list[object]]) -> set[str]:
    return {_value(o) for o in props.get(str(RDF.type), ())}


class _Model:
    """Builds the model from triples grouped by subject (IRI -> predicate -> objects)."""

    def __init__(self, triples: dict[str, dict[str, list[object]]]):
        self.t = triples
        self.graph = nx.MultiDiGraph()
        kinds: dict[str, set[str]] = defaultdict(set)
        for s, props in triples.items():
            for rdf_type in _types(props):
                kinds[rdf_type].add(s)
        self.kinds = kinds
        self.base = self._base()
        self.id: dict[str, str] = {}
        self._sources()
        self._agents()
        self._concepts()
        self._papers()

    def one(self, s: str, p: object, default: str | None = None) -> str | None:
        values = self.t.get(s, {}).get(str(p), ())
        return _value(values[0]) if values else default

    def all(self, s: str, p: object) -> list[str]:
        return sorted(_value(o) for o in self.t.get(s, {}).get(str(p), ()))

    def _base(self) -> str:
        """The base IRI the build minted under, from a source (its IRI ends in its name)."""
        for s in sorted(self.kinds[str(PROV.Entity)]):
            name = self.one(s, DCTERMS.source)
            tail = "source/" + quote(name or "", safe="/")
            if name and s.endswith(tail):
                return s[: -len(tail)]
        for s in sorted(self.kinds[str(SCHEMA.ScholarlyArticle)]):
            if "/paper/" in s:
                return s[: s.rindex("/paper/") + 1]
        return ""

    def key(self, iri: str, part: str) -> str:
        prefix = f"{self.base}{part}/"
        return unquote(iri[len(prefix) :]) if iri.startswith(prefix) else iri

    def _sources(self) -> None:
        for s in sorted(self.kinds[str(PROV.Entity)]):
            name = self.one(s, DCTERMS.source)
            if name is None:
                continue
            nid = g.node_id("source", name)
            self.graph.add_node(
                nid,
                kind="source",
                name=name,
                listed=self.one(s, KG.listingDate),
                format=self.one(s, KG.inputFormat) or "page",
            )
            self.id[s] = nid

    def _agents(self) -> None:
        hosts = self.kinds[str(SCHEMA.WebSite)]
        for s in sorted(hosts):
            self.graph.add_node(g.node_id("host", s), kind="host", iri=s)
        project_pages = {_value(o) for props in self.t.values() for o in props.get(str(KG.projectPage), ())}
        for s in sorted(self.kinds[str(FOAF.Agent)]):
            self.id[s] = g.node_id("owner", s)
            self.graph.add_node(self.id[s], kind="owner", iri=s, name=self.one(s, FOAF.name))
        for s in sorted(self.kinds[str(SCHEMA.SoftwareSourceCode)]):
            self.id[s] = g.node_id("repo", s)
            self.graph.add_node(self.id[s], kind="repo", iri=s, name=self.one(s, SCHEMA.name))
        for s in sorted(self.kinds[str(SCHEMA.WebPage)]):
            kind = "page" if s in project_pages else "link"
            self.id[s] = g.node_id(kind, s)
            self.graph.add_node(self.id[s], kind=kind, iri=s, name=None)
        for s in sorted(self.id):
            for rel, prop in ((g.OWNER, KG.owner), (g.HOST, KG.host)):
                for target in self.all(s, prop):
                    nid = self.id.get(target) or (g.node_id("host", target) if target in hosts else None)
                    if nid is not None and self.id[s].split(":", 1)[0] != "source":
                        self.graph.add_edge(self.id[s], nid, rel=rel)
        for s in sorted(self.kinds[str(FOAF.Person)]):
            key = self.key(s, "author")
            self.id[s] = g.node_id("author", key)
            self.graph.add_node(self.id[s], kind="author", key=key, name=self.one(s, FOAF.name))
        for s in sorted(self.kinds[str(SCHEMA.CreativeWork)]):
            if s not in self.kinds[str(SCHEMA.ScholarlyArticle)]:
                self.id[s] = g.node_id("work", s)
                self.graph.add_node(self.id[s], kind="work", iri=s, title=self.one(s, DCTERMS.title))

    def _concepts(self) -> None:
        # arXiv categories are concepts of their own scheme, with a notation: papers keep their codes.
        concepts = sorted(s for s in self.kinds[str(SKOS.Concept)] if str(SKOS.notation) not in self.t[s])
        for s in concepts:
            slug = self.key(s, "concept")
            self.id[s] = g.node_id("concept", slug)
            self.graph.add_node(
                self.id[s],
                kind="concept",
                slug=slug,
                label=self.one(s, SKOS.prefLabel),
                alt_labels=self.all(s, SKOS.altLabel),
                papers=int(self.one(s, KG.paperCount, "0") or 0),
            )
        for s in concepts:
            for broader in self.all(s, SKOS.broader):
                if broader in self.id:
                    self.graph.add_edge(self.id[s], self.id[broader], rel=BROADER)
        for c in sorted(self.kinds[str(KG.Cooccurrence)]):
            pair = [self.id[x] for x in self.all(c, KG.concept) if x in self.id]
            if len(pair) == 2:
                self.graph.add_edge(
                    pair[0], pair[1], rel=g.RELATED, weight=int(self.one(c, KG.support, "0") or 0)
                )

    def _papers(self) -> None:
        papers = sorted(self.kinds[str(SCHEMA.ScholarlyArticle)])
        for s in papers:
            key = self.key(s, "paper")
            self.id[s] = g.node_id("paper", key)
        for s in papers:
            self._paper(s)
        for sim in sorted(self.kinds[str(KG.Similarity)]):
            pair = sorted(self.all(sim, KG.paper))
            if len(pair) != 2 or pair[0] not in self.id or pair[1] not in self.id:
                continue
            a, b = sorted((self.id[pair[0]], self.id[pair[1]]))
            bases = set(self.all(sim, KG.basis))
            linked = next((rel for rel, (basis, _) in _CITATION_LINKS.items() if str(basis) in bases), None)
            if linked is not None:  # coupling, co-citation or embedding: a link of its own
                count = _CITATION_LINKS[linked][1]
                link: dict[str, object] = {"rel": linked, "weight": float(self.one(sim, KG.weight, "0") or 0)}
                if count is not None:
                    link["count"] = int(self.one(sim, count, "0") or 0)
                self.graph.add_edge(a, b, **link, basis=g.LINK_BASIS[linked])
                continue
            attrs: dict[str, object] = {
                "rel": g.SIMILAR,
                "weight": float(self.one(sim, KG.weight, "0") or 0),
                "shared": [self.key(c, "concept") for c in self.all(sim, KG.sharedConcept)],
            }
            by_concepts, by_text = self.one(sim, KG.conceptSimilarity), self.one(sim, KG.textSimilarity)
            attrs["by_concepts"] = float(by_concepts or 0)
            attrs["by_text"] = float(by_text) if by_text is not None else None
            attrs["basis"] = g.similarity_basis(attrs["by_text"])  # type: ignore[arg-type]
            self.graph.add_edge(a, b, **attrs)

    def _paper(self, s: str) -> None:
        nid = self.id[s]
        attrs: dict[str, object] = {
            "kind": "paper",
            "key": nid.split(":", 1)[1],
            "title": self.one(s, DCTERMS.title) or "",
            "abstract": self.one(s, DCTERMS.abstract),
        }
        for same in self.all(s, OWL.sameAs):
            if same.startswith("https://www.semanticscholar.org/paper/"):
                attrs["s2_id"] = same.rsplit("/", 1)[1]
            elif same.startswith("https://doi.org/"):
                attrs["doi"] = unquote(same[len("https://doi.org/") :])
        for attr, prop in (("arxiv_id", KG.arxivId), ("issued", DCTERMS.issued), ("venue", KG.venue)):
            value = self.one(s, prop)
            if value is not None:
                attrs[attr] = value
        for prop in (KG.citationCount, SCHEMA.citationCount):
            count = self.one(s, prop)
            if count is not None:
                attrs["citation_count"] = int(float(count))
        primary = self.all(s, KG.primaryCategory)
        categories = [self.one(c, SKOS.notation) for c in primary + self.all(s, KG.category)]
        if categories:
            attrs["categories"] = list(dict.fromkeys(c for c in categories if c))
        self.graph.add_node(nid, **attrs)
        add = self.graph.add_edge
        for topic in self.all(s, KG.topic):
            concept = self.one(topic, KG.concept)
            if concept in self.id:
                add(nid, self.id[concept], rel=g.SUBJECT, score=float(self.one(topic, KG.score, "0") or 0))
        for rel, prop in ((g.REPOSITORY, KG.repository), (g.PROJECT_PAGE, KG.projectPage), (g.LINK, KG.link)):
            for target in self.all(s, prop):
                if target in self.id:
                    add(nid, self.id[target], rel=rel, written="")
        for target in self.all(s, SCHEMA.mentions):
            if target in self.id:
                add(nid, self.id[target], rel=g.MENTIONS, name="")
        for target in self.all(s, CITO.cites):
            if target in self.id:
                add(nid, self.id[target], rel=CITES)
        for authorship in self.all(s, KG.authorship):
            author = self.one(authorship, KG.author)
            if author in self.id:
                add(
                    nid,
                    self.id[author],
                    rel=CREATOR,
                    position=int(self.one(authorship, KG.position, "0") or 0),
                )
        for derivation in self.all(s, PROV.qualifiedDerivation):
            source = self.one(derivation, PROV.entity)
            if source in self.id:
                add(
                    nid,
                    self.id[source],
                    rel=g.DERIVED_FROM,
                    line=int(self.one(derivation, KG.line, "0") or 0),
                )
