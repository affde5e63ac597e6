"""Error analysis of the reader's top-1 failures on the dev sets (selection only, never fitting).

For each answerable question whose best candidate is graded wrong, the first stage that lost the
gold answer: not in the top-10 hits (retrieval), not in the hits the reader reads, split across
sentences, not in the sentences candidates come from, no generator proposes it, or a right
candidate ranked lower (with its rank).  Also: the answer kind asked against the sources of the
pick, and "near misses" (pick and gold overlap: a format variant the strict grader refuses).

    python bench/reader_errors.py --hits-cache DIR [--sets rgb_zh cmrc2018_open] [--show N]

``DIR`` holds each set's top hits as written by ``bench/reader_bench.py --hits-cache``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.answer.reader import ExtractiveReader  # noqa: E402
from zhiku.config import load_settings  # noqa: E402
from zhiku.eval.scoring import QAItem, answer_matches, norm  # noqa: E402
from zhiku.understand import analyse  # noqa: E402


class Shown:
    def __init__(self, short: str) -> None:
        self.short_answer, self.answer, self.found = short, short, True


def every_part_in(item: QAItem, texts: list[str]) -> bool:
    """Each part of the gold answer appears in one of ``texts`` (not necessarily the same one)."""
    normed = [norm(t) for t in texts]
    return all(any(norm(alt) in t for alt in part for t in normed) for part in item.parts)


def stage(reader: ExtractiveReader, item: QAItem, hits: list[Any]) -> dict[str, Any]:
    question = analyse(item.question)
    choice = reader.choose(question, hits)
    out: dict[str, Any] = {"id": item.id, "q": item.question, "gold": item.parts, "kind": question.qtype.kind}
    out["unit"] = question.qtype.unit
    out["multipart"] = len(item.parts) > 1 or len(question.parts) > 1
    if choice is None or choice.row < 0:
        out.update(stage="no candidates", pick="")
        return out
    reading = choice.reading
    cands = reading.candidates
    pick = choice.best or cands[choice.row]  # the span the reply states (completed)
    out["pick"] = pick.text
    out["pick_sources"] = sorted(pick.sources)
    out["p"] = round(choice.probability, 3)
    if answer_matches(item, Shown(pick.text)):
        out["stage"] = "right"
        return out
    gold = [norm(a) for part in item.parts for a in part]
    out["near"] = any(g and (g in norm(pick.text) or norm(pick.text) in g) for g in gold)
    right = [i for i, r in enumerate(choice.ranked) if answer_matches(item, Shown(cands[r].text))]
    if right:
        out.update(stage="ranked lower", rank=right[0] + 1, right=cands[choice.ranked[right[0]]].text)
        out["right_sources"] = sorted(cands[choice.ranked[right[0]]].sources)
        out["same_sentence"] = cands[choice.ranked[right[0]]].sentence == pick.sentence
        return out
    read_sents = {c.sentence for c in cands}
    if not every_part_in(item, [h.text for h in hits[:10]]):
        out["stage"] = "not in top-10 hits"
    elif not every_part_in(item, [h.text for h in hits[: reader.settings.max_hits]]):
        out["stage"] = "not in hits read"
    elif out["multipart"] and not any(item.matches(h.text) for h in hits):
        out["stage"] = "parts in different passages"
    elif not any(item.matches(s.sentence.text) for s in reading.scored):
        out["stage"] = "split across sentences"
    elif not any(item.matches(reading.scored[i].sentence.text) for i in read_sents):
        where = [k for k, i in enumerate(reading.order) if item.matches(reading.scored[i].sentence.text)]
        out.update(stage="not in candidate sentences", sentence_rank=where[0] + 1 if where else -1)
    else:
        out["stage"] = "no generator proposes it"
        sent = [
            reading.scored[i].sentence.text
            for i in read_sents
            if item.matches(reading.scored[i].sentence.text)
        ]
        out["sentence"] = sent[0][:160]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hits-cache", type=Path, required=True)
    parser.add_argument("--sets", nargs="*", default=["rgb_zh", "cmrc2018_open", "seed_report"])
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write every row (JSON Lines)")
    parser.add_argument("--show", type=int, default=0, help="print N rows of each failure stage")
    parser.add_argument("--summary", type=Path, default=None, help="write the tables (JSON)")
    args = parser.parse_args()
    settings = load_settings(home=Path(tempfile.mkdtemp())).reader
    if args.model_dir is not None:
        settings = settings.model_copy(update={"model_dir": args.model_dir})
    reader = ExtractiveReader(settings)
    rows_all = []
    summary: dict[str, Any] = {}
    for name in args.sets:
        with (args.hits_cache / f"{name}.pkl").open("rb") as fh:
            got = pickle.load(fh)  # our own file, written by reader_bench --hits-cache
        rows = [
            stage(reader, item, hits)
            for item, hits in zip(got["items"], got["hits"], strict=True)
            if not item.unanswerable
        ]
        for r in rows:
            r["set"] = name
        rows_all += rows
        stages = Counter(r["stage"] for r in rows)
        wrong = [r for r in rows if r["stage"] != "right"]
        print(f"== {name}: {len(rows)} answerable, {stages['right']} right")
        for s, n in stages.most_common():
            print(f"  {s:28s} {n}")
        print(
            "  kind asked (wrong/all):",
            {
                k: f"{sum(r['kind'] == k for r in wrong)}/{sum(r['kind'] == k for r in rows)}"
                for k in sorted({r["kind"] for r in rows})
            },
        )
        print(
            "  multipart among wrong:",
            sum(r["multipart"] for r in wrong),
            "near misses:",
            sum(bool(r.get("near")) for r in wrong),
        )
        ranks = Counter(min(r["rank"], 6) for r in wrong if r["stage"] == "ranked lower")
        summary[name] = {
            "answerable": len(rows),
            "stages": dict(stages.most_common()),
            "wrong_by_kind_asked": {
                k: [sum(r["kind"] == k for r in wrong), sum(r["kind"] == k for r in rows)]
                for k in sorted({r["kind"] for r in rows})
            },
            "wrong_with_several_gold_parts": sum(r["multipart"] for r in wrong),
            "near_misses_pick_overlaps_gold": sum(bool(r.get("near")) for r in wrong),
            "near_misses_single_part_gold": sum(bool(r.get("near")) and not r["multipart"] for r in wrong),
            "rank_of_right_candidate_6plus": {str(k): v for k, v in sorted(ranks.items())},
            "right_candidate_in_pick_sentence": sum(
                bool(r.get("same_sentence")) for r in wrong if r["stage"] == "ranked lower"
            ),
        }
        print("  rank of the right candidate (6 = 6+):", dict(sorted(ranks.items())))
        print(
            "  same sentence as pick:",
            sum(bool(r.get("same_sentence")) for r in wrong if r["stage"] == "ranked lower"),
        )
        for s in stages:
            if s == "right":
                continue
            for r in [r for r in rows if r["stage"] == s][: args.show]:
                print(
                    "   ",
                    s,
                    "|",
                    json.dumps(
                        {
                            k: r.get(k)
                            for k in (
                                "q",
                                "gold",
                                "kind",
                                "unit",
                                "pick",
                                "pick_sources",
                                "p",
                                "right",
                                "right_sources",
                                "rank",
                                "sentence",
                                "near",
                            )
                        },
                        ensure_ascii=False,
                    ),
                )
    if args.summary:
        args.summary.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.out:
        args.out.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows_all) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
