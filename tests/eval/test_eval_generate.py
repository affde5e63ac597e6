"""``zhiku eval generate``: every generated item is checked against its source chunk here,
independently of the generator's own checks (answers recomputed from the chunk's numbers)."""

from __future__ import annotations

import json
import re
from itertools import permutations

import pytest

from zhiku.bi.numbers import find_quantities, is_year
from zhiku.config import Settings
from zhiku.eval.generate import QAGenerator
from zhiku.eval.scoring import norm
from zhiku.models.scripted import ScriptedLLM
from zhiku.wiring import open_kb

pytestmark = [pytest.mark.integration]


def _numbers(answer: str) -> float:
    return float(re.findall(r"\d+(?:\.\d+)?", answer)[0])


def _computed_from(text: str, kind: str, answer: float) -> bool:
    """Some pair of figures in ``text`` gives ``answer`` by the operation ``kind`` names."""
    values = [q.number for q in find_quantities(text) if not is_year(q) and q.number > 0]
    for a, b in permutations(values, 2):
        got = {"fact_difference": abs(b - a), "fact_ratio": b / a, "fact_growth": (b / a - 1) * 100}[kind]
        if abs(got - answer) <= 0.01 * max(1.0, abs(answer)):
            return True
    return False


def test_every_generated_item_is_backed_by_its_source_chunk(kb_home: tuple[Settings, str]) -> None:
    settings, name = kb_home
    with open_kb(settings, name) as kb:
        items = QAGenerator(kb, seed=5).run(60)
        chunks = {c.chunk_id: c for c in kb.catalog.chunks()}
        corpus = norm("\n".join(c.text for c in chunks.values()))
        titles = {d.doc_id: d.title for d in kb.documents()}
    assert len(items) >= 15
    assert len({i.id for i in items}) == len(items)
    assert len({norm(i.question) for i in items}) == len(items)
    kinds = {i.kind for i in items}
    assert {"fact_lookup", "date", "amount", "unanswerable"} <= kinds, kinds
    assert kinds & {"fact_difference", "fact_ratio", "fact_growth"}
    assert kinds & {"person", "place", "organisation", "relation"}
    for item in items:
        row = item.to_dict()
        assert set(row) == {
            "id",
            "question",
            "answers",
            "kind",
            "answerable",
            "source_chunk",
            "doc",
            "origin",
        }
        assert row["origin"] == "generated"
        chunk = chunks[item.source_chunk]
        assert item.doc == titles[chunk.doc_id]
        if not item.answerable:
            assert item.answers == [] and item.kind == "unanswerable"
            years = set(re.findall(r"(?:19|20)\d{2}", item.question))
            assert not years or any(y not in corpus for y in years), item.question
            continue
        assert item.answers and item.question.endswith(("？", "?"))
        if item.kind in ("fact_difference", "fact_ratio", "fact_growth"):
            text = "\n".join(c.text for c in chunks.values() if c.doc_id == chunk.doc_id)
            assert _computed_from(text, item.kind, _numbers(item.answers[0])), row
        else:
            assert norm(item.answers[0]) in norm(chunk.text), row


def test_generation_is_reproducible_and_llm_items_are_checked_and_marked(
    kb_home: tuple[Settings, str],
) -> None:
    settings, name = kb_home

    def reply(messages: object) -> str:
        text = str(messages[0].content)  # type: ignore[index]
        if "Norvale" in text:
            return '{"question": "Which vendor shipped the NPU?", "answer": "Norvale Systems"}'
        return '{"question": "编造的问题？", "answer": "不在原文里的答案"}'

    with open_kb(settings, name) as kb:
        first = [i.to_dict() for i in QAGenerator(kb, seed=11).run(30)]
        again = [i.to_dict() for i in QAGenerator(kb, seed=11).run(30)]
        llm = ScriptedLLM(reply, name="writer")
        with_llm = QAGenerator(kb, seed=11, llm=llm, llm_items=10).run(60)
    assert json.dumps(first, ensure_ascii=False) == json.dumps(again, ensure_ascii=False)
    written = [i for i in with_llm if i.origin == "llm"]
    assert len(written) == 1 and written[0].answers == ["Norvale Systems"]
    assert llm.calls  # the model was asked, and its invented answers were dropped
