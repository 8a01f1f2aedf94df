"""The `kg build` pipeline: ingest -> links -> graph -> RDF (and the HTML view)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import requests

from kg import graph as g
from kg.enrich import EnrichOptions, EnrichReport, enrich_papers
from kg.enrich.plan import Plan
from kg.enrich.session import make_session
from kg.errors import ConfigError
from kg.export.files import atomic_outputs, remove_stale_temps
from kg.export.gephi import FORMATS as GEPHI_FORMATS
from kg.export.gephi import write_gephi
from kg.export.rdf import DEFAULT_BASE, FORMATS, write_graphs
from kg.export.store import MANIFEST, STORE_DIR, Manifest, remove_stale, stamp_store
from kg.extract.concepts import ConceptMap, ConceptOptions, extract_concepts
from kg.extract.links import extract_links
from kg.extract.phrases import clear_caches
from kg.extract.text import normalise_papers
from kg.extract.vocabulary import stoplisted_other_labels
from kg.model import Link, Paper
from kg.parallel import Background, Beside, Count, advance, cores, run_jobs, split, workers_for
from kg.relate.citations import co_citation, coupling
from kg.relate.embeddings import specter_neighbours
from kg.relate.mentions import mentions
from kg.relate.similarity import read_texts, related_concepts, similar_papers
from kg.relate.words import word_rows
from kg.sources import SnapshotFilter, load_sources, merge_entries
from kg.stages import Progress, StageDone, Stages, counter, gc_paused
from kg.view import ViewOptions, render_html

# Papers a worker handles between two progress counts (`kg.parallel.advance`).
PROGRESS_EVERY = 256

# Graphs of at least this many edges (~1,000 real papers) have their map drawn by a process
# of its own while the RDF is written; below it the page takes a fraction of a second anyway.
MAP_BESIDE_MIN_EDGES = 20_000


def sample_corpus() -> Path:
    """The bundled sample pages (five saved Daily Papers pages)."""
    return Path(str(resources.files("kg") / "data" / "seeds"))


def vocabulary_file() -> Path:
    """The `kg:` vocabulary, as Turtle."""
    return Path(str(resources.files("kg") / "data" / "vocab.ttl"))


@dataclass
class BuildResult:
    """What a build read, made and wrote."""

    files: int
    entries: int
    papers: list[Paper]
    graph: nx.MultiDiGraph
    triples: int = 0
    outputs: list[Path] = field(default_factory=list)  # files written, the manifest last
    store: Path | None = None  # the Oxigraph store folder
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # inputs named twice, files skipped, filters
    skipped: int = 0  # files found in folders that are no input format
    # Titles, abstracts and names shown otherwise than written (LaTeX, Markdown, wraps);
    # values repaired (characters no export can hold removed); values dropped (links, IRIs
    # that no export can hold).  Each paper concerned is named in one warning.
    normalised: int = 0
    repaired: int = 0
    dropped: int = 0
    # Wall time per stage (ingest, [enrich,] extract, concepts, graph, rdf, html).
    timings: dict[str, float] = field(default_factory=dict)
    elapsed: float = 0.0  # wall time of the whole build
    concepts: ConceptMap | None = None
    enrichment: EnrichReport | None = None

    def count(self, kind: str) -> int:
        return len(g.nodes_of(self.graph, kind))

    @property
    def papers_with_repo(self) -> int:
        return sum(any(link.kind.value == "repo" for link in p.links) for p in self.papers)


def _links_of(papers: Sequence[Paper]) -> list[tuple[list[Link], list[str]] | None]:
    """Each paper's links, and the URLs it wrote that name no exportable web address."""
    found: list[tuple[list[Link], list[str]] | None] = []
    for i, paper in enumerate(papers, 1):
        if paper.abstract:
            dropped: list[str] = []
            found.append((extract_links(paper.abstract, dropped), dropped))
        else:
            found.append(None)
        if i % PROGRESS_EVERY == 0:
            advance(PROGRESS_EVERY)
    return found


