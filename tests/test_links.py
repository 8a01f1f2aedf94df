from __future__ import annotations

import pytest

from kg.extract.links import extract_links
from kg.model import LinkKind
from tests.conftest import SEEDS

# (text as it stands in a seed abstract, expected kind, canonical target, owner IRI)
MESSY = [
    pytest.param(
        "and pre-trained models are released at https: //github.com/salesforce/CodeT5 .",
        LinkKind.REPO,
        "https://github.com/salesforce/codet5",
        "https://github.com/salesforce",
        id="space-after-scheme",
    ),
    pytest.param(
        "Code will be released at: github.com/NVlabs/SegFormer.",
        LinkKind.REPO,
        "https://github.com/nvlabs/segformer",
        "https://github.com/nvlabs",
        id="no-scheme",
    ),
    pytest.param(
        "Our code is available in https://github.com/hutaiHang/Faster-Diffusion{FasterDiffusion}.",
        LinkKind.REPO,
        "https://github.com/hutaihang/faster-diffusion",
        "https://github.com/hutaihang",
        id="latex-label",
    ),
    pytest.param(
        "pre-trained model can be found on: https://github.com/yangdongchao/AcademiCodec"
        "{https://github.com/yangdongchao/AcademiCodec}",
        LinkKind.REPO,
        "https://github.com/yangdongchao/academicodec",
        "https://github.com/yangdongchao",
        id="latex-href",
    ),
    pytest.param(
        "Code is at https://github.com/PaddlePaddle/PaddleOCR/blob/dygraph/doc/doc_en/"
        "algorithm_rec_cppd_en.md{this https URL}.",
        LinkKind.REPO,
        "https://github.com/paddlepaddle/paddleocr",
        "https://github.com/paddlepaddle",
        id="latex-this-url",
    ),
    pytest.param(
        "We release the proposed models in Tensorflow at "
        "https://github.com/tensorflow/models/tree/master/research/deeplab.",
        LinkKind.REPO,
        "https://github.com/tensorflow/models",
        "https://github.com/tensorflow",
        id="tree-subpath",
    ),
    pytest.param(
        "We release our implementation at: https://github.com/NVIDIA/Megatron-LM#retro.",
        LinkKind.REPO,
        "https://github.com/nvidia/megatron-lm",
        "https://github.com/nvidia",
        id="fragment",
    ),
    pytest.param(
        "are be publicly available at https://github.com/tjunlp-lab/Lexical-Unit-Decoding-LUD-. Keywords:",
        LinkKind.REPO,
        "https://github.com/tjunlp-lab/lexical-unit-decoding-lud-",
        "https://github.com/tjunlp-lab",
        id="name-ends-in-dash",
    ),
    pytest.param(
        "The PFNR code is available at https://github.com/ihaeyong/PFNR.git.",
        LinkKind.REPO,
        "https://github.com/ihaeyong/pfnr",
        "https://github.com/ihaeyong",
        id="dot-git",
    ),
    pytest.param(
        "Suppression (DNS) challenge (https://github.com/alibabasglab/FRCRN).",
        LinkKind.REPO,
        "https://github.com/alibabasglab/frcrn",
        "https://github.com/alibabasglab",
        id="in-parentheses",
    ),
    pytest.param(
        "We release all project artifacts at https://hf.co/MLMvsCLM to foster further research.",
        LinkKind.OWNER,
        "https://huggingface.co/MLMvsCLM",
        "https://huggingface.co/MLMvsCLM",
        id="hf-short-host",
    ),
    pytest.param(
        "Leaderboard: https://huggingface.co/spaces/cis-lmu/Mexa, Code: https://github.com/cisnlp/Mexa.",
        LinkKind.REPO,
        "https://huggingface.co/spaces/cis-lmu/Mexa",
        "https://huggingface.co/cis-lmu",
        id="hf-space",
    ),
    pytest.param(
        "Our model is publicly available at https://huggingface.co/NexaAIDev/Dolphin.",
        LinkKind.REPO,
        "https://huggingface.co/NexaAIDev/Dolphin",
        "https://huggingface.co/NexaAIDev",
        id="hf-model",
    ),
    pytest.param(
        "Audio samples are available at http://ardit-tts.github.io/ .",
        LinkKind.PROJECT,
        "https://ardit-tts.github.io",  # a site's root page is the site (one URL)
        "https://github.com/ardit-tts",
        id="github-io-page",
    ),
    pytest.param(
        "Our project page is available https://anonymous0x233.github.io/ReuseAndDiffuse/{here}.",
        LinkKind.PROJECT,
        "https://anonymous0x233.github.io/ReuseAndDiffuse",
        "https://github.com/anonymous0x233",
        id="page-latex-here",
    ),
    pytest.param(
        "and code will be released at https://aka.ms/monitors4codegen .",
        LinkKind.OTHER,
        "https://aka.ms/monitors4codegen",
        None,
        id="short-link",
    ),
]


@pytest.mark.parametrize(("text", "kind", "target", "owner"), MESSY)
def test_messy_urls_from_the_seeds_are_repaired_and_classified(text, kind, target, owner):
    link = extract_links(text)[0]
    assert (link.kind, link.target, link.owner) == (kind, target, owner)
    assert link.written in text  # the exact spelling is kept for auditing


def test_written_form_keeps_the_authors_spelling():
    (link,) = extract_links("released at https: //github.com/salesforce/CodeT5 .")
    assert link.written == "https: //github.com/salesforce/CodeT5"
    assert link.url == "https://github.com/salesforce/CodeT5"


def test_two_links_in_one_sentence_are_both_found():
    text = (
        "Codes are publicly available at https://github.com/xinghaochen/SLAB and "
        "https://github.com/mindspore-lab/models/tree/master/research/huawei-noah/SLAB."
    )
    assert [link.target for link in extract_links(text)] == [
        "https://github.com/xinghaochen/slab",
        "https://github.com/mindspore-lab/models",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "lower latency.Codes are publicly available",  # sentences glued together
        "with multiple, e.g. six, decoder layers",
        "Access our shared implementations via this link to GitHub's page",
        "Please see GitHub.",
    ],
)
def test_words_that_only_look_like_hosts_are_not_links(text):
    assert extract_links(text) == []


def test_project_page_named_in_context_on_any_host():
    (link,) = extract_links("Project page: https://example.org/mypaper/")
    assert link.kind is LinkKind.PROJECT and link.target == "https://example.org/mypaper"


def test_case_variants_of_one_github_repo_are_one_target():
    a = extract_links("https://github.com/nvidia/megatron-lm")[0]
    b = extract_links("https://github.com/NVIDIA/Megatron-LM#retro")[0]
    assert a.target == b.target and a.owner == b.owner


def test_every_seed_url_is_found():
    # Every place a seed abstract names a scheme or a code host yields a link.
    import re

    for path in SEEDS.glob("*.txt"):
        for line in path.read_text().splitlines():
            marks = re.findall(r"https?\s?:\s?//|(?<![\w./])github\.com/", line)
            if marks:
                assert len(extract_links(line)) >= 1, line[:80]
