"""Links between papers, each with the confidence it rests on.

Enters: the papers and their `ConceptMap` (and, after enrichment, references, citing works and
embeddings).  Leaves: related concepts and similar papers (`similarity`, reading what two texts share with `texts` and `words`), method mentions
(`mentions`, with `naming` for how an abstract claims or cites a name), bibliographic coupling and co-citation (`citations`), and embedding neighbours
(`embeddings`), as plain records that `kg.graph` puts in the model.
"""