def _paper_problems(papers: Sequence[Paper], problems: dict[str, list[str]]) -> list[str]:
    """One warning line per paper with problems, naming it by where it was read."""
    lines = []
    for paper in papers:
        if paper.key in problems:
            occurrence = paper.occurrences[0] if paper.occurrences else None
            where = f"{occurrence.source}:{occurrence.line} " if occurrence else ""
            name = f"arXiv {paper.arxiv_id}" if paper.arxiv_id else repr(paper.title[:80])
            if occurrence and occurrence.pointer:  # the item of a JSON array all on one line
                name = f"{occurrence.pointer}, {name}"
            lines.append(f"{where}({name}): {'; '.join(problems[paper.key])}")
    return lines


@gc_paused()
def build_corpus(
    inputs: Sequence[str | Path] | None = None,
    *,
    skip_bad: bool = False,
    input_format: str | None = None,
    concepts: ConceptOptions | None = None,
    enrich: Sequence[str] = (),
    session: requests.Session | None = None,
    enrich_options: EnrichOptions | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    keep: SnapshotFilter | None = None,
    on_stage: StageDone | None = None,
) -> BuildResult:
    """Read the inputs and build the networkx model, writing nothing.

    Each input's format is detected from its content unless `input_format` (one of
    `kg.sources.FORMATS`) forces one.  `enrich` names sources ("arxiv", "s2", "specter") to ask, through
    `session` (a requests-cache session; by default one at
    `kg.enrich.session.default_cache_path()`), as `enrich_options` say; `on_plan` sees the
    request plan before anything is sent.  A large corpus is shared among `jobs` worker
    processes (default: one per core; 1 keeps it in this one).  `keep` says which papers of an
    arXiv snapshot to read (categories, months).  `progress` is told each
    stage's work as it goes, `on_stage` each stage's time as it ends.
    """
    timings: dict[str, float] = {}
    stage = Stages(timings, on_stage)
    with stage("ingest"):
        if progress:
            progress("read", 0, 1)  # the files are counted once found
        pages = load_sources(
            inputs or [sample_corpus()],
            skip_bad=skip_bad,
            input_format=input_format,
            progress=(lambda d, t: progress("read", d, t)) if progress else None,
            keep=keep,
        )
        papers = merge_entries(pages.entries, pages.warnings)

    report = None
    if enrich:
        with stage("enrich"):
            papers, report = enrich_papers(
                papers,
                enrich,
                session=session or make_session(),
                progress=progress,
                options=enrich_options,
                on_plan=on_plan,
            )

    # Text as a reader sees it, before anything reads it: links, phrases and concepts.
    with stage("text"):
        tell = counter(progress, "normalise", len(papers))
        text = normalise_papers(papers)
        if tell:
            tell(len(papers))

    with stage("extract"):
        workers = workers_for(len(papers), jobs)
        runs = split(papers, workers)
        found = run_jobs(
            [partial(_links_of, run) for run in runs],
            parallel=workers > 1,
            workers=workers,
            progress=counter(progress, "links", len(papers)),
        )
        dropped = 0
        for run, links in zip(runs, found, strict=True):
            for paper, paper_found in zip(run, links, strict=True):
                if not paper_found:
                    continue
                paper_links, bad = paper_found
                if bad:
                    dropped += len(bad)
                    shown = ", ".join(repr(url[:100]) for url in bad[:3]) + (", …" if len(bad) > 3 else "")
                    what = "links that name" if len(bad) > 1 else "link that names"
                    text.problems.setdefault(paper.key, []).append(
                        f"dropped {len(bad)} {what} no valid web address ({shown})"
                    )
                if paper_links:
                    # Links an input gave (a repository, a project page) come first, once each.
                    known = {link.target for link in paper.links}
                    paper.links = paper.links + [link for link in paper_links if link.target not in known]
        if progress:
            progress("links", len(papers), len(papers))
    untitled = sum(1 for p in papers if not p.title)
    if untitled:
        pages.warnings.append(
            f"{untitled} of {len(papers)} papers have no title (known only by arXiv id or DOI); "
            + (
                "enrichment did not find them"
                if enrich
                else "--enrich arxiv fills in titles, abstracts and authors"
            )
        )

    with stage("concepts"):
        # The words of the papers' texts (for the similar papers) need no concepts: on a large
        # corpus a process reads them while another finds the concepts and hands back only
        # the map of them: the millions of small objects its steps make and free would stay
        # here as fragmented memory through the RDF and the map (on the dev corpus that
        # phase's peak, all processes, fell from 1.87 to 1.52 GB).
        apart = workers > 1
        count = Count("concepts", progress) if apart and progress else None
        started: list[Background[Any]] = [reading := Background(partial(word_rows, papers), parallel=apart)]
        try:
            find = partial(extract_concepts, papers, concepts, workers=jobs, progress=count or progress)
            started.append(finding := Background(find, parallel=apart, forks=True))
            concept_map = finding.result(waiting=count.show if count else None)
        except BaseException:
            for job in started:
                job.cancel()
            raise
        clear_caches()
    with stage("similar"):
        # Three independent readings of the concepts.  The mentions and the related concepts
        # need no texts: on a large corpus a process of its own works them out while this one
        # reads the texts and finds the similar papers, the longest of the three.  (Here, not
        # in a worker: a worker forked from this process would copy what it writes to.)
        beside = Background(
            lambda: (mentions(papers, concept_map), related_concepts(concept_map)), parallel=workers > 1
        )
        try:
            words = reading.result()
            texts = read_texts(concept_map, papers, workers=workers, words=words)
            del words
            (similar,) = run_jobs(
                [partial(similar_papers, concept_map, papers, texts)],
                parallel=False,
                progress=counter(progress, "similar papers", len(papers)),
            )
            mentioned, related = beside.result()
        except BaseException:
            beside.cancel()
            raise
        del texts
        concept_map.text = None  # the texts' vectors served the similar papers; the exports need none
        if progress:
            progress("similar papers", len(papers), len(papers))

    with stage("graph"):
        steps = 3 if enrich else 2
        tell = counter(progress, "graph", steps)
        graph = g.build_graph(papers, pages.sources)
        if tell:
            tell(1)
        g.add_concepts(graph, concept_map, related, similar, mentioned)
        if enrich:
            g.add_citation_links(graph, coupling(papers), co_citation(papers), specter_neighbours(papers))
        if tell:
            tell(steps)
    return BuildResult(
        files=len(pages.sources),
        entries=len(pages.entries),
        papers=papers,
        graph=graph,
        warnings=pages.warnings
        + stoplisted_other_labels(concept_map, (concepts or ConceptOptions()).stoplist)
        + (report.warnings if report else [])
        + _paper_problems(papers, text.problems),
        notes=pages.notes,
        skipped=len(pages.skipped),
        normalised=text.normalised,
        repaired=text.repaired,
        dropped=dropped,
        timings=timings,
        concepts=concept_map,
        enrichment=report,
    )


