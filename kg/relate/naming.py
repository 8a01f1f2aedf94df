"""How an abstract writes a coined name: claiming it as its own, or citing another's.

`claims` finds the names a paper introduces ("we propose X", "X, a novel ...", "our X", a long
form it spells out: "Ripple of Thought (RoT)"); `cited` whether a name stands in a citing phrase
("such as X", "X [12]", "outperforms X").  `kg.relate.mentions` weighs both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container

from kg.extract.field import NAME_TOKEN, inside_longer_name
from kg.extract.lexicon import FUNCTION_WORDS
from kg.model import Paper

# A paper claims a name as its own where its title's head (before the colon) writes it, or its
# abstract introduces it: "we propose X", "a new benchmark, X", "called X", "X, a novel ...",
# "our X", or a long form it spells out: "Ripple of Thought (RoT)".
_INTRODUCE = (
    r"(?:propos|present|introduc|develop|design|build|built|construct|creat|releas|curat|contribut"
    r"|establish|launch|formulat|devis|offer|provid|put forward|coin|nam|call|dub|term|denot|refer)\w*"
)
_CLAIM_BEFORE = re.compile(
    rf"(?:\b[Ww]e\s+(?:\w+ly\s+)?(?:also\s+|further\s+|then\s+)?{_INTRODUCE}\s+|\b(?:called|named|dubbed|termed"
    r"|coined|denoted|codenamed)\s+|\b(?:[Oo]ur|[Tt]his|[Tt]he proposed|[Tt]he resulting|[Tt]he new)\s+"
    r"|\b(?:a|an)\s+(?:new|novel)\s+(?:(?!(?:on|in|at|of|to|for|with|than|over|by|from)\b)[\w-]+,?\s+){1,4})"
    r"(?:(?:a|an|the)\s+)?$"
    rf"|\b[Ww]e\s+(?:\w+ly\s+)?{_INTRODUCE}\s+(?:a|an|the)\s+[^.;()]{{0,60}}\($"
)
# An apposition introduces ("X, a simple new router"); a sentence may only describe ("X is a
# simple architecture" of another paper's method), so there only new, novel or first claim.
_CLAIM_AFTER = re.compile(
    r"^(?:\s*\([^)]*\))?,\s+(?:a|an|the|which is a|which is an|which is the)\s+(?:new|novel|first|simple|unified|"
    r"general|lightweight|scalable|efficient|our)\b"
    r"|^(?:\s*\([^)]*\))?\s+is\s+(?:a|an|the)\s+(?:new|novel|first)\b"
    r"|^\s*\((?:ours|our method|our model|our approach)\)"
    # An apposition that says the thing is the paper's own: "GSFixer, a diffusion model obtained
    # via our fine-tuning".
    r"|^,\s+(?:a|an|the)\s+[^,.;:()]{0,80}?\b(?:our|we)\b"
)
# "a PromptEngineer, which ..., and a VisionReasoner, a large vision-language model": a role
# in the paper's own design, named with an article as a kind of thing is.
_ROLE_BEFORE = re.compile(r"\b(?:a|an)\s+$")
_ROLE_AFTER = re.compile(r"^,\s+(?:a|an)\s")
_WORD = re.compile(r"[A-Za-z0-9]+")


def claims(paper: Paper, only: Container[str] | None = None) -> dict[str, str]:
    """The coined names (of `only`, if given) a paper claims as its own (see above): each with
    the long form it spells the name out by, or "" where it introduces the name otherwise."""
    head = paper.title.partition(":")[0] if ":" in paper.title else ""
    found = {
        m.group(0): ""
        for m in NAME_TOKEN.finditer(head)
        if (only is None or m.group(0) in only) and not extended_name(head, m)
    }
    text = paper.abstract or ""
    matches = list(NAME_TOKEN.finditer(text))
    for i, match in enumerate(matches):
        name = match.group(0)
        if (only is not None and name not in only) or not _coined(name) or found.get(name) == "":
            continue
        if extended_name(text, match) or inside_longer_name(text, matches, i):
            continue  # "we launch the RoboTwin Dual-Arm Challenge", "we propose GAMA++": another name
        before = text[max(0, match.start() - 160) : match.start()]
        after = text[match.end() : match.end() + 60]
        if (
            _CLAIM_BEFORE.search(before)
            or _CLAIM_AFTER.search(after)
            or (_ROLE_BEFORE.search(before) and _ROLE_AFTER.search(after))
        ):
            found[name] = ""
        elif name not in found:
            long_form = _spelt_out(before, after, name) or _spelt_after(after, name)
            if long_form:
                found[name] = long_form
    return found


def extended_name(text: str, match: re.Match[str]) -> bool:
    """Whether the name at `match` goes on as another name: `GAMA++` is GAMA's successor, and
    a paper proposing it claims no more than that (writing it names GAMA, as a later version)."""
    return text[match.end() : match.end() + 1] == "+"


def _coined(token: str) -> bool:
    return len(token) >= 3 and (any(c.isupper() for c in token[1:]) or any(c.isdigit() for c in token))


def _spelt_out(before: str, after: str, name: str) -> str:
    """The long form a name stands for where it follows it in parentheses, else "": its
    capitals are, in order, initials of the words before ("Ripple of Thought (RoT)"), or its
    parts are ("Symmetry-Guidance Transformer (SGFormer)": S, G, Former)."""
    if not (before.endswith("(") and after[:1] in "),;"):
        return ""
    tokens = _WORD.findall(before.replace("-", " "))
    words = [w.lower() for w in tokens[-8:]]
    capitals = [c.lower() for c in name if c.isupper()]
    parts = [p.lower() for p in re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", name) if not p.isdigit()]
    if len(capitals) < 2:
        return ""
    for pieces, fits in ((capitals, _initial), (parts, _part)):
        start = _match_from_end(words, pieces, fits)
        if start is not None:
            return " ".join(words[start:])
    # Or an acronym in the long form gives several capitals: "Multi Image VQA (MVQA)".
    original = tokens[-8:]
    letters = [(i, c) for i, w in enumerate(original) for c in (w if _is_caps(w) else w[:1])]
    if any(_is_caps(w) for w in original):
        start = _match_from_end([c.lower() for _, c in letters], capitals, _initial)
        if start is not None:
            return " ".join(w.lower() for w in original[letters[start][0] :])
    # Or the long form's own capitals spell it: "EXplainable CompLiance ... (EXCLAIM)".
    written = tokens[-12:]
    spelt = "".join(c for w in written for c in w if c.isupper())
    if spelt.endswith("".join(capitals).upper()):
        return " ".join(w.lower() for w in written)
    return ""


def _is_caps(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


def _spelt_after(after: str, name: str) -> str:
    """The long form a name stands for where it follows the name as an apposition or in
    parentheses ("MoSE, modality-specific experts", "MoSE (modality-specific experts)"): its
    words' initials, but for function words, are the name's capitals in order, else ""."""
    capitals = [c.lower() for c in name if c.isupper()]
    match = _APPOSED.match(after)
    if len(capitals) < 2 or not match:
        return ""
    words = [w.lower() for w in _WORD.findall(match.group(1).replace("-", " "))]
    content = [w for w in words if w not in FUNCTION_WORDS]
    content = content[: len(capitals)]
    if len(content) < len(capitals) or any(
        not w.startswith(c) for c, w in zip(capitals, content, strict=True)
    ):
        return ""
    return " ".join(content)


_APPOSED = re.compile(r"^\s*[,(]\s*([A-Za-z][\w-]*(?:\s+[\w-]+){0,7})")


def _initial(piece: str, word: str) -> bool:
    return word.startswith(piece[0])


def _part(piece: str, word: str) -> bool:
    return word.startswith(piece) or (len(piece) > 2 and piece in word)


def _match_from_end(words: list[str], pieces: list[str], fits: Callable[[str, str], bool]) -> int | None:
    """Where the words matched to the pieces begin, matching the last piece to the last words."""
    i = len(words) - 1
    for piece in reversed(pieces):
        while i >= 0 and not fits(piece, words[i]):
            i -= 1
        if i < 0:
            return None
        i -= 1
    return i + 1


def same_long_form(long_form: str, title: str) -> bool:
    """Whether a long form spells out the method a title names: each of its content words
    (by its first five letters) is in the title."""
    words = [w[:5] for w in _WORD.findall(long_form.lower()) if w not in FUNCTION_WORDS]
    written = {w[:5] for w in _WORD.findall(title.replace("-", " ").lower())}
    return bool(words) and all(w in written for w in words)


# A citing phrase around a name: a reference mark or author after it, or before it a phrase
# that compares with, builds on or lists other work.
_CITED_AFTER = re.compile(
    r"^\s*(?:\[[\w ,;.-]{1,30}\]|\((?:[^()]{0,40}\bet al\.?|[^()]{0,40}\d{4})[^()]*\)|et al\b)"
)
_CITED_BEFORE = re.compile(
    r"(?:\bsuch as|\blike|\be\.g\.,?|\bincluding|\bnamely|\bbased on|\bbuilt (?:up)?on|\bbuilds (?:up)?on"
    r"|\bon top of|\bextend\w*|\bfollowing|\bunlike|\bcompared (?:to|with)|\bcomparison (?:to|with)|\bversus"
    r"|\bvs\.?|\bthan|\boutperform\w*|\bsurpass\w*|\bimprov\w* (?:up)?on|\bbaselines?|\binspired by"
    r"|\bproposed (?:by|in)|\bintroduced (?:by|in)|\b(?:use|uses|using|adopt\w*|leverag\w*|employ\w*)"
    r"|\b(?:evaluat\w*|test\w*|experiments?|results?|accuracy|scores?|achiev\w*)\s+on)"
    r"\s+(?:the\s+)?(?:recent\s+|existing\s+|prior\s+|previous\s+|popular\s+)?"
    r"(?:[\w.-]+(?:,\s+|\s+and\s+|\s+or\s+)){0,4}$"
)


def cited(text: str, match: re.Match[str]) -> bool:
    """Whether the name at `match` stands in a citing phrase of `text` (see above)."""
    before = text[max(0, match.start() - 100) : match.start()]
    after = text[match.end() : match.end() + 60]
    return bool(_CITED_AFTER.search(after) or _CITED_BEFORE.search(before))
