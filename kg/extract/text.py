"""Text as a reader sees it: titles, abstracts and names of every source, normalised once.

Real abstracts (arXiv's metadata, the Daily Papers API, saved pages) carry what their authors
typed: hard wraps, `$...$` math, `\\command{...}` markup, `\\%` and `\\_` escapes (also inside
URLs), Markdown links `[label](url)`.  `normalise` turns that into the text a reader sees
(`D$^3$R-DETR` -> `D³R-DETR`, `$\\ell_1$` -> `ℓ₁`, `\\'e` -> é, `\\textbf{x}` -> x), undoing
Markdown links and URL escapes first, so links, phrases and concepts are read from the text, not
from LaTeX fragments.  URLs are left as written (a LaTeX reading would take `%` for a comment
and `~` for a space).

pylatexenc does the LaTeX: only on the pieces that need it (math spans and commands, found by
one pattern), each piece once (cached), and only in texts holding `$` or a backslash, so
40,944 real arXiv abstracts take a few seconds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latex2text import get_default_latex_context_db as _latex_db
from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

from kg.model import Paper

# pylatexenc reports markup it cannot render through logging; the library must not print.
logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
logging.getLogger("pylatexenc").propagate = False


_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# A line-end hyphen and the line break after it, unless the next word shows a suspended
# compound; the letter before it is checked in `_hyphen` (a literal start keeps the search fast).
_HYPHEN_BREAK = re.compile(r"-[ \t\r\f\v]*\n\s*(?!(?:and|or|to|nor|as)(?:\s|$))(?=\S)")


def _hyphen(block: str, match: re.Match[str]) -> str:
    before = block[match.start() - 1 : match.start()]
    return "-" if before.isalpha() else match.group(0)


def unwrap(text: str) -> str:
    """Hard-wrapped text as flowing text: lines joined, paragraphs (blank lines) kept.

    A line ending in a hyphen continues without a space ("state-of-the-\\nart"), unless the
    next word shows a suspended hyphen ("pre-\\nand post-training").
    """
    paragraphs = []
    for block in _PARAGRAPH.split(text.strip()) if "\n" in text else [text]:
        if "-" in block and "\n" in block:
            block = _HYPHEN_BREAK.sub(partial(_hyphen, block), block)
        joined = " ".join(block.split())
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


# Characters no export can hold: C0 controls but tab and line ends, DEL, lone surrogates
# (text decoded from broken bytes or JSON `\ud800` escapes).  XML 1.0 (GraphML, GEXF) refuses
# the controls; UTF-8 (every file written) has no form for a surrogate.
_UNEXPORTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def repair_chars(text: str) -> tuple[str, int]:
    """`text` without the characters no export can hold (a surrogate becomes U+FFFD), and how
    many there were."""
    count = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "\ufffd" if match.group(0) >= "\ud800" else ""

    return _UNEXPORTABLE.sub(fix, text), count


# A LaTeX group, nested up to three levels: `{x}`, `{a{b}c}`.
_ARG = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"
_URL_CHARS = r"(?:[^\s<>\"`{}\\$]|\\[_%#&~$])"
# `[label](https://...)`; the target may hold one level of parentheses (Wikipedia pages).
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*((?:https?://|www\.)[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)\s*\)")
_HREF = re.compile(rf"\\href\s*\{{([^{{}}]*)\}}\s*({_ARG})")
_URL_COMMAND = re.compile(r"\\url\s*\{([^{}]*)\}")
_ESCAPED_URL = re.compile(rf"(?:\bhttps?://|\bwww\.){_URL_CHARS}+")
_URL_ESCAPE = re.compile(r"\\([_%#&~$])")
_URL = re.compile(r"(?:\bhttps?://|\bwww\.|\b(?:github\.com|huggingface\.co|gitlab\.com)/)[^\s<>\"`{}\\$]+")
_LOOKS_LIKE_URL = re.compile(r"^(?:https?://|www\.)\S+$|^[\w-]+(?:\.[\w-]+)+/\S*$")

_BRACED_COMMAND = re.compile(rf"\{{\\[^{{}}]*(?:{_ARG}[^{{}}]*)*\}}")  # {\"o}, {\em words}
# Math spans and commands, matched where a `$` or a backslash stands (`_CANDIDATE`).
_FRAGMENT = re.compile(
    r"\$\$(?P<display>[^$]+)\$\$"
    r"|\$(?P<math>(?:[^$\\]|\\.)+?)\$"
    r"|\\\((?P<paren>.+?)\\\)"
    r"|\\\[(?P<bracket>.+?)\\\]"
    rf"|(?P<command>\\[A-Za-z]+\*?(?:\s*{_ARG}){{0,3}}"  # \textbf{x}, \mathcal{O}, \LaTeX{}
    rf"|\\[`'^\"~=.](?:\s*{_ARG}|\s*[A-Za-z])"  # \'e, \"{o}
    r"|\\[%_&#${} ,;:!\\])",  # escapes and spaces
    re.DOTALL,
)
_CANDIDATE = re.compile(r"[$\\]")
# Wrappers that only choose a font or a box: their argument is the text.
_FONTS = re.compile(
    r"\\(?:text|textrm|textit|textbf|texttt|textsf|textsc|textup|textnormal|textmd|emph|mbox|hbox"
    r"|mathrm|mathit|mathbf|mathsf|mathtt|mathnormal|operatorname|boldsymbol|bm|pmb|underline)\*?\s*(?={)"
)
_DROPPED = {"cite", "citep", "citet", "citealp", "citeauthor", "ref", "eqref", "autoref", "cref", "label"}
_SPELLED = {"LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX"}
_ESCAPES = {"%": "%", "_": "_", "&": "&", "#": "#", "$": "$", "{": "{", "}": "}"}
# Macros that print nothing (font switches, spacing): an unknown macro is shown by its name.
_SILENT = {
    "em", "bf", "it", "rm", "sc", "tt", "sf", "sl", "bfseries", "itshape", "mdseries", "normalfont",
    "upshape", "scshape", "ttfamily", "rmfamily", "sffamily", "xspace", "noindent", "small", "large",
    "Large", "LARGE", "tiny", "scriptsize", "footnotesize", "normalsize", "huge", "Huge", "centering",
    "newline", "linebreak", "par", "relax", "displaystyle", "textstyle", "scriptstyle", "boldmath",
    "unboldmath", "protect", "nobreak", "hfill", "vspace", "hspace", "left", "right", "big", "Big",
    "bigl", "bigr", "Bigl", "Bigr", "limits", "nolimits", "quad", "qquad", "allowbreak", "null",
}  # fmt: skip
_MACRO_NAME = re.compile(r"\\([A-Za-z]+)")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_SCRIPT = re.compile(rf"([\^_])\s*({_ARG}|\\[A-Za-z]+|[^\s{{}}\\])")
_SPACES = re.compile(r"[ \t\u00a0]{2,}|\u00a0")

SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWαβγδθφχ∘⊤ᵀ*′'†‡",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵅᵝᵞᵟᶿᵠᵡ°ᵀᵀ*′′†‡",
        strict=True,
    )
)
SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)

_LATEX = LatexNodes2Text()
_KNOWN = _latex_db()
# Made once: pylatexenc's own `latex_to_text` builds this for every call (~2 ms).
_WALKER_CONTEXT = get_default_latex_context_db()


def _to_text(tex: str) -> str:
    """pylatexenc's reading of `tex` (a bare `%` is a percent sign, not a comment).

    Its parser fails on some malformed markup (`\\href` with one argument); then the macro
    names and braces are dropped, the rest kept: a paper's markup never fails a build.
    """
    tex = _BARE_PERCENT.sub(r"\\%", tex)
    try:
        walker = LatexWalker(tex, latex_context=_WALKER_CONTEXT, tolerant_parsing=True)
        nodes = walker.get_latex_nodes()[0]
        return str(_LATEX.nodelist_to_text(nodes))
    except Exception:  # any parser failure: the crude reading below
        return _MACRO_NAME.sub(" ", tex).replace("{", "").replace("}", "")


def _is_url(text: str) -> bool:
    return _LOOKS_LIKE_URL.match(text.strip()) is not None


def _url_unescaped(url: str) -> str:
    return _URL_ESCAPE.sub(r"\1", url)


def _markdown_link(match: re.Match[str]) -> str:
    label, url = " ".join(match.group(1).split()), match.group(2)
    return url if not label or _is_url(label) else f"{label} ({url})"


def _href(match: re.Match[str]) -> str:
    url = _url_unescaped(match.group(1).strip())
    label = match.group(2)[1:-1].strip()
    return url if not label or _is_url(_url_unescaped(label)) else f"{label} ({url})"


def undo_links(text: str) -> str:
    """Markdown links, `\\href`, `\\url` and LaTeX escapes in URLs undone: each URL as a reader
    would type it, once, after its label when the label is words."""
    if "](" in text:
        text = _MARKDOWN_LINK.sub(_markdown_link, text)
    if "\\" in text:
        if "\\href" in text:
            text = _HREF.sub(_href, text)
        if "\\url" in text:
            text = _URL_COMMAND.sub(lambda m: _url_unescaped(m.group(1).strip()), text)
        if _URL_ESCAPE.search(text):
            text = _ESCAPED_URL.sub(lambda m: _url_unescaped(m.group(0)), text)
    return text


def _script(chars: str, table: dict[str, str], mark: str) -> str:
    if chars and all(c in table for c in chars):
        return "".join(table[c] for c in chars)
    if mark == "^" and chars in ("∘", "\\circ"):
        return "°"
    return f"{mark}{chars}" if len(chars) == 1 else f"{mark}({chars})"


def _scripts(tex: str) -> str:
    """Super- and subscripts as Unicode where it has every character, else `^x` / `_(xy)`."""

    def one(match: re.Match[str]) -> str:
        mark, body = match.group(1), match.group(2)
        inner = _math(body[1:-1] if body.startswith("{") else body)
        return _script(inner, SUPERSCRIPTS if mark == "^" else SUBSCRIPTS, mark)

    return _SCRIPT.sub(one, tex)


@lru_cache(maxsize=32768)
def _math(tex: str) -> str:
    """One math span as text: fonts and boxes dropped, scripts raised or lowered, symbols as
    Unicode (`\\ell`, `\\times`, `\\alpha` as the letters and signs they print)."""
    tex = _FONTS.sub("", tex)
    if "^" in tex or "_" in tex:
        tex = _scripts(tex)
    if "\\" not in tex and "{" not in tex and "%" not in tex and "~" not in tex:
        return " ".join(tex.split())
    return " ".join(_to_text(tex).split())


@lru_cache(maxsize=32768)
def _command(tex: str) -> str:
    """One text-mode command (with its arguments) as text."""
    if len(tex) == 2 and tex[0] == "\\":
        return _ESCAPES.get(tex[1], " ")
    if tex.startswith("{"):  # {\"o}, {\em words}
        return _latex(tex[1:-1])
    name = _MACRO_NAME.match(tex)
    if name is None:  # an accent
        return _to_text(tex)
    macro = name.group(1)
    rest = tex[name.end() :].lstrip("*").strip()
    if macro in _DROPPED:
        return ""
    if macro in _SPELLED:
        return _SPELLED[macro]
    if _FONTS.match(tex) or (macro in _SILENT and rest.startswith("{")):
        return _latex(rest[1:-1]) if rest.startswith("{") else ""
    text = _to_text(tex)
    if not text.strip() and macro not in _SILENT and _KNOWN.get_macro_spec(macro) is None:
        # A macro the authors defined (`\ours`, `\method`): its name is what a reader can use.
        inner = rest[1:-1].strip() if rest.startswith("{") else ""
        return (_latex(inner) if inner else "") or macro
    return text


def _fragment(match: re.Match[str]) -> str:
    kind = match.lastgroup
    body = match.group(kind or 0)
    if kind == "command":
        return _command(body)
    if kind == "math" and body[:1].isdigit() and body[-1:].isspace():
        return match.group(0)  # `$5 and $10`: prices, not math
    return _math(body)


def _latex(text: str) -> str:
    """LaTeX math and commands in `text` as Unicode text; the rest stays as it is.

    Fragments are looked for only where a `$` or a backslash stands: one pattern tried at
    every position of a long abstract costs several times more.
    """
    if "$" not in text and "\\" not in text:
        return text
    pieces: list[str] = []
    done = 0  # text[:done] is in `pieces`
    for candidate in _CANDIDATE.finditer(text):
        at = candidate.start()
        if at < done:
            continue
        braced = _BRACED_COMMAND.match(text, at - 1) if at > done and text[at - 1] == "{" else None
        if braced is not None:
            pieces += [text[done : at - 1], _command(braced.group(0))]
            done = braced.end()
            continue
        match = _FRAGMENT.match(text, at)
        if match is not None:
            pieces += [text[done:at], _fragment(match)]
            done = match.end()
    pieces.append(text[done:])
    return "".join(pieces)


def normalise(text: str) -> str:
    """`text` as a reader sees it: unwrapped, links undone, LaTeX rendered (see the module
    docstring).  Characters no export can hold should be repaired first (`repair_chars`)."""
    if "\n" in text or text[:1].isspace() or text[-1:].isspace() or "  " in text:
        text = unwrap(text)
    text = undo_links(text)
    if "$" not in text and "\\" not in text:
        return text
    # URLs are left as written: a LaTeX reading would take `%` for a comment, `~` for a space.
    urls: list[str] = []

    def keep(match: re.Match[str]) -> str:
        urls.append(match.group(0))
        return f"\x00{len(urls) - 1}\x00"

    protected = _URL.sub(keep, text) if "://" in text or "www." in text or ".co" in text else text
    rendered = _latex(protected)
    if urls:
        rendered = re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], rendered)
    rendered = rendered.replace("\x00", "")
    if "  " in rendered or "\u00a0" in rendered or "\t" in rendered:
        rendered = _SPACES.sub(" ", rendered)
    return rendered.strip()


@dataclass
class TextReport:
    """What normalising the papers' text did: values changed, values repaired, and one line of
    problems per paper (by paper key) for the build's warnings."""

    normalised: int = 0  # titles, abstracts and names whose shown text differs from the written
    repaired: int = 0  # values that held characters no export can hold
    problems: dict[str, list[str]] = field(default_factory=dict)


