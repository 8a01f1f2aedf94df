"""Acronym definitions in scientific text: `long form (ACR)`, where the long form spells the acronym."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kg.extract.lexicon import CONNECTORS, FUNCTION_WORDS
from kg.extract.phrases import _TOKEN, _is_function, acronym_key, zipf

_ACRONYM_DEF = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*?)(s?)\s*\)")


def acronym_definitions(text: str) -> Iterable[tuple[str, list[str]]]:
    """(acronym, long-form words) for each `long form (ACR)` in `text`; [] where none spells it.

    The long form is the shortest run of words just before the parenthesis that spells the
    acronym: every word gives its initial as the acronym's next letter (function words such
    as "of" may be skipped), and a word may give further letters from inside it, in order
    ("Masked AutoEncoder" MAE, "DEtection TRansformer" DETR, "Text-to-Image" T2I).  So
    "approach for autoregressive (AR)" defines AR as "autoregressive", never the words before.
    """
    for match in _ACRONYM_DEF.finditer(text):
        acronym = match.group(1)
        before = text[: match.start()].rstrip()
        words = _TOKEN.findall(before.rsplit(".", 1)[-1])[-(len(acronym) + 5) :]
        yield acronym_key(acronym + match.group(2)), _match_long_form(acronym, words) or []


# Word endings that English counts as words of their own (wordfreq knows "ation" and "ment"):
# inside a word they are a suffix, no word that could give an acronym's capital.  Else
# "segmentation model" would spell SAM and file the Segment Anything Model under segmentation.
_SUFFIXES = frozenset(
    """
    ation ations ization isation ment ments ance ances ence ences ness ality ative atives
    ively ingly ities ional ables ibles
    """.split()
)

# A digit in an acronym may stand for a word: T2I is "text-to-image", B4 "before".
_DIGIT_WORDS = {"2": ("to", "two"), "4": ("for", "four"), "3": ("three",), "1": ("one",)}


def _match_long_form(acronym: str, words: list[str]) -> list[str] | None:
    """The shortest run of trailing `words` that spells the acronym (see `acronym_definitions`)."""
    if sum(c.isupper() for c in acronym) < 2:
        return None
    letters = [c for c in acronym if c.isalnum()]
    for start in range(len(words) - 1, -1, -1):
        candidate = words[start:]
        parts = [p for w in candidate for p in w.split("-") if p]
        if len(parts) > len(letters) + 2:
            return None
        if not parts or not _starts_letter(parts[0], letters[0]):
            continue
        if _spells(letters, parts, 0, 0):
            return None if _is_function(candidate[-1]) else candidate
    return None


def _starts_letter(part: str, letter: str) -> bool:
    low = part.lower()
    return low[0] == letter.lower() or low in _DIGIT_WORDS.get(letter, ())


def _inner_letter(part: str, position: int, letter: str) -> bool:
    """Whether `part[position]` may give the acronym letter `letter` from inside the word.

    A lower-case letter of the acronym may come from anywhere (ViT, LoRA); a capital only
    from a capital as written (DEtection TRansformer) or from the start of a word inside
    the word ("autoregressive" gives the R of AR; "decoding" gives no second D), not from a
    suffix ("segmentation" gives no A: "segmentation model" is no SAM).
    """
    if part[position].lower() != letter.lower():
        return False
    if letter.islower() or letter.isdigit() or part[position].isupper():
        return True
    rest = part[position:].lower()
    if rest in _SUFFIXES:
        return False
    return len(rest) >= 5 and (zipf(rest) >= 1.5 or zipf(rest.rstrip("s")) >= 1.5)


def _spells(letters: list[str], parts: list[str], i: int, j: int) -> bool:
    """Whether parts[j:] spell letters[i:] (initials in order, inner letters allowed)."""
    if j == len(parts):
        return i == len(letters)
    part = parts[j]
    low = part.lower()
    if (low in FUNCTION_WORDS or low in CONNECTORS) and _spells(letters, parts, i, j + 1):
        return True
    if i == len(letters) or not _starts_letter(part, letters[i]):
        return False
    i += 1
    if _spells(letters, parts, i, j + 1):
        return True
    if low in _DIGIT_WORDS.get(letters[i - 1], ()):
        return False
    for position in range(1, len(part)):
        if i < len(letters) and _inner_letter(part, position, letters[i]):
            i += 1
            if _spells(letters, parts, i, j + 1):
                return True
    return False
