"""The steps of the request plan, cheapest first (see `kg.enrich.plan`), as one `Run`."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from kg.enrich import arxiv, s2
from kg.enrich.steps import MATCHED, NOT_ASKED, NOT_FOUND, TYPICAL_LINKS, Failed, RunBase, RunResult, Unknown
from kg.model import Paper, Reference


class ArxivSteps(RunBase):
    """arXiv: ids in batches, titles searched, and what Semantic Scholar's ids leave to fill."""

    def arxiv_ids(self) -> None:
        """Papers whose arXiv id an input gave: arXiv's record by id."""
        known = {p.key: p.arxiv_id for p in self.papers if p.arxiv_id}
        keys = sorted(known, key=lambda k: (known[k], k))
        self._begin("arxiv", "id lookup|id lookups")
        chunks = [keys[i : i + arxiv.IDS_PER_QUERY] for i in range(0, len(keys), arxiv.IDS_PER_QUERY)]
        for n, chunk in enumerate(chunks):
            self._tick("arXiv: ids", n, len(chunks))
            try:
                records = self._ask(
                    "arxiv",
                    partial(arxiv.lookup_batch, [known[k] for k in chunk], client=self.clients["arxiv"]),
                )
            except Unknown:
                continue
            except Failed as failed:
                self._mark("arxiv", chunk, failed.outcome)
                continue
            for key in chunk:
                record = records.get(known[key])
                self._mark("arxiv", [key], MATCHED if record else NOT_FOUND)
                if record is not None:
                    _fill(self.by_key[key], record)
        self._tick("arXiv: ids", len(chunks), len(chunks))

    def arxiv_titles(self) -> None:
        """Papers with a title and no arXiv id: arXiv's title search, 10 titles a request."""
        fill = "arxiv" in self.sources
        titles = {p.key: p.title for p in self.papers if p.title and not p.arxiv_id and (fill or not p.doi)}
        keys = sorted(titles)
        self._begin("arxiv", "title search|title searches")
        per = arxiv.TITLES_PER_QUERY
        chunks = [keys[i : i + per] for i in range(0, len(keys), per)]
        for n, chunk in enumerate(chunks):
            self._tick("arXiv: titles", n, len(chunks))
            try:
                found = self._ask(
                    "arxiv",
                    partial(arxiv.search_batch, {k: titles[k] for k in chunk}, client=self.clients["arxiv"]),
                )
            except Unknown:
                self.unknown.update(chunk)
                continue
            except Failed as failed:
                self._mark("arxiv", chunk, failed.outcome)
                continue
            for key in chunk:
                record = found[key]
                self._mark("arxiv", [key], MATCHED if record else NOT_FOUND)
                if record is not None:
                    paper = self.by_key[key]
                    paper.arxiv_id = record.arxiv_id
                    if fill:
                        _fill(paper, record)
        self._tick("arXiv: titles", len(chunks), len(chunks))
        unasked = sum(1 for p in self.papers if not p.arxiv_id and not p.title)
        if fill and unasked:
            self.result.warnings.append(
                f"arXiv: {unasked} papers known only by DOI were not asked (arXiv looks papers up by id or title)"
            )

    def arxiv_fill(self) -> None:
        """arXiv metadata for arXiv ids that only Semantic Scholar supplied."""
        papers = [p for p in self.papers if p.arxiv_id and not p.categories and p.key not in self.unknown]
        ids = sorted({p.arxiv_id for p in papers if p.arxiv_id})
        self._begin(
            "arxiv", "id lookup for ids Semantic Scholar gave|id lookups for ids Semantic Scholar gave"
        )
        per = arxiv.IDS_PER_QUERY
        records: dict[str, arxiv.ArxivRecord] = {}
        for start in range(0, len(ids), per):
            try:
                records.update(
                    self._ask(
                        "arxiv",
                        partial(arxiv.lookup_batch, ids[start : start + per], client=self.clients["arxiv"]),
                    )
                )
            except (Unknown, Failed):
                continue
        for paper in papers:
            record = records.get(paper.arxiv_id or "")
            if record is not None:
                paper.categories = list(record.categories)
                paper.issued = record.published or paper.issued


