"""What makes two entries the same paper: arXiv ids, DOIs and normalised titles.

DESIGN's identity rule: a paper is known by its arXiv id when one is known, else its DOI,
else its normalised title.  Every reader parses ids through these functions, so
`arXiv:1706.03762v5`, `https://arxiv.org/pdf/1706.03762.pdf` and a BibTeX `eprint` all give
`1706.03762`, and `https://doi.org/10.1000/X` and `doi:10.1000/x` give one DOI.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

# New-style ids (April 2007 on): YYMM.NNNN, five digits from 2015; old style: archive[.SUB]/YYMMNNN.
_YYMM = r"\d{2}(?:0[1-9]|1[0-2])"
ARXIV_NEW = rf"{_YYMM}\.\d{{4,5}}"
ARXIV_OLD = rf"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{{2}})?/{_YYMM}\d{{3}}"
_ARXIV_ID = re.compile(rf"({ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?", re.ASCII)
_ARXIV_PREFIX = re.compile(r"^arxiv\s*:\s*", re.IGNORECASE)
# arXiv's own pages, and Hugging Face's paper pages, which are keyed by the arXiv id.
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:(?:www|export)\.)?arxiv\.org/(?:abs|pdf|html|format)/(?P<id>.+?)"
    r"(?:\.pdf)?/?(?:[?#].*)?$"
    r"|^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/papers/(?P<hf>[^/?#]+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:doi\s*:\s*|(?:https?://)?(?:dx\.)?doi\.org/)", re.IGNORECASE)
# arXiv registers a DOI for every paper; it names the same paper as the arXiv id.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_KEY_UNSAFE = re.compile(r"[^\w.-]+", re.ASCII)
_NON_WORD = re.compile(r"[\W_]+")


def normalize_title(title: str) -> str:
    """Identity form of a title: NFKC, case-folded, punctuation and spacing collapsed."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def title_key(title: str) -> str:
    """The IRI-safe paper key derived from a title (`normalize_title` with hyphens)."""
    return normalize_title(title).replace(" ", "-")


def arxiv_key(arxiv_id: str) -> str:
    """Identity key of a paper whose arXiv id is known."""
    return "arxiv-" + arxiv_id.replace("/", "_")


def doi_key(doi: str) -> str:
    """Identity key of a paper known by its DOI (lower-case; runs of other characters become `_`)."""
    return "doi-" + _KEY_UNSAFE.sub("_", doi.lower())


def parse_arxiv_id(text: str) -> str | None:
    """The arXiv id (without version) that `text` names, or None.

    Accepts `1706.03762`, `1706.03762v5`, `arXiv:1706.03762`, `hep-th/9901001`,
    `https://arxiv.org/abs/…`, `…/pdf/….pdf`, `https://huggingface.co/papers/…` and the arXiv
    DOI `10.48550/arXiv.…`.
    """
    text = text.strip()
    url = _ARXIV_URL.match(text)
    if url is not None:
        text = unquote(url.group("id") or url.group("hf"))
    else:
        doi = _ARXIV_DOI.match(_DOI_PREFIX.sub("", text))
        text = doi.group(1) if doi else _ARXIV_PREFIX.sub("", text)
    match = _ARXIV_ID.fullmatch(text)
    return match.group(1) if match and _digits_fit(match.group(1)) else None


def _digits_fit(arxiv_id: str) -> bool:
    """New-style ids have four digits after the dot until 1412 and five from 1501 on."""
    head, dot, tail = arxiv_id.partition(".")
    if not dot or "/" in arxiv_id:
        return True
    return len(tail) == (5 if head >= "1501" else 4)


def parse_doi(text: str) -> str | None:
    """The DOI (lower-case) that `text` names (`10.…`, `doi:10.…`, `https://doi.org/10.…`), or None."""
    text = unquote(_DOI_PREFIX.sub("", text.strip()))
    match = _DOI.fullmatch(text.rstrip(".,;"))
    return match.group(0).lower() if match else None


def find_arxiv_id(text: str) -> str | None:
    """An arXiv id named anywhere in free text (`arXiv preprint arXiv:1706.03762`), or None."""
    match = re.search(rf"arxiv[\s:./]*(?:abs/)?({ARXIV_NEW}|{ARXIV_OLD})\b", text, re.IGNORECASE)
    return match.group(1) if match and _digits_fit(match.group(1)) else None
