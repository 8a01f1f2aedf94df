"""Candidate key phrases and acronym definitions in scientific text (the concept vocabulary).

Tokens are classified once per process (content word, function word, acronym, connector);
phrases are runs of content words that start and end where a term can, keyed so that
plural/singular, hyphen/space and joined/hyphenated prefix variants meet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import simplemma
from wordfreq import zipf_frequency

from kg.extract.lexicon import (
    _ADJECTIVE_ENDINGS,
    _ADJECTIVES,
    _NOUNS_LIKE_ADJECTIVES,
    CONNECTORS,
    FILLER_MODIFIERS,
    FUNCTION_WORDS,
    GENERIC_HEADS,
    MAX_WORDS,
)

_HAS_DIGIT = re.compile(r"\d")
_NO_LY = frozenset({"anomaly", "family", "assembly", "supply", "italy", "only", "reply", "apply"})

_CHUNK_SPLIT = re.compile(r"[.,;:!?()\[\]{}\"“”‘’«»|/]|\s[-–—]\s|'s\b|'(?!\w)")
# Words of any script's letters ("Gervásio"), with inner hyphens and apostrophes; the same
# for ASCII text, which most abstracts are, by a pattern 1.6x faster.
_TOKEN = re.compile(r"[^\W_](?:[\w'-]*[^\W_])?")
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*[A-Za-z0-9]|[A-Za-z0-9]")
_URL = re.compile(r".*(?:://|github\.com|huggingface\.co|\.io/).*")
_LATEX = re.compile(r"\\[a-zA-Z]+|[{}^_$]")


@lru_cache(maxsize=200_000)
def is_acronym(token: str) -> bool:
    """A short token of mostly capitals: `LLM`, `ViT`, `MoE`, `T2I`, `CASS-NAT` (not `Multi-Level`)."""
    if not 2 <= len(token) <= 12 or not token[0].isalpha():
        return False
    letters = [c for c in token if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def acronym_key(token: str) -> str:
    """`LLMs` and `LLM` share a key; so do `MLPs` and `MLP`."""
    if len(token) > 2 and token.endswith("s") and token[-2].isupper():
        return token[:-1]
    return token


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    lemma = simplemma.lemmatize(word, lang="en")
    if lemma != word:
        return lemma
    # A word the dictionary lacks: regular plural rules, unless the word is common English
    # and its "singular" is not ("bias" is no plural of "bia", nor "lens" of "len").
    if word.endswith("ies"):
        singular = word[:-3] + "y"
    elif word.endswith(("xes", "ches", "shes")):
        singular = word[:-2]
    else:
        singular = word[:-1]
    known = zipf(word)
    if known > 0 and zipf(singular) < known - 0.5:
        return word
    return singular


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """How common a word is in general English (wordfreq's Zipf scale: 0 unknown, 7 "the")."""
    return float(zipf_frequency(word, "en"))


# Prefixes written both joined and hyphenated ("pretraining", "pre-training"): always split.
_JOINED_PREFIX = re.compile(r"^(pre|post|fine|multi|self|cross|semi|non|co|re|sub|un)(?=[a-z]{4})(?!-)")


def phrase_key(words: Sequence[str]) -> str:
    """Normalized key of a phrase: lower case, hyphens as spaces, last word lemmatized.

    Joined and hyphenated prefixes meet: "pretraining" and "pre-training" both give
    "pre training"; "finetuning" and "fine-tuning" give "fine tuning".
    """
    spelled: list[str] = []
    inner = _INNER_PARTS.get
    for word in words[:-1]:
        parts = inner(word)
        spelled += parts if parts is not None else _word_parts(word, last=False)
    last = words[-1]
    parts = _LAST_PARTS.get(last)
    spelled += parts if parts is not None else _word_parts(last, last=True)
    if spelled and spelled[-1] == "modeling":  # "masked language modeling" is the model's concept
        spelled[-1] = "model"
    return " ".join(spelled)


# Each word's part of a key, cached as a word inside a phrase and as its last word (which is
# lemmatized): keys are made for millions of surfaces from a vocabulary a tenth that size.
_INNER_PARTS: dict[str, tuple[str, ...]] = {}
_LAST_PARTS: dict[str, tuple[str, ...]] = {}
_MAX_CACHED_WORDS = 500_000


def _word_parts(word: str, *, last: bool) -> tuple[str, ...]:
    """A word's words in a key (a camel-case or hyphenated word gives several), as `phrase_key`
    spells them; the last word of a phrase has its last part lemmatized."""
    lowered = _CAMEL_PART.sub(r" \1", word).lower() if _CAMEL.match(word) else word.lower()
    if last:
        pieces = lowered.split()
        pieces[-1] = _lemma(pieces[-1])
        lowered = " ".join(pieces)
    parts = tuple(_spelling(_split_prefix(w)) for w in lowered.replace("-", " ").split())
    cache = _LAST_PARTS if last else _INNER_PARTS
    if len(cache) < _MAX_CACHED_WORDS:
        cache[word] = parts
    return parts


# Words joined in camel case from plain words ("LayerNorm", "BatchNorm"): keyed as two words.
_CAMEL = re.compile(r"^(?:[A-Z][a-z]{2,}){2,}$")
_CAMEL_PART = re.compile(r"(?<=[a-z])([A-Z])")
_BRITISH = {
    "behaviour": "behavior",
    "colour": "color",
    "neighbour": "neighbor",
    "favour": "favor",
    "labour": "labor",
    "centre": "center",
    "analyse": "analyze",
    "optimise": "optimize",
    "generalise": "generalize",
}


def _spelling(word: str) -> str:
    """US spelling of a British form: modelling, labelling, optimisation, behaviour."""
    if word in _BRITISH:
        return _BRITISH[word]
    if word.endswith(("elling", "elled")) and len(word) > 7:
        return word[:-4] + word[-3:]
    if "isation" in word:
        return word.replace("isation", "ization")
    return word


_KNOWN_JOINED = frozenset(
    {
        "pretraining",
        "pretrained",
        "finetuning",
        "finetuned",
        "multimodal",
        "multilingual",
        "multiscale",
        "multitask",
        "selfattention",
        "crossattention",
        "semisupervised",
        "nonautoregressive",
        "subword",
        "multihead",
        "multilayer",
        "pretrain",
        "finetune",
        "posttraining",
        "crosslingual",
        "crossmodal",
    }
)


def _split_prefix(word: str) -> str:
    if word in _KNOWN_JOINED:
        return _JOINED_PREFIX.sub(r"\1 ", word)
    return word


def slugify(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "concept"


def _is_function(word: str) -> bool:
    low = word.lower()
    if low in FUNCTION_WORDS or low.isdigit():
        return True
    return low.endswith("ly") and low not in _NO_LY and len(low) > 4


def _adjective(low: str) -> bool:
    if low in _ADJECTIVES:
        return True
    return low.endswith(_ADJECTIVE_ENDINGS) and low not in _NOUNS_LIKE_ADJECTIVES and len(low) > 4


def _ends_badly(word: str) -> bool:
    low = word.lower()
    # A phrase ends on its head noun, not a participle ("model trained") or a bare number.
    return (low.endswith("ed") and len(low) > 4 and not low.endswith("eed")) or (
        low[:1].isdigit() and low.isdigit()
    )


def clean_text(text: str) -> str:
    """Text without URLs and LaTeX markup, which would otherwise yield junk phrases."""
    if "://" in text or "github.com" in text or "huggingface.co" in text or ".io/" in text:
        text = " ".join(w for w in text.split() if not _URL.fullmatch(w))
    if "\\" in text or "{" in text or "^" in text or "$" in text or "_" in text:
        text = _LATEX.sub(" ", text)
    return text


# Token classes for phrase building, cached per distinct token (the vocabulary is small
# next to the token stream, so each token is classified once per process).
_CONTENT, _FUNCTION, _ACRONYM, _CONNECTOR, _OBJECT = 0, 1, 2, 3, 4  # _OBJECT: a function word
# that starts a verb's object (below)
_TOKEN_INFO: dict[str, tuple[int, bool, bool]] = {}
# Words that start the object of a verb: a content word right before one is a verb
# ("capturing the ...", "decreases the ..."), hardly ever a noun.
_OBJECT_STARTS = frozenset("the a an its their both these this those such each our all them it us".split())


def _token_info(token: str) -> tuple[int, bool, bool]:
    """(class, may start a phrase, may end a phrase)."""
    info = _TOKEN_INFO.get(token)
    if info is None:
        low = token.lower()
        if is_acronym(token):
            kind = _ACRONYM
        elif low in CONNECTORS:
            kind = _CONNECTOR
        elif low in _OBJECT_STARTS:
            kind = _OBJECT
        elif len(token) < 2 or _is_function(token):  # "h", "n": variables, not terms
            kind = _FUNCTION
        else:
            kind = _CONTENT
        content = kind == _CONTENT
        starts = (
            content and low not in FILLER_MODIFIERS and (not _HAS_DIGIT.search(low) or low in ("2d", "3d"))
        ) or (kind == _ACRONYM and not token.endswith("s"))  # "KV cache", "LLM inference"
        ends = (
            content
            and not _ends_badly(token)
            and low not in GENERIC_HEADS
            and _lemma(low) not in GENERIC_HEADS
            and not _adjective(low)
        )
        info = (kind, starts, ends)
        if len(_TOKEN_INFO) < 500_000:
            _TOKEN_INFO[token] = info
    return info


def candidate_phrases(text: str) -> tuple[list[str], list[str]]:
    """Candidate phrases of `text`: every one found, and those that end a run of words.

    The first list holds the surface form of every candidate phrase (1..4 words), `ACR:X`
    for each acronym X and `VERB:w` for a word followed by what reads as its object
    ("capturing the", "decreases the"); the second, the phrases that stand as the head of
    their noun phrase, i.e. that no further content word follows ("speculative decoding", not "real-world" in
    "real-world data").  Acronyms are resolved to their long form only once the whole
    corpus's definitions are known; phrases are keyed (`phrase_key`) once per distinct surface.
    """
    found: list[str] = []
    heads: list[str] = []
    add = found.append
    known = _TOKEN_INFO.get
    tokens = (_ASCII_TOKEN if text.isascii() else _TOKEN).findall
    for chunk in _CHUNK_SPLIT.split(text):
        run: list[str] = []
        infos: list[tuple[int, bool, bool]] = []
        previous = ""
        for token in tokens(chunk):
            info = known(token) or _token_info(token)
            kind = info[0]
            if kind == _CONTENT or (kind == _CONNECTOR and run):
                run.append(token)
                infos.append(info)
                previous = token
                continue
            if previous and (kind == _OBJECT or (kind == _ACRONYM and previous.endswith("ing"))):
                add("VERB:" + previous.lower())
            previous = ""
            if run:
                _run_phrases(run, infos, add, heads)
                run, infos = [], []
            if kind == _ACRONYM:
                add("ACR:" + token)  # as written ("LLMs"); `acronym_key` meets the forms later
                if info[1]:  # it may lead a compound ("KV cache"); a head only if it does not
                    run, infos = [token], [info]
                else:
                    heads.append("ACR:" + token)
        if run:
            _run_phrases(run, infos, add, heads)
    return found, heads


def _run_phrases(
    run: list[str], infos: list[tuple[int, bool, bool]], add: Callable[[str], None], heads: list[str]
) -> None:
    n = len(run)
    if n == 1 and infos[0][0] == _ACRONYM:
        heads.append("ACR:" + run[0])  # an acronym standing alone names a thing: a head
    if n == 1:
        if infos[0][1] and infos[0][2]:
            add(run[0])
            heads.append(run[0])
        return
    for i in range(n):
        if infos[i][1]:
            # An acronym leads a compound of two words ("KV cache", "LLM inference"); longer
            # runs after it are mostly its sentence's verb and object ("SD drafts tokens").
            longest = 2 if infos[i][0] == _ACRONYM else MAX_WORDS
            for j in range(i, min(i + longest, n)):
                if infos[j][2]:
                    phrase = " ".join(run[i : j + 1]) if j > i else run[i]
                    add(phrase)
                    if j == n - 1:
                        heads.append(phrase)


_KEYS: dict[str, str] = {}


def surface_key(surface: str) -> str:
    """`phrase_key` of a surface form (cached), or the surface itself for `ACR:`/`VERB:` markers."""
    key = _KEYS.get(surface)
    if key is None:
        key = surface if surface[:4] in ("ACR:", "VERB") else phrase_key(surface.split())
        if len(_KEYS) < 2_000_000:
            _KEYS[surface] = key
    return key


def clear_caches() -> None:
    """Forget the words cached while a corpus was read (on 40k papers, a few hundred MB that
    no later stage of a build reads); they are made again when next asked for."""
    for cached in (is_acronym, _lemma, zipf):
        cached.cache_clear()
    _INNER_PARTS.clear()
    _LAST_PARTS.clear()