def build(
    inputs: Sequence[str | Path] | None = None,
    *,
    out: Path = Path("exports"),
    formats: Sequence[str] = ("ttl",),
    base: str = DEFAULT_BASE,
    skip_bad: bool = False,
    input_format: str | None = None,
    concepts: ConceptOptions | None = None,
    view: ViewOptions | None = None,
    enrich: Sequence[str] = (),
    session: requests.Session | None = None,
    enrich_options: EnrichOptions | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    keep: SnapshotFilter | None = None,
    on_stage: StageDone | None = None,
) -> BuildResult:
    """Build the graph of `inputs` (default: the bundled sample) and write its exports to `out`.

    Every output is staged and renamed only once all were written, so a failure leaves
    earlier exports untouched.  Raises `KgError` for bad input.  `jobs` caps the worker
    processes of a large build (default: one per core; 1 builds in this process alone).
    `progress` and `on_stage` are told what `build_corpus` says of them.
    """
    began = time.perf_counter()
    unknown = [f for f in formats if f not in FORMATS and f not in GEPHI_FORMATS]
    if unknown:
        choices = ", ".join([*FORMATS, *GEPHI_FORMATS])
        raise ConfigError(f"unknown export format {unknown[0]!r} (choose from {choices})")
    stale = remove_stale_temps(out)  # a killed build's leftovers can be gigabytes: free them first
    result = build_corpus(
        inputs,
        skip_bad=skip_bad,
        input_format=input_format,
        concepts=concepts,
        enrich=enrich,
        session=session,
        enrich_options=enrich_options,
        progress=progress,
        jobs=jobs,
        on_plan=on_plan,
        keep=keep,
        on_stage=on_stage,
    )
    stage = Stages(result.timings, on_stage)
    if stale:
        size = sum(n for _, n in stale) / 1e6
        result.warnings.append(
            f"removed {len(stale)} temporary files ({size:.1f} MB) that an interrupted build left in {out}"
        )
    with gc_paused(), atomic_outputs(out) as staged:
        names = {fmt: f"graph.{FORMATS[fmt][1] if fmt in FORMATS else fmt}" for fmt in formats}
        paths = {fmt: staged.stage(name) for fmt, name in names.items() if fmt in FORMATS}
        staged_files = {out / names[fmt]: path for fmt, path in paths.items()}
        digest = hashlib.sha256()
        # The map needs the graph only: on a large build it is drawn by a forked process
        # while this one makes the RDF (whose store loads in a process of its own), so two
        # cores share three stages rather than taking them in turn.
        separate = (jobs or cores()) > 1
        page = staged.stage("graph.html")
        drawing = Beside(
            partial(_draw, result.graph, view),
            parallel=separate and result.graph.number_of_edges() >= MAP_BESIDE_MIN_EDGES,
        )
        try:
            _write_rdf(result, paths, staged_files, staged, out, base, separate, digest, progress, stage)
            for fmt in formats:
                if fmt in GEPHI_FORMATS:
                    with stage(fmt):
                        staged_files[out / names[fmt]] = path = staged.stage(names[fmt])
                        write_gephi(result.graph, path, fmt, base)
            tell = counter(progress, "map", 1)
            html, took = drawing.result()
            page.write_text(html, encoding="utf-8")
            staged_files[out / "graph.html"] = page
            stage.record("html", took)
            if tell:
                tell(1)
        except BaseException:
            drawing.cancel()
            raise
        result.outputs += list(staged_files)
        manifest = Manifest(
            graph=digest.hexdigest(),
            triples=result.triples,
            base=base,
            files={target.name: tmp.stat().st_size for target, tmp in staged_files.items()},
        )
        # Staged last, so renamed last: a manifest always names files and a store in place.
        text = manifest.to_json()
        result.outputs.append(staged.write(MANIFEST, lambda p: p.write_text(text, encoding="utf-8")))
    remove_stale(out, {p.name for p in result.outputs})
    result.elapsed = time.perf_counter() - began
    return result


