"""What the concept stage takes and gives: its options (with the curation files a user writes:
a stop list and synonyms) and the concepts it found, per paper."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scipy.sparse import csr_matrix

from kg.errors import ConfigError
from kg.extract.phrases import _TOKEN, acronym_key, is_acronym, phrase_key

MAX_TITLE_TAGS = 2  # tags of a paper that only its own title supports

# Per (paper, key) entry, the weighted count and whether the title has it, packed in one
# integer so that one sparse matrix carries both through merges (sums keep both apart).
TITLE_BIT = 1 << 32


def read_stoplist(path: Path) -> frozenset[str]:
    """Phrases (one per line, `#` comments) never to be concepts, as normalized keys."""
    keys = set()
    for number, line in _lines(path):
        words = _TOKEN.findall(line)
        if not words:
            raise ConfigError("expected a phrase (letters or digits)", path=path, line=number)
        keys.add(phrase_key(words))
    return frozenset(keys)


def read_synonyms(path: Path) -> dict[str, str]:
    """`alias = preferred label` lines as {alias key: preferred label}."""
    synonyms: dict[str, str] = {}
    for number, line in _lines(path):
        alias, sep, preferred = line.partition("=")
        alias_words, preferred_words = _TOKEN.findall(alias), _TOKEN.findall(preferred)
        if not sep or not alias_words or not preferred_words:
            raise ConfigError("expected 'alias = preferred label'", path=path, line=number)
        synonyms[phrase_key(alias_words)] = " ".join(preferred.split())
        if is_acronym(alias.strip()):
            synonyms["ACR:" + acronym_key(alias.strip())] = " ".join(preferred.split())
    return synonyms


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", path=path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read file ({err})", path=path) from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield number, line


@dataclass(frozen=True)
class ConceptOptions:
    """Knobs of concept extraction (the `kg build` options)."""

    per_paper: int = 6
    min_papers: int = 2
    max_share: float = 0.5  # terms in more than this share of papers are too common to link by
    stoplist: frozenset[str] = frozenset()
    synonyms: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.per_paper < 1:
            raise ConfigError("concepts per paper must be at least 1")
        if self.min_papers < 1:
            raise ConfigError("minimum papers per concept must be at least 1")


@dataclass
class Concept:
    """A concept: its key, preferred label, other labels and the papers tagged with it.

    `broader` is the key of the concept this one specialises ("decoding" for "speculative
    decoding"), if any.
    """

    key: str
    slug: str
    label: str
    alt_labels: list[str]
    papers: int
    broader: str | None = None


@dataclass
class ConceptMap:
    """What extraction found: concepts and, per paper key, (concept key, score) best first.

    `idf` holds the concepts that link papers (tagging at least `min_papers`); a concept
    outside it describes one paper's title only.
    """

    concepts: dict[str, Concept]
    tags: dict[str, list[tuple[str, float]]]
    idf: dict[str, float]
    # The texts' own terms: row i (paper `rows[i]`) holds TF-IDF weights of every candidate
    # key of its title and abstract that at least two papers share, concept or not; column j
    # is the key `text_keys[j]` (similar papers weigh and group the keys two papers share).
    rows: list[str] = field(default_factory=list)
    text: csr_matrix | None = None
    text_keys: list[str] = field(default_factory=list)


def stoplisted_other_labels(concepts: ConceptMap, stoplist: frozenset[str]) -> list[str]:
    """A warning for each stop-listed phrase that is another label of a concept still found:
    the stop list keeps a phrase from becoming a concept, so listing a variant ("diffusion
    models") of a concept named otherwise ("diffusion") leaves that concept as it was."""
    warnings = []
    for concept in sorted(concepts.concepts.values(), key=lambda c: c.slug):
        listed: dict[str, list[str]] = {}
        for label in concept.alt_labels:
            words = _TOKEN.findall(label)
            key = phrase_key(words) if words else ""
            if key in stoplist and key != concept.key:
                listed.setdefault(key, []).append(label)
        for labels in listed.values():
            written = " / ".join(repr(label) for label in labels)
            warnings.append(
                f"stop list: {written} is another label of the concept {concept.label!r}, which "
                f"stays; list {concept.label!r} to drop the concept"
            )
    return warnings
