"""Knowledge graph: entities × relations with evidence, built without an LLM, better with one.

Modules: ``extract_small`` (patterns, listings, POS), ``extract_llm`` (JSON extraction through
the LLM protocol), ``normalize`` (aliases, canonical ids), ``build`` (linking, co-occurrence),
``store`` (SQLite + networkx), ``service`` (one KB's graph), ``hook`` (ingestion),
``expand`` (graph-augmented retrieval), ``answer`` (relation answerer).
"""
