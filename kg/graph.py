"""Build the one networkx model of the corpus: typed nodes (`kind`) and typed edges (`rel`)."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg.extract.concepts import ConceptMap
from kg.model import Link, LinkKind, Paper, Reference, Source
from kg.relate.citations import Linked
from kg.relate.embeddings import Near
from kg.relate.similarity import Similar
from kg.sources.identity import normalize_title

# Edge relations (`rel`) and what they join.
DERIVED_FROM = "derived_from"  # paper -> source, attrs: line, pointer (JSON sources only)
REPOSITORY = "repository"  # paper -> repo, attrs: written
PROJECT_PAGE = "project_page"  # paper -> page, attrs: written
LINK = "link"  # paper -> link or owner (a code-host profile), attrs: written
OWNER = "owner"  # repo/page -> owner
HOST = "host"  # repo/page/link/owner -> host


def node_id(kind: str, key: str) -> str:
    """Node ids are `kind:key`; keys are paper keys, source names or IRIs."""
    return f"{kind}:{key}"


def build_graph(papers: Iterable[Paper], sources: Iterable[Source]) -> nx.MultiDiGraph:
    """Papers, their sources and their links as one typed `MultiDiGraph`.

    Papers that share a repository owner meet at the owner node (paper -> repo -> owner).
    Node and edge insertion follows the sorted inputs, so iteration order is stable.
    """
    graph = nx.MultiDiGraph()
    for source in sorted(sources):
        graph.add_node(
            node_id("source", source.name),
            kind="source",
            name=source.name,
            listed=source.listed,
            format=source.format,
        )
    for paper in papers:
        pid = node_id("paper", paper.key)
        graph.add_node(pid, kind="paper", key=paper.key, title=paper.title, abstract=paper.abstract)
        if paper.written_title is not None:
            graph.nodes[pid]["written_title"] = paper.written_title
        if paper.written_abstract is not None:
            graph.nodes[pid]["written_abstract"] = paper.written_abstract
        for occ in paper.occurrences:
            if occ.pointer:
                graph.add_edge(
                    pid, node_id("source", occ.source), rel=DERIVED_FROM, line=occ.line, pointer=occ.pointer
                )
            else:
                graph.add_edge(pid, node_id("source", occ.source), rel=DERIVED_FROM, line=occ.line)
        for link in paper.links:
            _add_link(graph, pid, link)
    _add_enrichment(graph, list(papers))
    return graph


CREATOR = "creator"  # paper -> author, attrs: position (1-based)
CITES = "cites"  # paper -> paper or work; work -> paper (an outside work citing a corpus paper)


def _add_enrichment(graph: nx.MultiDiGraph, papers: list[Paper]) -> None:
    """Identifiers, authors and references that enrichment found (nothing without it)."""
    by_arxiv = {p.arxiv_id: p.key for p in papers if p.arxiv_id}
    by_s2 = {p.s2_id: p.key for p in papers if p.s2_id}
    by_title = {normalize_title(p.title): p.key for p in papers if p.title}
    for paper in papers:
        pid = node_id("paper", paper.key)
        node = graph.nodes[pid]
        for attr in ("arxiv_id", "s2_id", "doi", "issued", "venue"):
            if getattr(paper, attr):
                node[attr] = getattr(paper, attr)
        if paper.upvotes is not None:
            node["upvotes"] = paper.upvotes
        if paper.issued and paper.issued[:4].isdigit():
            node["year"] = int(paper.issued[:4])
        if paper.citation_count is not None:
            node["citation_count"] = paper.citation_count
        if paper.influential_citation_count is not None:
            node["influential_citation_count"] = paper.influential_citation_count
        if paper.categories:
            node["categories"] = list(paper.categories)
        for position, (name, author_id) in enumerate(paper.authors, start=1):
            key = f"s2-{author_id}" if author_id else slug_name(name)
            aid = node_id("author", key)
            if aid not in graph:
                graph.add_node(aid, kind="author", key=key, name=name)
            graph.add_edge(pid, aid, rel=CREATOR, position=position)
        for ref in paper.references:
            target = _corpus_paper(ref, by_arxiv, by_s2, by_title)
            if target == paper.key:
                continue
            other = node_id("paper", target) if target is not None else _work(graph, ref)
            if other is not None:
                _cite(graph, pid, other)
    # Citing works, once every paper is a node: a corpus paper citing another gets one edge.
    for paper in papers:
        pid = node_id("paper", paper.key)
        for ref in paper.citations:
            source = _corpus_paper(ref, by_arxiv, by_s2, by_title)
            if source == paper.key:
                continue
            other = node_id("paper", source) if source is not None else _work(graph, ref)
            if other is not None:
                _cite(graph, other, pid)


def _corpus_paper(
    ref: Reference, by_arxiv: dict[str, str], by_s2: dict[str, str], by_title: dict[str, str]
) -> str | None:
    return (
        by_arxiv.get(ref.arxiv_id or "")
        or by_s2.get(ref.s2_id or "")
        or by_title.get(normalize_title(ref.title or "") or "-")
    )


def _work(graph: nx.MultiDiGraph, ref: Reference) -> str | None:
    """The node of an outside work (made on first sight), known by its arXiv or S2 page."""
    if ref.arxiv_id:
        iri = f"https://arxiv.org/abs/{ref.arxiv_id}"
    elif ref.s2_id:
        iri = f"https://www.semanticscholar.org/paper/{ref.s2_id}"
    else:
        return None
    wid = node_id("work", iri)
    if wid not in graph:
        graph.add_node(wid, kind="work", iri=iri, title=ref.title, year=ref.year)
    elif ref.year and not graph.nodes[wid].get("year"):
        graph.nodes[wid]["year"] = ref.year
    return wid


def _cite(graph: nx.MultiDiGraph, citing: str, cited: str) -> None:
    if not any(e.get("rel") == CITES for e in graph.succ[citing].get(cited, {}).values()):
        graph.add_edge(citing, cited, rel=CITES)


def slug_name(name: str) -> str:
    """Author key from a name when no author id is known."""
    return normalize_title(name).replace(" ", "-") or "anonymous"


def _add_node_once(graph: nx.MultiDiGraph, nid: str, **attrs: object) -> bool:
    if nid in graph:
        return False
    graph.add_node(nid, **attrs)
    return True


def _add_link(graph: nx.MultiDiGraph, pid: str, link: Link) -> None:
    host = node_id("host", link.host)
    _add_node_once(graph, host, kind="host", iri=link.host)
    owner = None
    if link.owner is not None:
        owner = node_id("owner", link.owner)
        if _add_node_once(graph, owner, kind="owner", iri=link.owner, name=link.owner_name):
            owner_host = link.owner.rsplit("/", 1)[0]
            _add_node_once(graph, node_id("host", owner_host), kind="host", iri=owner_host)
            graph.add_edge(owner, node_id("host", owner_host), rel=HOST)
    if link.kind is LinkKind.OWNER:
        assert owner is not None
        graph.add_edge(pid, owner, rel=LINK, written=link.written)
        return
    kind, rel = {
        LinkKind.REPO: ("repo", REPOSITORY),
        LinkKind.PROJECT: ("page", PROJECT_PAGE),
        LinkKind.OTHER: ("link", LINK),
    }[link.kind]
    target = node_id(kind, link.target)
    name = f"{link.owner_name}/{link.repo_name}" if link.kind is LinkKind.REPO else None
    if _add_node_once(graph, target, kind=kind, iri=link.target, name=name):
        graph.add_edge(target, host, rel=HOST)
        if owner is not None:
            graph.add_edge(target, owner, rel=OWNER)
    graph.add_edge(pid, target, rel=rel, written=link.written)


def nodes_of(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    """Node ids of one kind, in insertion order."""
    return [n for n, k in graph.nodes(data="kind") if k == kind]


SUBJECT = "subject"  # paper -> concept, attrs: score
RELATED = "related"  # concept -> concept (a < b), attrs: weight (papers carrying both)
# paper -> paper (a < b), attrs: weight, shared (concept slugs), by_concepts, by_text, by_words, basis
SIMILAR = "similar"
BROADER = "broader"  # concept -> the concept it specialises
MENTIONS = "mentions"  # paper -> paper, attrs: name


def add_concepts(
    graph: nx.MultiDiGraph,
    concepts: ConceptMap,
    related: Iterable[tuple[str, str, int]],
    similar: Iterable[Similar],
    mentions: Iterable[tuple[str, str, str]],
) -> None:
    """Concept nodes and the links they imply, added to a graph from `build_graph`."""
    slug = {k: c.slug for k, c in concepts.concepts.items()}
    for key in sorted(concepts.concepts, key=lambda k: slug[k]):
        c = concepts.concepts[key]
        graph.add_node(
            node_id("concept", c.slug),
            kind="concept",
            slug=c.slug,
            label=c.label,
            alt_labels=c.alt_labels,
            papers=c.papers,
        )
    for paper_key in sorted(concepts.tags):
        pid = node_id("paper", paper_key)
        for key, score in concepts.tags[paper_key]:
            graph.add_edge(pid, node_id("concept", slug[key]), rel=SUBJECT, score=score)
    for key in sorted(concepts.concepts, key=lambda k: slug[k]):
        broader = concepts.concepts[key].broader
        if broader is not None:
            graph.add_edge(node_id("concept", slug[key]), node_id("concept", slug[broader]), rel=BROADER)
    for a, b, weight in related:
        graph.add_edge(node_id("concept", slug[a]), node_id("concept", slug[b]), rel=RELATED, weight=weight)
    for pair in similar:
        graph.add_edge(
            node_id("paper", pair.a),
            node_id("paper", pair.b),
            rel=SIMILAR,
            weight=pair.weight,
            shared=[slug[k] for k in pair.shared],
            by_concepts=pair.by_concepts,
            by_text=pair.by_text,
            by_words=pair.by_words,
            basis=similarity_basis(pair.by_text),
        )
    for source, target, name in mentions:
        graph.add_edge(node_id("paper", source), node_id("paper", target), rel=MENTIONS, name=name)


def similarity_basis(by_text: float | None) -> str:
    """What made a similarity link, as one word: its texts where they are known, else its concepts."""
    return "concepts" if by_text is None else "text"


COUPLED = "coupled"  # paper -> paper (a < b), attrs: count (shared references), weight, basis
CO_CITED = "co_cited"  # paper -> paper (a < b), attrs: count (works citing both), weight, basis
NEAR = "near"  # paper -> paper (a < b), attrs: weight (cosine of SPECTER v2 embeddings), basis
# The one-word basis of each citation or embedding link, as `similarity_basis` names a
# `SIMILAR` link's: the view draws and lists all of them as similar papers.
LINK_BASIS = {COUPLED: "references", CO_CITED: "citations", NEAR: "embedding"}
SIMILARITIES = (SIMILAR, COUPLED, CO_CITED, NEAR)


def add_citation_links(
    graph: nx.MultiDiGraph, coupled: Iterable[Linked], co_cited: Iterable[Linked], near: Iterable[Near] = ()
) -> None:
    """Bibliographic coupling, co-citation and embedding links between corpus papers."""
    for rel, links in ((COUPLED, coupled), (CO_CITED, co_cited)):
        for link in links:
            graph.add_edge(
                node_id("paper", link.a),
                node_id("paper", link.b),
                rel=rel,
                count=link.count,
                weight=link.weight,
                basis=LINK_BASIS[rel],
            )
    for pair in near:
        graph.add_edge(
            node_id("paper", pair.a),
            node_id("paper", pair.b),
            rel=NEAR,
            weight=pair.cosine,
            basis=LINK_BASIS[NEAR],
        )
