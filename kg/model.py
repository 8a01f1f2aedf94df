"""Typed records that flow between the pipeline stages."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import Enum


class LinkKind(str, Enum):
    """What a URL found in an abstract points at."""

    REPO = "repo"  # a code repository (GitHub, GitLab, Bitbucket, Hugging Face model/dataset/space)
    OWNER = "owner"  # a user or organisation page on a code host
    PROJECT = "project"  # a project page (github.io sites and other web pages named as such)
    OTHER = "other"  # any other link (short links, lab pages, documents)


@dataclass(frozen=True, order=True)
class Source:
    """One input file: its display name (unique within a build), the listing date it shows
    (`Mar 11` on a saved page, `2024-10-25` for a day of the Hugging Face API), and the
    reader that read it (`kg.sources.FORMATS`)."""

    name: str
    listed: str | None = None
    format: str = "page"


@dataclass(frozen=True, order=True)
class Occurrence:
    """Where an entry was seen: the source file, the 1-based line where the entry starts and,
    for JSON, the entry's JSON Pointer (RFC 6901, e.g. `/3`), which tells apart the entries
    of a file written on one line."""

    source: str
    line: int
    pointer: str = ""


@dataclass(frozen=True, order=True)
class Link:
    """A URL from an abstract, classified, with canonical IRIs for what it names.

    `written` is the text exactly as it stands in the abstract; `url` is the cleaned URL.
    For repositories `target` is the canonical repository IRI; for owner pages the owner IRI;
    for project and other links the cleaned URL without fragment.
    """

    written: str
    url: str
    kind: LinkKind
    target: str
    host: str
    owner: str | None = None
    owner_name: str | None = None
    repo_name: str | None = None


@dataclass(frozen=True, order=True)
class Reference:
    """A work a paper cites (or that cites it), as Semantic Scholar identifies it."""

    s2_id: str | None
    title: str | None
    arxiv_id: str | None = None
    doi: str | None = None
    year: int | None = None


@dataclass
class Paper:
    """One distinct paper, merged from every entry that shares its identity key.

    The fields after `links` are filled by enrichment (arXiv, Semantic Scholar) when asked for.
    """

    key: str
    title: str  # "" when no input gave one (a bare arXiv id or DOI) and enrichment has not
    abstract: str | None
    occurrences: list[Occurrence] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    arxiv_id: str | None = None
    s2_id: str | None = None
    doi: str | None = None
    issued: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY
    venue: str | None = None
    categories: list[str] = field(default_factory=list)  # arXiv categories, primary first
    authors: list[tuple[str, str | None]] = field(default_factory=list)  # (name, S2 author id)
    references: list[Reference] = field(default_factory=list)
    upvotes: int | None = None  # Hugging Face upvotes, the highest any input gave
    # Semantic Scholar: the works citing this paper (at most the first 1,000 it lists), its
    # citation counts, and its SPECTER v2 embedding when asked for.
    citations: list[Reference] = field(default_factory=list)
    citation_count: int | None = None
    influential_citation_count: int | None = None
    embedding: array[float] | None = None
    # The title and abstract as the input wrote them (LaTeX, Markdown links), when the text shown
    # (`title`, `abstract`, normalised by `kg.extract.text`) differs from it beyond line wraps.
    written_title: str | None = None
    written_abstract: str | None = None

    @property
    def has_abstract(self) -> bool:
        return self.abstract is not None


@dataclass(frozen=True)
class Entry:
    """One paper as one input states it, before deduplication.

    A saved page gives only a title and abstract; the other readers add what their format
    carries.  `title` is "" when the input names the paper only by an id.  `arxiv_id` has no
    version; `doi` is lower-cased; `issued` is `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    """

    title: str
    abstract: str | None
    occurrence: Occurrence
    arxiv_id: str | None = None
    doi: str | None = None
    authors: tuple[str, ...] = ()
    issued: str | None = None
    venue: str | None = None
    links: tuple[Link, ...] = ()
    upvotes: int | None = None
    categories: tuple[str, ...] = ()  # arXiv categories, primary first