def _draw(graph: nx.MultiDiGraph, view: ViewOptions | None) -> tuple[str, float]:
    """The map page, and the seconds it took to make."""
    start = time.perf_counter()
    html = render_html(graph, view)
    return html, time.perf_counter() - start


def _write_rdf(
    result: BuildResult,
    paths: dict[str, Path],
    staged_files: dict[Path, Path],
    staged: Any,
    out: Path,
    base: str,
    separate: bool,
    digest: Any,
    progress: Progress | None,
    stage: Stages,
) -> None:
    """The RDF files, the store and the vocabulary, staged; the triple count into `result`."""
    with stage("rdf"):
        store = staged.stage_dir(STORE_DIR)
        # The serializer processes count as workers: `jobs=1` keeps the build in one process.
        unexportable: list[str] = []
        result.triples = write_graphs(
            result.graph,
            paths,
            base,
            separate=separate,
            store=store,
            digest=digest,
            progress=progress,
            dropped=unexportable,
        )
        if unexportable:  # the exporter's safety net: every reader should have caught these
            result.dropped += len(unexportable)
            shown = ", ".join(repr(v[:100]) for v in unexportable[:5])
            result.warnings.append(
                f"{len(unexportable)} values no export can hold were left out of the RDF: {shown}"
                + (", …" if len(unexportable) > 5 else "")
            )
        stamp_store(store, digest.hexdigest())
        result.store = out / STORE_DIR
        vocab = vocabulary_file().read_bytes()
        staged_files[out / "vocab.ttl"] = staged.stage("vocab.ttl")
        staged_files[out / "vocab.ttl"].write_bytes(vocab)
