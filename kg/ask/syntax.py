"""Oxigraph's SPARQL parse errors in words: the line and column, an undeclared prefix named,
what was expected instead."""

from __future__ import annotations

import re

from kg.export.namespaces import PREFIXES

_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)
# Strings, IRIs and comments are blanked (same length, newlines kept) before looking for
# prefixed names, so positions stay those of the user's text.
_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PNAME = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:(?=[\w%\\]|\s|[;,.)\]}]|$)")
# The first word after the PREFIX and BASE declarations names the query form.
_FIRST_WORD = re.compile(r"^(?:\s*(?:PREFIX\s+[\w.-]*:\s*|BASE\s*)<?\s*)*\s*([A-Za-z]+)", re.IGNORECASE)
_FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
_TOKEN = re.compile(r"[A-Za-z_][\w:.-]*|[?$]\w+|\S")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _undefined_prefix(text: str) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix is neither declared nor predeclared."""
    blank = _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    declared = set(PREFIXES) | {m.group(1) or "" for m in _DECLARED.finditer(blank)}
    for match in _PNAME.finditer(blank):
        prefix = match.group(1) or ""
        if prefix not in declared:
            return (prefix, *_position(text, match.start()))
    return None


def _items(rest: str) -> list[str]:
    """The items of Oxigraph's 'expected one of …' list."""
    body = re.sub(r"^expected (one of )?", "", rest.strip())
    return [i.strip() for i in re.findall(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,\s][^,]*', body)]


def _expected(items: list[str]) -> list[str]:
    """The tokens a person can act on (no character classes)."""
    words = []
    for item in items:
        if item.startswith('"') and item.endswith('"'):
            words.append(repr(item[1:-1].encode().decode("unicode_escape")))
        elif re.fullmatch(r"[A-Za-z]+", item):
            words.append(item)
        elif item == "['0'..='9']":
            words.append("a number")
    return words


_SENTENCES = {"IRI parsing failed": "invalid IRI", "Prefix not found": "unknown prefix"}


def explain_syntax_error(text: str, message: str) -> str:
    """Oxigraph's parse error in words, with the line and column in `text` (the user's own)."""
    found = _ERROR_AT.match(message.strip())
    if found is None:
        return message.strip().splitlines()[0][:160]
    line, column = int(found.group(1)), int(found.group(2))
    undefined = _undefined_prefix(text)
    if undefined is not None:
        prefix, line, column = undefined
        return (
            f"unknown prefix '{prefix}:' at line {line}, column {column}; declare it "
            f"(PREFIX {prefix}: <…>) or use a predeclared one: {', '.join(PREFIXES)}"
        )
    blank = _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    start = _FIRST_WORD.search(blank)
    if start and start.group(1).upper() not in _FORMS:
        line, column = _position(text, start.start(1))
        return (
            f"a query starts with SELECT, CONSTRUCT, ASK or DESCRIBE, not {start.group(1)!r} "
            f"(line {line}, column {column})"
        )
    items = _items(found.group(3))
    sentence = next((i for i in items if " " in i and i[0] not in '"['), None)
    if sentence:
        words = _SENTENCES.get(sentence, sentence[0].lower() + sentence[1:])
        if words == "invalid IRI":  # Oxigraph points past the IRI: point at its start
            opening = text.splitlines()[line - 1].rfind("<", 0, column - 1)
            column = opening + 1 if opening >= 0 else column
        return f"{words} (line {line}, column {column})"
    lines = text.splitlines()
    end = _position(text, len(text.rstrip()))
    if line > len(lines) or (line, column) >= end:
        unclosed = [f"'{o}'" for o, c in ("{}", "()", "[]") if blank.count(o) > blank.count(c)]
        expected = _expected(items)
        if unclosed:
            return f"the query ends too early (line {end[0]}, column {end[1]}): {' and '.join(unclosed)} not closed"
        if 0 < len(expected) <= 2:  # a short list is a real hint (ORDER without BY); a long one is noise
            return f"the parser stopped at the end (line {end[0]}, column {end[1]}) expecting {' or '.join(expected)}"
        return (
            f"the query ends too early (line {end[0]}, column {end[1]}): something is missing before its end"
        )
    token = _TOKEN.match(lines[line - 1][column - 1 :].lstrip())
    where = (
        f"unexpected {token.group(0)!r} at line {line}, column {column}"
        if token
        else (f"unexpected end of line {line}")
    )
    expected = _expected(items)
    if expected:
        where += f"; expected {', '.join(expected[:8])}{', …' if len(expected) > 8 else ''}"
    return where
