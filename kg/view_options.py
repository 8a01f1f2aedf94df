"""What the HTML view draws: the node kinds and caps, apart from the drawing code.

`kg.view` needs networkx and the whole graph model; the CLI reads these defaults for its
options' help, so they live here and `kg --help` imports none of that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import ConfigError

KIND_GROUPS = {
    "papers": {"paper"},
    "concepts": {"concept"},
    "code": {"repo", "owner", "host", "page"},
    "authors": {"author"},
}
DEFAULT_GROUPS = ("papers", "concepts", "code")


@dataclass(frozen=True)
class ViewOptions:
    """What the view draws."""

    groups: tuple[str, ...] = DEFAULT_GROUPS
    min_concept_papers: int = 3
    largest_component: bool = False
    max_nodes: int = 1500
    max_edges: int = 6000
    kinds: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.groups) - set(KIND_GROUPS))
        if unknown:
            raise ConfigError(
                f"unknown node kind(s) {', '.join(unknown)} (choose from {', '.join(KIND_GROUPS)})"
            )
        if self.max_nodes < 1 or self.max_edges < 0:
            raise ConfigError("node and edge caps must be positive")
        object.__setattr__(self, "kinds", frozenset(k for grp in self.groups for k in KIND_GROUPS[grp]))
