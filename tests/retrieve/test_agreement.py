"""Answer-agreement reranking and per-item search of coordinated questions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from zhiku.answer.voter import ReaderVoter
from zhiku.config import RetrievalSettings, Settings
from zhiku.retrieve.agreement import AnswerAgreement, SentenceVote
from zhiku.retrieve.hybrid import interleave
from zhiku.types import Hit, Question
from zhiku.understand import analyse
from zhiku.wiring import create_kb

pytestmark = pytest.mark.unit


def _hit(cid: str, doc: str, text: str, rerank: float) -> Hit:
    return Hit(chunk_id=cid, doc_id=doc, text=text, score=rerank / 3, scores={"rerank": rerank})


ZH_HITS = [
    # discusses the event in the question's words but states no date: ranked first lexically
    _hit("c1", "d1", "2030年星河博览会开幕时间备受关注，组委会表示开幕时间将另行公布。", 2.9),
    # one source's rumour of another date
    _hit("c4", "d4", "网友传言2030年星河博览会开幕时间为6月1日，组委会未予置评。", 2.6),
    _hit("c2", "d2", "组委会宣布，2030年星河博览会开幕时间定为5月18日。", 2.5),
    _hit("c3", "d3", "据报道，2030年星河博览会的开幕时间是5月18日，地点在海港会展中心。", 2.4),
]

EN_HITS = [
    _hit(
        "e1", "d1", "Fans keep asking when the 2030 Harbour Marathon starts; organisers will say later.", 2.9
    ),
    _hit("e2", "d2", "The 2030 Harbour Marathon starts on May 18, 2030, the organisers announced.", 2.4),
    _hit("e3", "d3", "Runners were told the 2030 Harbour Marathon starts on May 18, 2030 at 7 am.", 2.3),
]


@pytest.mark.parametrize(
    ("question", "hits", "agreeing"),
    [
        ("2030年星河博览会开幕时间是哪天？", ZH_HITS, {"c2", "c3"}),
        ("When does the 2030 Harbour Marathon start?", EN_HITS, {"e2", "e3"}),
    ],
)
def test_passages_stating_the_agreed_answer_come_first(
    question: str, hits: list[Hit], agreeing: set[str]
) -> None:
    ranked = AnswerAgreement(RetrievalSettings(), ReaderVoter()).run(analyse(question), hits)
    assert {h.chunk_id for h in ranked[:2]} == agreeing
    assert all("agreement" in h.scores for h in ranked)
    assert sorted(h.chunk_id for h in ranked) == sorted(h.chunk_id for h in hits)  # nothing lost


def test_one_document_cannot_outvote_the_others() -> None:
    """Two chunks of the same document count as one voice: no boost without a second source."""
    hits = [
        _hit("a1", "d1", "2030年星河博览会开幕时间尚未公布。", 2.9),
        _hit("a2", "d2", "星河博览会于5月18日开幕。", 2.0),
        _hit("a3", "d2", "重申：星河博览会于5月18日开幕。", 1.9),
    ]
    ranked = AnswerAgreement(RetrievalSettings(agreement_evidence_weight=0.0), ReaderVoter()).run(
        analyse("星河博览会哪天开幕？"), hits
    )
    assert ranked[0].chunk_id == "a1"


def test_interleave_alternates_items_and_keeps_a_passage_that_answers_both() -> None:
    a = [_hit("x", "d", "", 1), _hit("a1", "d", "", 1), _hit("a2", "d", "", 1)]
    b = [_hit("b1", "d", "", 1), _hit("x", "d", "", 1), _hit("b2", "d", "", 1)]
    merged = [h.chunk_id for h in interleave([a, b], 4)]
    assert merged[0] == "x"  # high for both items
    assert set(merged[1:3]) == {"a1", "b1"}


def test_passages_that_mention_every_item_in_passing_do_not_crowd_out_an_items_best() -> None:
    """m1 leads (high for item b, present for a); m2, middling for both, must not pass a1."""
    a = [_hit("a1", "d", "", 1), _hit("a2", "d", "", 1), _hit("m2", "d", "", 1), _hit("m1", "d", "", 1)]
    b = [_hit("m1", "d", "", 1), _hit("b2", "d", "", 1), _hit("m2", "d", "", 1)]
    merged = [h.chunk_id for h in interleave([a, b], 5)]
    assert merged[:2] == ["m1", "a1"]  # by summed rank m2 (0.2 + 0.2) would come second


def test_coordinated_question_finds_a_passage_for_each_item(settings: Settings, tmp_path: Path) -> None:
    """Filler passages mention both cities; each answer sits in a passage about one city only."""
    rows = [
        {
            "id": "f1",
            "title": "对比",
            "text": "甲城和乙城2029年的经济总量分别是多少？两地统计局尚未同时公布，甲城和乙城都在等待。",
        },
        {"id": "f2", "title": "展望", "text": "甲城和乙城2029年经济总量排名引发讨论，甲城和乙城谁更强？"},
        {"id": "f3", "title": "评论", "text": "甲城和乙城2029年经济总量差距缩小，甲城乙城双城记。"},
        {"id": "a", "title": "甲城统计公报", "text": "甲城2029年经济总量为4321亿元，同比增长5%。"},
        {"id": "b", "title": "乙城统计公报", "text": "乙城2029年经济总量为1234亿元，同比增长6%。"},
    ]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    kb = create_kb(settings, "coord")
    kb.ingest([corpus])
    question = "甲城和乙城2029年的经济总量分别是多少？"
    top = " ".join(h.text for h in kb.search(question, top_k=2))
    assert "4321亿元" in top and "1234亿元" in top
    kb.close()


class _SpanListVoter:
    """A real ``AnswerVoter`` of its own kind: each hit's text after "答：" is its span."""

    def read(self, question: Question, hits: Sequence[Hit], pick_floor: float) -> list[SentenceVote]:
        out = []
        for hit in hits:
            span = hit.text.split("答：", 1)[1] if "答：" in hit.text else None
            out.append(SentenceVote(hit.chunk_id, hit.doc_id, 0.5 if span else 0.1, span, 1.0))
        return out


def test_agreement_reads_through_any_voter_and_boosts_what_two_documents_state() -> None:
    hits = [
        _hit("x1", "d1", "青岚湖的面积一直有争议。", 2.4),
        _hit("x2", "d2", "答：42", 2.0),
        _hit("x3", "d3", "答：42", 1.9),
        _hit("x4", "d4", "答：17", 2.3),
    ]
    ranked = AnswerAgreement(RetrievalSettings(), _SpanListVoter()).run(analyse("青岚湖的面积是多少？"), hits)
    assert {h.chunk_id for h in ranked[:2]} == {"x2", "x3"}  # 2.0 + 0.25 + 0.5 boost beats 2.4 + 0.05
    assert ranked[2].chunk_id == "x4"  # one document alone gets no boost


def test_retrieval_without_a_voter_skips_the_agreement_pass(tmp_path: Path) -> None:
    from zhiku.kb import KnowledgeBase

    settings = Settings(home=tmp_path, index={"dense": False})
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(
        "# 青岚湖\n\n青岚湖的面积是42平方公里。\n\n白沙湖的面积是17平方公里。\n", encoding="utf-8"
    )
    with KnowledgeBase.create(settings, "bare") as kb:
        kb.ingest([docs])
        hits = kb.search("青岚湖的面积是多少？", top_k=2)
    assert hits and all("agreement" not in h.scores for h in hits)
    with create_kb(settings, "wired") as kb:
        kb.ingest([docs])
        hits = kb.search("青岚湖的面积是多少？", top_k=2)
    assert hits
