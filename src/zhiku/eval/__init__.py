"""eval stage of zhiku (see DESIGN.md §2): how good, how fast, how costly, on the user's documents.

One scoring library for the product (``zhiku eval``, the API) and the benchmarks (``bench/``):

* ``scoring``  — QA files (hand-written, generated, dev sets, feedback exports) and answer matching;
* ``graders``  — strict short answer, quote-or-short, refusal verdicts, rejected answers;
* ``metrics``  — citation precision, numeric faithfulness, latency percentiles, local share;
* ``stats``    — seeded bootstrap intervals, paired bootstrap and exact McNemar tests;
* ``results``  — per-question results, per-configuration summaries, the recommendation;
* ``configs`` / ``workspace`` / ``runner`` — configurations laid over the KB's settings, run on copies;
* ``generate`` (+ ``gen_*``) — QA sets generated from facts, graph edges and sentences;
* ``report_html`` / ``store`` / ``jobs`` — the self-contained report, saved reports, API jobs.
"""
