"""phrase_key's per-word cache: a word's part of a key depends on whether it ends the phrase."""

from __future__ import annotations

from kg.extract import phrases
from kg.extract.phrases import phrase_key


def test_a_word_keyed_inside_a_phrase_is_still_lemmatized_at_its_end():
    assert phrase_key(["models", "collapse"]) == "models collapse"  # inside: as written
    assert phrase_key(["language", "models"]) == "language model"  # at the end: lemmatized
    assert phrase_key(["models", "collapse"]) == "models collapse"  # and the cache keeps both
    assert phrase_key(["models"]) == "model"


def test_cached_keys_equal_keys_made_afresh():
    surfaces = [
        ["pre-training", "LayerNorms"],
        ["finetuning", "optimisation"],
        ["masked", "language", "modelling"],
        ["Multi-Head", "self-attention", "layers"],
        ["BatchNorm", "statistics"],
    ]
    first = [phrase_key(words) for words in surfaces]
    phrases._INNER_PARTS.clear()
    phrases._LAST_PARTS.clear()
    again = [phrase_key(words) for words in reversed(surfaces)][::-1]
    assert first == again
    assert first[2] == "masked language model"
    assert first[0] == "pre training layer norm"


def test_clearing_the_caches_forgets_every_word_and_keys_stay_the_same():
    surfaces = [["Diffusion", "Models"], ["LoRA", "adapters"], ["ImageNet"]]
    first = [phrase_key(words) for words in surfaces]
    phrases.is_acronym("LoRA")
    assert phrases._LAST_PARTS and phrases.is_acronym.cache_info().currsize
    assert phrases._lemma.cache_info().currsize
    phrases.clear_caches()
    assert not phrases._INNER_PARTS and not phrases._LAST_PARTS
    assert phrases.is_acronym.cache_info().currsize == phrases._lemma.cache_info().currsize == 0
    assert [phrase_key(words) for words in surfaces] == first