class S2Steps(RunBase):
    """Semantic Scholar: title matches, details in batches, references and citing works."""

    def s2_matches(self) -> None:
        """Papers still without any id: Semantic Scholar's title match, one a request."""
        keys = sorted(p.key for p in self.papers if p.title and not p.arxiv_id and not p.doi)
        open_keys = [k for k in keys if k in self.unknown]
        if open_keys:  # papers whose arXiv search is still to come: each may need a match
            self._begin("s2", "title match if arXiv misses|title matches for the papers arXiv misses")
            self.result.steps[-1].up_to = len(open_keys)
        self._begin("s2", "title match|title matches")
        wanted = [k for k in keys if k not in self.unknown]
        for n, key in enumerate(wanted):
            self._tick("Semantic Scholar: title matches", n, len(wanted))
            try:
                hit = self._ask(
                    "s2", partial(s2.match_title, self.by_key[key].title, client=self.clients["s2"])
                )
            except Unknown:
                self.unknown.add(key)
                continue
            except Failed as failed:
                self._mark("s2", [key], failed.outcome)
                continue
            if hit is None:
                self._mark("s2", [key], NOT_FOUND)
            else:
                self.s2_found[key] = hit
        self._tick("Semantic Scholar: title matches", len(wanted), len(wanted))

    def _wanted(self) -> dict[str, list[str]]:
        """{batch id: paper keys}: `ARXIV:` ids first, then DOIs, then title matches."""
        wanted: dict[str, list[str]] = defaultdict(list)
        for paper in self.papers:
            if paper.key in self.unknown:
                continue
            if paper.arxiv_id:
                wanted[f"ARXIV:{paper.arxiv_id}"].append(paper.key)
            elif paper.doi:
                wanted[f"DOI:{paper.doi}"].append(paper.key)
            elif paper.key in self.s2_found:
                wanted[self.s2_found[paper.key]].append(paper.key)
            elif paper.key not in self.result.status.get("s2", {}):
                self._mark("s2", [paper.key], NOT_FOUND)
        return wanted

    def s2_details(self) -> dict[str, list[str]]:
        """Details and counts of every paper with an id, 500 ids a request; {S2 id: paper keys}.

        A few papers (`s2.TOGETHER`) get their references and citations in the same call.
        """
        wanted = self._wanted()
        ids = sorted(wanted)
        open_papers = len(self.unknown)
        self.together = len(ids) + open_papers <= s2.TOGETHER
        what = "details, references and citations" if self.together else "details"
        step = self._begin("s2", f"batch of {what}|batches of {what}")
        found: dict[str, list[str]] = defaultdict(list)
        if self.dry and open_papers:
            # Which ids go together depends on answers not known yet: estimate the batches.
            step.about = math.ceil((len(ids) + open_papers) / s2.BATCH)
            self.result.complete = False
            return found
        chunks = [ids[i : i + s2.BATCH] for i in range(0, len(ids), s2.BATCH)]
        fetch: Callable[..., Sequence[Any]] = s2.fetch_together if self.together else s2.fetch_details
        for n, chunk in enumerate(chunks):
            self._tick("Semantic Scholar: details", n, len(chunks))
            keys = [k for i in chunk for k in wanted[i]]
            try:
                answers = self._ask(
                    "s2", partial(fetch, chunk, client=self.clients["s2"], embeddings=self.embeddings)
                )
            except Unknown:
                self.unknown.update(keys)
                continue
            except Failed as failed:
                self._mark("s2", keys, failed.outcome)
                continue
            for batch_id, answer in zip(chunk, answers, strict=True):
                record, links = answer if isinstance(answer, tuple) else (answer, None)
                if record is None:
                    self._mark("s2", wanted[batch_id], NOT_FOUND)
                    continue
                self._mark("s2", wanted[batch_id], MATCHED)
                for key in wanted[batch_id]:
                    self._apply(self.by_key[key], record)
                    found[record.s2_id].append(key)
                if links is not None:
                    self.links[record.s2_id] = links
                else:
                    self.counts[record.s2_id] = (record.reference_count, record.citation_count)
        self._tick("Semantic Scholar: details", len(chunks), len(chunks))
        return found

    def s2_links(self, found: dict[str, list[str]]) -> None:
        """References and citing works, packed by `s2.link_batches`; then cut reference lists
        page by page."""
        if not self.together:
            self._fetch_links(found)
        cut: list[str] = []
        cited_cut = 0
        for s2_id, got in sorted(self.links.items()):
            for key in found[s2_id]:
                paper = self.by_key[key]
                paper.references = _sorted(got.references)
                paper.citations = _sorted(got.citations)
            if got.references_cut:
                cut.append(s2_id)
            cited_cut += got.citations_cut
        if cited_cut:
            self.result.warnings.append(
                f"Semantic Scholar: {cited_cut} papers have more than {s2.NESTED} citing works; "
                f"the first {s2.NESTED} listed are used (co-citation counts for them are lower bounds)"
            )
        self._begin("s2", "page of references|pages of references")
        for n, s2_id in enumerate(cut):
            self._tick("Semantic Scholar: reference pages", n, len(cut))
            try:
                refs = self._ask("s2", partial(s2.fetch_references, s2_id, client=self.clients["s2"]))
            except Unknown:
                continue
            except Failed as failed:
                self._mark("s2", found[s2_id], failed.outcome)
                continue
            for key in found[s2_id]:
                self.by_key[key].references = _sorted(tuple(refs))

    def _fetch_links(self, found: dict[str, list[str]]) -> None:
        """The batch calls of references and citations, for the papers the details counted."""
        step = self._begin("s2", "batch of references and citations|batches of references and citations")
        if self.dry and self.unknown:
            known = sum(min(r or 0, s2.NESTED) + min(c or 0, s2.NESTED) for r, c in self.counts.values())
            step.about = math.ceil((known + TYPICAL_LINKS * len(self.unknown)) / s2.NESTED_BUDGET)
            self.result.complete = False
            return
        batches = s2.link_batches(self.counts)
        missing = 0
        for n, batch in enumerate(batches):
            self._tick("Semantic Scholar: references and citations", n, len(batches))
            try:
                self.links.update(
                    self._ask("s2", partial(s2.fetch_links, batch, self.counts, client=self.clients["s2"]))
                )
            except Unknown:
                continue
            except Failed as failed:
                # Matched, but without its references and citations: a rerun completes it.
                self._mark("s2", [k for i in batch for k in found[i]], failed.outcome)
                if failed.outcome != NOT_ASKED:  # not asked: the network warning says it
                    missing += len(batch)
        self._tick("Semantic Scholar: references and citations", len(batches), len(batches))
        if missing:
            self.result.warnings.append(
                f"Semantic Scholar: references and citations of {missing} papers are missing; build again to fetch them"
            )

    def _apply(self, paper: Paper, hit: s2.S2Record) -> None:
        """What Semantic Scholar says of `paper`; the inputs' and arXiv's ids are kept."""
        label = paper.title or paper.key
        if paper.arxiv_id and hit.arxiv_id and paper.arxiv_id != hit.arxiv_id:
            self.result.warnings.append(
                f"conflict for {label!r}: arXiv id {paper.arxiv_id} vs {hit.arxiv_id} "
                "(Semantic Scholar); kept the first"
            )
        if paper.doi and hit.doi and paper.doi.lower() != hit.doi.lower() and not _arxiv_doi(hit.doi):
            self.result.warnings.append(
                f"conflict for {label!r}: DOI {paper.doi} vs {hit.doi} (Semantic Scholar); kept the first"
            )
        paper.s2_id = hit.s2_id
        paper.arxiv_id = paper.arxiv_id or hit.arxiv_id
        if not paper.doi and hit.doi and not _arxiv_doi(hit.doi):
            paper.doi = hit.doi.lower()
        paper.title = paper.title or hit.title or ""
        paper.abstract = paper.abstract or hit.abstract
        paper.venue = paper.venue or hit.venue
        published = hit.published or (str(hit.year) if hit.year else None)
        if published and (not paper.issued or published.startswith(paper.issued)):
            paper.issued = published
        if hit.authors:
            paper.authors = list(hit.authors)
        paper.citation_count = hit.citation_count
        paper.influential_citation_count = hit.influential_citation_count
        paper.embedding = s2.embedding_array(hit)


