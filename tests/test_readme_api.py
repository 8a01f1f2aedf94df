"""The README's "From Python: `kg.build`" section names only what `kg.build` takes and what its
`BuildResult` holds (issue 25: `kg.build` documented), so the two cannot drift apart."""

from __future__ import annotations

import dataclasses
import inspect
import re

import kg
from kg.pipeline import BuildResult
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section() -> str:
    start = README.index("### From Python: `kg.build`")
    return README[start : README.index("\n### ", start + 1)]


def test_the_readme_shows_kg_build_and_its_result():
    text = section()
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None
    compile(code.group(1), "README.md", "exec")  # it is Python as written
    named = set(re.findall(r"\bresult\.(\w+)", text))
    fields = {f.name for f in dataclasses.fields(BuildResult)} | {
        name for name, _ in inspect.getmembers(BuildResult, lambda m: isinstance(m, property))
    }
    assert named >= {"papers", "graph", "outputs", "warnings"}
    assert named <= fields, named - fields


def test_every_keyword_the_readme_gives_kg_build_is_one_it_takes():
    text = section()
    keywords = set(re.findall(r"`(\w+)=", text)) | set(re.findall(r"kg\.build\([^)]*?\b(\w+)=", text))
    taken = set(inspect.signature(kg.build).parameters)
    assert keywords, text
    assert keywords <= taken, keywords - taken
    assert "build_corpus" in text and callable(kg.build_corpus)
