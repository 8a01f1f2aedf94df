"""Readers of the papers researchers keep, one module per format, and what they share.

`load_sources` resolves the inputs (`kg.sources.inputs`), detects each file's format from
its content (`detect_format`; `input_format` forces one), reads it with that format's reader
into entries with provenance, and `merge_entries` (`kg.sources.merge`) makes them papers.

| format | reader | what it is |
|---|---|---|
| `page` | `pages` | the text of a Daily Papers page saved from a browser |
| `hf` | `hf` | the Hugging Face papers API's JSON (`kg fetch hf` saves it) |
| `html` | `html` | a huggingface.co papers page saved as HTML |
| `ids` | `ids` | arXiv ids, arXiv URLs and DOIs, one a line |
| `bibtex` | `bibtex` | a BibTeX file |
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.model import Entry, Source
from kg.sources import bibtex, hf, html, ids, pages
from kg.sources.fields import repair_entries
from kg.sources.identity import normalize_title, title_key
from kg.sources.inputs import read_text, resolve_inputs, source_names
from kg.sources.merge import merge_entries

__all__ = [
    "FORMATS",
    "InputSet",
    "detect_format",
    "load_sources",
    "merge_entries",
    "normalize_title",
    "title_key",
]

Reader = Callable[[str, str, Path], tuple[Source, list[Entry], list[str]]]
READERS: dict[str, Reader] = {
    "page": pages.read,
    "hf": hf.read,
    "html": html.read,
    "ids": ids.read,
    "bibtex": bibtex.read,
}
FORMATS = tuple(READERS)
# When the content fits no particular format, the name's ending picks the reader, so that a
# broken `.bib` or `.json` file is told what is wrong with it as BibTeX or JSON.
_BY_SUFFIX = {".json": "hf", ".bib": "bibtex", ".html": "html", ".htm": "html"}
_JSON_START = re.compile(r'^\s*(?:\[\s*[\[{"\]]|\[\s*$|\{\s*["}]|\{\s*$)')

ProgressFn = Callable[[int, int], None]


def detect_format(text: str, path: Path | None = None) -> str:
    """The format of a file's text (one of `FORMATS`); a saved page is the fallback."""
    if _JSON_START.match(text[:256]):
        return "hf"
    if html.looks_like_html(text):
        return "html"
    if bibtex.looks_like_bibtex(text):
        return "bibtex"
    if ids.looks_like_ids(text):
        return "ids"
    if path is not None and path.suffix.lower() in _BY_SUFFIX:
        return _BY_SUFFIX[path.suffix.lower()]
    return "page"


@dataclass
class InputSet:
    """What the readers produced: the readable sources, their entries, per-file warnings,
    the files read, and notes (inputs named twice)."""

    sources: list[Source] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_sources(
    inputs: Iterable[str | Path],
    *,
    skip_bad: bool = False,
    input_format: str | None = None,
    progress: ProgressFn | None = None,
) -> InputSet:
    """Read every file named by `inputs` (files, folders, globs) with the reader its content
    calls for, or with `input_format` for all of them.

    With `skip_bad`, a file that cannot be read becomes a warning instead of an `InputError`;
    a path that names no file at all still raises.
    """
    if input_format is not None and input_format not in READERS:
        raise InputError(f"unknown input format {input_format!r} (choose from {', '.join(FORMATS)})")
    resolved = resolve_inputs(list(inputs))
    names = source_names(resolved.files)
    loaded = InputSet(notes=resolved.notes)
    ordered = sorted(resolved.files, key=lambda f: names[f])
    for done, path in enumerate(ordered, start=1):
        try:
            text = read_text(path)
            reader = READERS[input_format or detect_format(text, path)]
            try:
                source, entries, warnings = reader(text, names[path], path)
            except RecursionError:  # brackets, braces or JSON nested thousands deep
                raise InputError("nested too deeply to read (thousands of levels)", path=path) from None
            entries, repaired = repair_entries(entries, str(path))
            warnings = [*warnings, *repaired]
        except InputError as err:
            if not skip_bad:
                raise
            loaded.warnings.append(f"skipped {err}")
        else:
            loaded.sources.append(source)
            loaded.entries.extend(entries)
            loaded.warnings.extend(warnings)
            loaded.files.append(path)
        if progress is not None:
            progress(done, len(ordered))
    if not loaded.sources:
        raise InputError("no readable inputs among the files given")
    return loaded
