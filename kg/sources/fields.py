"""Field values every reader's entries pass through before they are merged (issue 26).

Nothing one paper writes may fail a build, so what could (a lone surrogate that no UTF-8
export can write, an abstract of megabytes that the store's parser and the word statistics
cannot take in one piece) is repaired here and counted: a surrogate becomes U+FFFD, a field
over its cap is cut at the cap.  One warning per file says how many were repaired.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.model import Entry

# Most characters a field keeps; real ones are far shorter (the longest arXiv cs abstract of
# 2025 in the dev corpus has under 2,000 characters, titles under 300).
CAPS = {"title": 2_000, "abstract": 100_000, "author": 500, "venue": 2_000}
MAX_AUTHORS = 5_000
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _repair(value: str, cap: int) -> tuple[str, list[str]]:
    problems = []
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
        problems.append("lone surrogate")
    if len(value) > cap:
        value = value[:cap]
        problems.append(f"over {cap:,} characters")
    return value, problems


def repair_entries(entries: list[Entry], where: str) -> tuple[list[Entry], list[str]]:
    """`entries` with each text field repaired (see the module docstring), and a warning for
    the file `where` if any was."""
    repaired: list[Entry] = []
    counts: dict[str, int] = {}
    for entry in entries:
        changes: dict[str, object] = {}
        for name in ("title", "abstract", "venue"):
            value = getattr(entry, name)
            if isinstance(value, str):
                fixed, problems = _repair(value, CAPS[name])
                if problems:
                    changes[name] = fixed
                    for problem in problems:
                        counts[f"{name} {problem}"] = counts.get(f"{name} {problem}", 0) + 1
        authors = []
        changed = len(entry.authors) > MAX_AUTHORS
        for author in entry.authors[:MAX_AUTHORS]:
            fixed, problems = _repair(author, CAPS["author"])
            changed = changed or bool(problems)
            for problem in problems:
                counts[f"author {problem}"] = counts.get(f"author {problem}", 0) + 1
            authors.append(fixed)
        if changed:
            changes["authors"] = tuple(authors)
        if len(entry.authors) > MAX_AUTHORS:
            counts[f"over {MAX_AUTHORS:,} authors"] = counts.get(f"over {MAX_AUTHORS:,} authors", 0) + 1
        repaired.append(replace(entry, **changes) if changes else entry)  # type: ignore[arg-type]
    if not counts:
        return repaired, []
    listed = "; ".join(f"{what}: {n}" for what, n in sorted(counts.items()))
    return repaired, [f"{where}: repaired fields ({listed}): surrogates became U+FFFD, long values were cut"]
