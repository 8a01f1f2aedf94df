"""Find URLs in abstracts, repair the broken forms seen in saved pages, and classify them."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

from kg.model import Link, LinkKind

# A URL starts with a scheme (saved pages sometimes put a space after the colon) or, without
# a scheme, with a code host's name or "www.".  Bare "name.tld" words are not URLs: abstracts
# glue sentences ("latency.Codes") and abbreviations ("e.g.") too often.
_SCHEMELESS_HOSTS = r"(?:www\.|github\.com/|gitlab\.com/|bitbucket\.org/|huggingface\.co/|hf\.co/)"
URL_PATTERN = re.compile(
    rf"(?:\bhttps?[ \t]?:[ \t]?//|(?<![\w.@/-]){_SCHEMELESS_HOSTS})[^\s<>\"`]+",
    re.IGNORECASE,
)
_BROKEN_SCHEME = re.compile(r"^(https?)\s*:\s*//", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}

CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "huggingface.co"}
HOST_ALIASES = {"hf.co": "huggingface.co"}
# Hosts whose sites are project pages, with the code-host owner they belong to.
PAGE_HOST_SUFFIXES = {".github.io": "github.com", ".gitlab.io": "gitlab.com"}
PAGE_CONTEXT = re.compile(r"(project|demo)\s+(page|website|site)|homepage|web\s*page|website", re.I)
# Path heads on code hosts that are site sections, not user or organisation names.
RESERVED = {
    "github.com": {
        "about",
        "apps",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "explore",
        "features",
        "login",
        "marketplace",
        "new",
        "notifications",
        "pricing",
        "search",
        "settings",
        "site",
        "sponsors",
        "topics",
        "trending",
    },
    "gitlab.com": {"explore", "help", "users", "dashboard", "search"},
    "bitbucket.org": {"product", "account", "dashboard"},
    "huggingface.co": {
        "blog",
        "chat",
        "collections",
        "docs",
        "join",
        "learn",
        "login",
        "models",
        "papers",
        "pricing",
        "settings",
        "tasks",
        "organizations",
    },
}
# Characters an IRI may not hold outside its host (RFC 3987): controls, space, delimiters,
# brackets (IPv6 hosts only), surrogates, private-use and non-characters.
_IRI_UNSAFE = re.compile(
    r"[\x00-\x20\x7f-\x9f<>\"{}|\\^`\[\]\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufffe\uffff]"
)
_HF_KINDS = {"datasets", "spaces"}
_GITLAB_STOP = {"-", "tree", "blob", "raw", "issues", "merge_requests", "wikis", "commits"}


def clean_url(raw: str) -> str:
    """Repair one matched URL: scheme spacing, LaTeX `{label}` residue, trailing punctuation."""
    url = _BROKEN_SCHEME.sub(lambda m: m.group(1).lower() + "://", raw)
    if "://" not in url:
        url = "https://" + url
    brace = url.find("{")
    if brace != -1:
        url = url[:brace]
    markdown = url.find("](")  # `[url](url)`: a Markdown link's label ends where its target starts
    if markdown != -1:
        url = url[:markdown]
    return _strip_trailing(url)


def _strip_trailing(text: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets after a URL (not `-`)."""
    while text:
        last = text[-1]
        if last in _TRAILING or (last in _CLOSERS and text.count(last) > text.count(_CLOSERS[last])):
            text = text[:-1]
        else:
            break
    return text


def classify(url: str, *, written: str | None = None, context: str = "") -> Link | None:
    """Classify a cleaned URL; `context` is the text just before it (for "project page").

    None when it names no web address, or one no export could hold as an IRI.
    """
    link = _classify(url, written, context)
    return _exportable(link) if link is not None else None


def _classify(url: str, written: str | None, context: str) -> Link | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not re.fullmatch(r"[\w-]+(\.[\w-]+)+", host):
        return None
    if host.startswith("www."):
        host = host[4:]
    host = HOST_ALIASES.get(host, host)
    segments = [s for s in parts.path.split("/") if s]
    written = written if written is not None else url
    if host in CODE_HOSTS:
        link = _code_link(host, segments, url, written)
        if link is not None:
            return link
    for suffix, code_host in PAGE_HOST_SUFFIXES.items():
        if host.endswith(suffix) and host != suffix[1:]:
            user = host[: -len(suffix)]
            page = _page_iri("https", host, segments)
            owner = f"https://{code_host}/{user}"
            return Link(written, url, LinkKind.PROJECT, page, f"https://{host}", owner, user)
    scheme = parts.scheme.lower() or "https"
    target = _page_iri(scheme, host, segments, parts.query)
    kind = LinkKind.PROJECT if PAGE_CONTEXT.search(context) else LinkKind.OTHER
    return Link(written, url, kind, target, f"{scheme}://{host}")


