"""Read a huggingface.co papers page saved as HTML, through the JSON the page embeds.

The site renders its lists from JSON it places in `data-props` attributes: the Daily Papers
list (`data-target="DailyPapers"`) carries `{"dailyPapers": [...]}`, the same items the API
answers, and a paper's page carries its `paper` object.  That JSON is read with the
Hugging Face reader; the page's visible text is not scraped.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import Entry, Source
from kg.sources.hf import Item, entries_from_items, items_of, looks_like_hf

_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)


def looks_like_html(text: str) -> bool:
    return _HTML_START.match(text[:4096]) is not None


class _Props(HTMLParser):
    """Collects (line, data-target, data-props) of every element that carries props."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        props = values.get("data-props")
        if props:
            self.found.append((self.getpos()[0], values.get("data-target") or tag, props))


def _paper_items(line: int, target: str, props: Any) -> list[Item]:
    """The papers in one element's props: a `dailyPapers` list, or a `paper` object (which
    the props then hold the way a daily item does)."""
    if isinstance(props, dict) and looks_like_hf(props):
        return list(items_of(props, base=f"/{target}", line=line))
    return []


def read(text: str, name: str, path: Path | None = None) -> tuple[Source, list[Entry], list[str]]:
    """Entries from the papers data of a saved huggingface.co page."""
    where = path if path is not None else name
    parser = _Props()
    parser.feed(text)
    parser.close()
    items: list[Item] = []
    targets: dict[str, int] = {}
    for line, target, raw in parser.found:
        try:
            props = json.loads(raw)
        except json.JSONDecodeError:
            continue  # props of some other widget; the papers list is what counts
        # The pointer names the element by its data-target (numbered when one repeats).
        targets[target] = targets.get(target, 0) + 1
        element = target if targets[target] == 1 else f"{target}.{targets[target]}"
        items += _paper_items(line, element, props)
    if not items:
        raise InputError(
            "HTML page without Hugging Face papers data in it; save the page as text instead "
            "(select all, copy, paste into a .txt file), or fetch the list with `kg fetch hf`",
            path=where,
        )
    entries, warnings, listed = entries_from_items(iter(items), name, where)
    if not entries:
        raise InputError("no papers found in the page's embedded data", path=where)
    return Source(name, listed, "html"), entries, warnings
