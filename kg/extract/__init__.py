"""Everything read out of one paper's text, and the corpus vocabulary made from it.

Enters: merged `Paper` records (title, abstract).  Leaves: the links and repositories each
abstract names (`links`), candidate phrases and acronym definitions (`phrases`, `acronyms`,
`candidates`), the corpus' terms with their senses, variants and hierarchy (`terms`), and the
`ConceptMap` of concepts and each paper's tags (`concepts`, ranked in `ranking`; its options
and curation files in `vocabulary`).
"""