def _page_iri(scheme: str, host: str, segments: list[str], query: str = "") -> str:
    # A site's root page is the site's own address, written as hosts are (no trailing slash):
    # `https://x.github.io/` and `https://x.github.io` are one URL (RFC 3986, 6.2.3).
    path = "/" + "/".join(segments) if segments or query else ""
    return iri_safe(f"{scheme}://{host}{path}" + (f"?{query}" if query else ""))


def iri_safe(text: str) -> str:
    """Percent-encode the few characters an IRI may not hold (`|`, `^`, `\\`, braces...).

    A lone surrogate (text decoded from broken bytes) has no UTF-8 form: it becomes U+FFFD first.
    """
    return _IRI_UNSAFE.sub(_encode, text)


def _encode(match: re.Match[str]) -> str:
    char = match.group(0)
    return quote("\ufffd" if "\ud800" <= char <= "\udfff" else char, safe="")


@lru_cache(maxsize=65536)
def valid_iri(iri: str) -> bool:
    """True if Oxigraph, and so every export, takes `iri` as an IRI."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _exportable(link: Link) -> Link | None:
    """The link if every IRI it names can be exported, else None."""
    for iri in (link.target, link.owner, link.host):
        if iri is not None and not valid_iri(iri):
            return None
    return link


def _code_link(host: str, segments: list[str], url: str, written: str) -> Link | None:
    base = f"https://{host}"
    if not segments or segments[0].lower() in RESERVED.get(host, set()):
        return None
    # GitHub, GitLab and Bitbucket resolve names case-insensitively: one repo, one IRI.
    fold = host != "huggingface.co"
    if host == "huggingface.co" and segments[0] in _HF_KINDS:
        prefix, segments = segments[0] + "/", segments[1:]
        if not segments:
            return None
    else:
        prefix = ""
    if host == "github.com" and segments[0] == "orgs":
        segments = segments[1:2]
    owner_name = segments[0]
    owner = iri_safe(f"{base}/{owner_name.lower() if fold else owner_name}")
    if len(segments) == 1:
        return Link(written, url, LinkKind.OWNER, owner, base, owner, owner_name)
    if host == "gitlab.com":
        path = []
        for seg in segments:
            if seg in _GITLAB_STOP:
                break
            path.append(seg)
        name = "/".join(path[1:]) or segments[1]
    else:
        name = segments[1]
    name = re.sub(r"\.git$", "", name)
    if not name:
        return Link(written, url, LinkKind.OWNER, owner, base, owner, owner_name)
    repo_path = iri_safe(f"{owner_name}/{name}")
    repo = f"{base}/{prefix}{repo_path.lower() if fold else repo_path}"
    return Link(written, url, LinkKind.REPO, repo, base, owner, owner_name, name)


# Every URL the pattern finds contains one of these (lower-cased).  Checking them first skips the
# case-insensitive regex, the costliest step of link extraction, for the ~70% of abstracts
# without a link (100k synthetic abstracts: 6.4 s -> 2.1 s).
_HINTS = ("//", "www.", "github.com/", "gitlab.com/", "bitbucket.org/", "huggingface.co/", "hf.co/")


def extract_links(text: str, dropped: list[str] | None = None) -> list[Link]:
    """Every classified link in `text`, first mention first, one per target.

    A URL that names no web address an export could hold is left out; its written form is
    appended to `dropped` when given.
    """
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return []
    links: dict[str, Link] = {}
    for match in URL_PATTERN.finditer(text):
        raw = match.group(0)
        url = clean_url(raw)
        context = text[max(0, match.start() - 60) : match.start()]
        link = classify(url, written=_strip_trailing(raw), context=context)
        if link is None:
            if dropped is not None:
                dropped.append(_strip_trailing(raw))
        elif link.target not in links:
            links[link.target] = link
    return list(links.values())
