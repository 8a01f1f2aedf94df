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
| `snapshot` | `snapshot` | arXiv's metadata snapshot: JSON lines, streamed (`SnapshotFilter` keeps some) |

Any of them may be gzipped (told by gzip's magic bytes, not the name).  A file found by
walking a folder whose content is none of these formats is skipped with a note
(`InputSet.skipped`); a file named on its own that is none of them is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, UnknownFormatError
from kg.model import Entry, Source
from kg.sources import bibtex, hf, html, ids, pages, snapshot
from kg.sources.fields import repair_entries
from kg.sources.identity import normalize_title, title_key
from kg.sources.inputs import read_head, read_text, resolve_inputs, source_names
from kg.sources.merge import merge_entries
from kg.sources.snapshot import SnapshotFilter

__all__ = [
    "FORMATS",
    "InputSet",
    "SnapshotFilter",
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
# The snapshot is streamed from its path (`snapshot.read_snapshot`), not read as one text.
FORMATS = (*READERS, "snapshot")
# When the content fits no particular format, the name's ending picks the reader, so that a
# broken `.bib` or `.json` file is told what is wrong with it as BibTeX or JSON.
_BY_SUFFIX = {".json": "hf", ".bib": "bibtex", ".html": "html", ".htm": "html"}
_JSON_START = re.compile(r'^\s*(?:\[\s*[\[{"\]]|\[\s*$|\{\s*["}]|\{\s*$)')

ProgressFn = Callable[[int, int], None]


def detect_format(text: str, path: Path | None = None, *, strict: bool = False) -> str | None:
    """The format of a file's text (one of `FORMATS`); a saved page is the fallback.

    `strict` (for files found in a folder) gives None for text that is none of the formats:
    JSON that is not Hugging Face papers data, a file that only its name calls BibTeX or HTML.
    (Whether text that falls back to `page` is one is told once it is read: `pages.reads_as_page`.)
    """
    if snapshot.looks_like_snapshot(text[: 1 << 16]):
        return "snapshot"
    if _JSON_START.match(text[:256]):
        if strict:
            try:
                return "hf" if hf.looks_like_hf(hf.load_json(text, path or "")) else None
            except InputError:
                return None
        return "hf"
    if html.looks_like_html(text):
        return "html"
    if bibtex.looks_like_bibtex(text):
        return "bibtex"
    if ids.looks_like_ids(text):
        return "ids"
    if strict:
        return "page"
    if path is not None and path.suffix.lower() in _BY_SUFFIX:
        return _BY_SUFFIX[path.suffix.lower()]
    return "page"


@dataclass
class InputSet:
    """What the readers produced: the readable sources, their entries, per-file warnings,
    the files read, notes (inputs named twice, what the filter kept), and the files found in
    a folder that are no input format (skipped)."""

    sources: list[Source] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def _read_file(
    path: Path, name: str, input_format: str | None, walked: bool, keep: SnapshotFilter, skip_bad: bool
) -> tuple[Source, list[Entry], list[str], str | None]:
    """One file's source, entries, warnings and a note; `UnknownFormatError` when a file
    found in a folder is none of the formats."""
    fmt = input_format
    if fmt is None:
        head = read_head(path)
        if walked and b"\x00" in head:  # a picture, an archive: no format of papers
            raise UnknownFormatError("binary file, none of the input formats kg reads", path=path)
        if b"\x00" not in head and snapshot.looks_like_snapshot(head.decode("utf-8", "replace")):
            fmt = "snapshot"
    if fmt == "snapshot":
        read = snapshot.read_snapshot(path, name, keep, skip_bad=skip_bad)
        note = None
        if keep.active:
            note = f"{path}: {len(read.entries)} of {read.records} papers match {keep.describe()}"
        return read.source, read.entries, read.warnings, note
    text = read_text(path)
    fmt = fmt or detect_format(text, path, strict=walked)
    if fmt is None:
        raise UnknownFormatError("none of the input formats kg reads", path=path)
    source, entries, warnings = READERS[fmt](text, name, path)
    if (
        walked
        and input_format is None
        and fmt == "page"
        and not pages.reads_as_page(text, source, entries, warnings)
    ):
        raise UnknownFormatError("not a saved page, nor any other input format kg reads", path=path)
    return source, entries, warnings, None


def load_sources(
    inputs: Iterable[str | Path],
    *,
    skip_bad: bool = False,
    input_format: str | None = None,
    progress: ProgressFn | None = None,
    keep: SnapshotFilter | None = None,
) -> InputSet:
    """Read every file named by `inputs` (files, folders, globs) with the reader its content
    calls for, or with `input_format` for all of them; `keep` filters arXiv snapshots.

    With `skip_bad`, a file that cannot be read becomes a warning instead of an `InputError`
    (and a snapshot's bad line is skipped); a path that names no file at all still raises.
    A file found in a folder that is none of the formats is skipped with a note.
    """
    if input_format is not None and input_format not in FORMATS:
        raise InputError(f"unknown input format {input_format!r} (choose from {', '.join(FORMATS)})")
    keep = keep or SnapshotFilter()
    resolved = resolve_inputs(list(inputs))
    names = source_names(resolved.files)
    loaded = InputSet(notes=resolved.notes)
    ordered = sorted(resolved.files, key=lambda f: names[f])
    for done, path in enumerate(ordered, start=1):
        walked = path in resolved.walked
        try:
            try:
                source, entries, warnings, note = _read_file(
                    path, names[path], input_format, walked, keep, skip_bad
                )
            except RecursionError:  # brackets, braces or JSON nested thousands deep
                raise InputError("nested too deeply to read (thousands of levels)", path=path) from None
            entries, repaired = repair_entries(entries, str(path))
            warnings = [*warnings, *repaired]
        except UnknownFormatError as err:
            if not walked:
                raise
            loaded.skipped.append(path)
            loaded.notes.append(f"{path}: {err.message}, skipped")
        except InputError as err:
            if not skip_bad:
                raise
            loaded.warnings.append(f"skipped {err}")
        else:
            loaded.sources.append(source)
            loaded.entries.extend(entries)
            loaded.warnings.extend(warnings)
            loaded.files.append(path)
            if note:
                loaded.notes.append(note)
        if progress is not None:
            progress(done, len(ordered))
    if not loaded.sources:
        raise InputError("no readable inputs among the files given")
    return loaded