class Run(ArxivSteps, S2Steps):
    """The whole pass, step by step."""

    def run(self) -> RunResult:
        if "arxiv" in self.sources:
            self.arxiv_ids()
        if self.sources & {"arxiv", "s2"}:
            self.arxiv_titles()
        if "s2" in self.sources:
            self.s2_matches()
            found = self.s2_details()
            self.s2_links(found)
            if "arxiv" in self.sources:
                self.arxiv_fill()
        return self.result


def _arxiv_doi(doi: str) -> bool:
    # The DOI arXiv registers for every preprint names the arXiv record, not a publication.
    return doi.lower().startswith("10.48550/arxiv.")


def _sorted(works: Sequence[Reference]) -> list[Reference]:
    """Distinct works in an order that does not depend on hashing."""
    return sorted(
        set(works), key=lambda r: (r.s2_id or "", r.title or "", r.arxiv_id or "", r.doi or "", r.year or 0)
    )


def _fill(paper: Paper, record: arxiv.ArxivRecord) -> None:
    """What arXiv knows and the inputs did not say; a date the inputs gave is kept unless
    arXiv's is the same date, more precisely (`2017` -> `2017-06-12`)."""
    paper.title = paper.title or record.title
    paper.abstract = paper.abstract or record.summary
    if record.published and (not paper.issued or record.published.startswith(paper.issued)):
        paper.issued = record.published
    paper.categories = list(record.categories)
    paper.doi = paper.doi or (record.doi.lower() if record.doi else None)
    if not paper.authors:
        paper.authors = [(name, None) for name in record.authors]
