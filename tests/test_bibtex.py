"""BibTeX through the real CLI: decoded LaTeX, authors, dates, venues, ids, broken entries."""

from __future__ import annotations

from pathlib import Path

from tests.sources_build import SOURCES, build, shacl_conforms


def test_bibtex_keeps_decoded_titles_authors_dates_venues_and_ids(tmp_path: Path):
    built = build(tmp_path, SOURCES / "library.bib")
    rows = {
        r["title"]: r
        for r in built.rows(
            """SELECT ?title ?id ?same ?issued ?type ?venue WHERE {
                 ?p a schema:ScholarlyArticle ; dcterms:title ?title .
                 OPTIONAL { ?p kg:arxivId ?id } OPTIONAL { ?p owl:sameAs ?same FILTER STRSTARTS(STR(?same), "https://doi") }
                 OPTIONAL { ?p dcterms:issued ?issued BIND (STRAFTER(STR(DATATYPE(?issued)), "#") AS ?type) }
                 OPTIONAL { ?p kg:venue ?venue } }"""
        )
    }
    assert set(rows) == {
        "Attention is All you Need",
        "Long Short-Term Memory",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",  # nested braces
        "CodeT5: Identifier-aware Unified Pre-trained Encoder-Decoder Models for Code Understanding and Generation",
        "Segment Anything",
    }
    lstm = rows["Long Short-Term Memory"]
    assert (lstm["same"], lstm["issued"], lstm["type"], lstm["venue"]) == (
        "https://doi.org/10.1162/neco.1997.9.8.1735",
        "1997-11",
        "gYearMonth",
        "Neural Computation",  # an @string macro
    )
    bert = rows["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert (bert["id"], bert["issued"], bert["type"], bert.get("venue")) == (
        "1810.04805",
        "2018",
        "gYear",
        None,
    )
    attention = rows["Attention is All you Need"]
    assert (attention["id"], attention.get("same")) == ("1706.03762", None)  # arXiv's own DOI is the arXiv id
    assert rows["Segment Anything"]["id"] == "2304.02643"  # Mendeley's arxivId
    assert rows[
        "CodeT5: Identifier-aware Unified Pre-trained Encoder-Decoder Models for Code Understanding and Generation"
    ]["venue"].endswith("EMNLP 2021")
    names = built.column("SELECT ?name WHERE { ?a a foaf:Person ; foaf:name ?name }", "name")
    assert {"Jürgen Schmidhuber", "Łukasz Kaiser", "Piotr Dollár", "Shafiq R. Joty"} <= set(names)
    order = built.column(
        """SELECT ?name WHERE { ?p dcterms:title "Long Short-Term Memory" ; kg:authorship ?a .
             ?a kg:position ?n ; kg:author/foaf:name ?name } ORDER BY ?n""",
        "name",
    )
    assert order == ["Sepp Hochreiter", "Jürgen Schmidhuber"]
    assert built.column("SELECT ?r WHERE { ?p kg:repository ?r }", "r") == [
        "https://github.com/facebookresearch/segment-anything"
    ]
    abstract = built.column("SELECT ?a WHERE { ?p kg:arxivId '1706.03762' ; dcterms:abstract ?a }", "a")
    assert abstract and abstract[0].startswith("The dominant sequence transduction models")
    shacl_conforms(built.out / "graph.ttl")


def test_bibtex_latex_and_percent_signs(tmp_path: Path):
    bib = tmp_path / "x.bib"
    bib.write_text(
        "@article{a, title = {{\\'E}tude {\\`a} 50% du co{\\^u}t: {\\em {Nested {Braces}}} -- {$\\alpha$}-Nets},\n"
        '  author = {M{\\"u}ller, J{\\"o}rg and de la Fontaine, Jean and Smith, Jr., John and others},\n'
        "  abstract = {Gains of 12% over \\textbf{all} baselines.}, year = 2020}\n"
    )
    built = build(tmp_path, bib)
    assert built.column("SELECT ?t WHERE { ?p a schema:ScholarlyArticle ; dcterms:title ?t }", "t") == [
        "Étude à 50% du coût: Nested Braces – α-Nets"
    ]
    assert built.column("SELECT ?a WHERE { ?p dcterms:abstract ?a }", "a") == [
        "Gains of 12% over all baselines."
    ]
    names = built.column(
        "SELECT ?name WHERE { ?p kg:authorship ?a . ?a kg:position ?n ; kg:author/foaf:name ?name } ORDER BY ?n",
        "name",
    )
    assert names == ["Jörg Müller", "Jean de la Fontaine", "John Smith, Jr."]  # "and others" is no author


def test_a_broken_bibtex_entry_is_a_warning_and_the_rest_is_read(tmp_path: Path):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{good, title = {First}, year = 2020}\n"
        "@misc{broken, title = {never closed\n"
        "@article{good, title = {Second}, year = 2021}\n"
        "@article{after, title = {Third}, year = 2022}\n"
        "@misc{empty, note = {nothing to know it by}}\n"
    )
    built = build(tmp_path, bib)
    assert built.column(
        "SELECT ?t WHERE { ?p a schema:ScholarlyArticle ; dcterms:title ?t } ORDER BY ?t", "t"
    ) == ["First", "Third"]
    assert built.result.stderr == (
        f"Warning: {bib}:2: not a readable BibTeX entry ('@misc{{broken, title = {{never closed'), skipped\n"
        f"Warning: {bib}:3: entry key 'good' used again, entry skipped\n"
        f"Warning: {bib}:5: entry 'empty' has no title, DOI or arXiv id, skipped\n"
    )
