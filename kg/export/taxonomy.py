"""arXiv's category taxonomy: category codes (`cs.CV`) and their official names.

The table `kg/data/arxiv-categories.tsv` holds the active categories of arXiv's taxonomy
(https://arxiv.org/category_taxonomy) as arXiv's own `arxiv-base` lists them in
`arxiv/taxonomy/definitions.py` (MIT licence).  `python -m kg.export.taxonomy DEFINITIONS`
rebuilds it from that file (read as Python syntax, never run); a code missing from the table
is labelled with the code itself.
"""

from __future__ import annotations

import ast
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

TABLE = "arxiv-categories.tsv"
HEADER = """\
# arXiv category codes and their official names: the active categories of arXiv's category taxonomy
# (https://arxiv.org/category_taxonomy), as listed in arXiv's arxiv-base, arxiv/taxonomy/definitions.py
# (MIT licence, Copyright Cornell University).
# Rebuilt by `python -m kg.export.taxonomy DEFINITIONS`. Columns: code, name (tab-separated).
"""


@lru_cache(maxsize=1)
def category_names() -> dict[str, str]:
    """Code -> official name of every category in the shipped table."""
    text = (resources.files("kg") / "data" / TABLE).read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            names[code] = name
    return names


def category_name(code: str) -> str:
    """The official name of `code`, or the code itself when the table does not know it."""
    return category_names().get(code, code)


def _keywords(call: ast.expr) -> dict[str, object]:
    if isinstance(call, ast.Call):
        return {k.arg: k.value.value for k in call.keywords if k.arg and isinstance(k.value, ast.Constant)}
    if isinstance(call, ast.Dict):  # older definitions: plain dicts with a `name`
        return {
            str(k.value): v.value
            for k, v in zip(call.keys, call.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
        }
    return {}


def table_from_definitions(source: str) -> str:
    """The table's text from the source of arxiv-base's `definitions.py`: its `CATEGORIES`
    mapping, active categories only, sorted by code."""
    rows: dict[str, str] = {}
    for node in ast.parse(source).body:
        target: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if not (isinstance(target, ast.Name) and target.id == "CATEGORIES"):
            continue
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if not isinstance(value, ast.Dict):
            continue
        for key, call in zip(value.keys, value.values, strict=True):
            fields = _keywords(call)
            name = fields.get("full_name", fields.get("name"))
            if isinstance(key, ast.Constant) and isinstance(name, str) and fields.get("is_active") is True:
                rows[str(key.value)] = " ".join(name.split())
    return HEADER + "".join(f"{code}\t{rows[code]}\n" for code in sorted(rows))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m kg.export.taxonomy path/to/arxiv/taxonomy/definitions.py", file=sys.stderr)
        return 2
    text = table_from_definitions(Path(argv[0]).read_text(encoding="utf-8"))
    target = Path(__file__).resolve().parents[1] / "data" / TABLE
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target} ({text.count(chr(10)) - HEADER.count(chr(10))} categories)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
