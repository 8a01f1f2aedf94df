"""What the map draws: the node kinds, thresholds and caps a caller chooses."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import ConfigError

# Hosts (github.com, huggingface.co) are not drawn: every repository links to one, so on a map
# they are hubs that say nothing; the panel names each repository's address instead.
KIND_GROUPS = {
    "papers": {"paper"},
    "concepts": {"concept"},
    "code": {"repo", "owner", "page"},
    "authors": {"author"},
}
DEFAULT_GROUPS = ("papers", "concepts", "code")


@dataclass(frozen=True)
class ViewOptions:
    """What the view draws.

    `paper` names a paper (its title, or enough of it to be unique) whose focus view the
    page opens with: the paper and its nearest papers, Connected Papers style.
    """

    groups: tuple[str, ...] = DEFAULT_GROUPS
    min_concept_papers: int = 3
    largest_component: bool = False
    max_nodes: int = 1500
    max_edges: int = 6000
    paper: str | None = None
    kinds: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.groups) - set(KIND_GROUPS))
        if unknown:
            raise ConfigError(
                f"unknown node kind(s) {', '.join(unknown)} (choose from {', '.join(KIND_GROUPS)})"
            )
        if not self.groups:
            raise ConfigError("nothing to draw: choose at least one node kind")
        if self.max_nodes < 1 or self.max_edges < 0:
            raise ConfigError("node and edge caps must be positive")
        object.__setattr__(self, "kinds", frozenset(k for grp in self.groups for k in KIND_GROUPS[grp]))
