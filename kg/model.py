"""Typed records that flow between the pipeline stages."""

from __future__ import annotations

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
    """One input page: its display name (unique within a build) and the listing date it shows."""

    name: str
    listed: str | None = None


@dataclass(frozen=True, order=True)
class Occurrence:
    """Where an entry was seen: the source page and the 1-based line of its title."""

    source: str
    line: int


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
    """A work a paper cites, as Semantic Scholar identifies it."""

    s2_id: str | None
    title: str | None
    arxiv_id: str | None = None
    doi: str | None = None


@dataclass
class Paper:
    """One distinct paper, merged from every entry that shares its identity key.

    The fields after `links` are filled by enrichment (arXiv, Semantic Scholar) when asked for.
    """

    key: str
    title: str
    abstract: str | None
    occurrences: list[Occurrence] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    arxiv_id: str | None = None
    s2_id: str | None = None
    doi: str | None = None
    issued: str | None = None  # YYYY-MM-DD
    venue: str | None = None
    categories: list[str] = field(default_factory=list)
    authors: list[tuple[str, str | None]] = field(default_factory=list)  # (name, S2 author id)
    references: list[Reference] = field(default_factory=list)

    @property
    def has_abstract(self) -> bool:
        return self.abstract is not None


@dataclass(frozen=True)
class Entry:
    """A raw title (+ abstract) pair as read from one page, before deduplication."""

    title: str
    abstract: str | None
    occurrence: Occurrence