def _clean(value: str, what: str, key: str, report: TextReport) -> str:
    fixed, bad = repair_chars(value)
    if bad:
        report.repaired += 1
        report.problems.setdefault(key, []).append(
            f"{bad} character{'s' if bad > 1 else ''} no export can hold removed from the {what}"
        )
    return fixed


def normalise_papers(papers: Iterable[Paper]) -> TextReport:
    """Normalise each paper's title, abstract and author names in place (see `normalise`).

    Where the shown title or abstract differs from the written one (beyond line wraps), the
    written form is kept in `Paper.written_title` / `Paper.written_abstract`.
    """
    report = TextReport()
    for paper in papers:
        if paper.title:
            title = _clean(paper.title, "title", paper.key, report)
            shown = normalise(title)
            if shown != title:
                report.normalised += 1
                written = unwrap(title)
                if written != shown:
                    paper.written_title = written
            paper.title = shown
        if paper.abstract:
            abstract = _clean(paper.abstract, "abstract", paper.key, report)
            shown = normalise(abstract)
            if shown != abstract:
                report.normalised += 1
                written = unwrap(abstract)
                if written != shown:
                    paper.written_abstract = written
            paper.abstract = shown
        if paper.authors:
            authors = []
            for name, author_id in paper.authors:
                fixed = _clean(name, "author names", paper.key, report)
                shown = " ".join(normalise(fixed).split()) if "\\" in fixed or "$" in fixed else fixed
                if shown != name:
                    report.normalised += 1
                authors.append((shown or fixed, author_id))
            paper.authors = authors
    return report
