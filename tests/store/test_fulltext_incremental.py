"""The BM25 index absorbs a few changed documents as a delta instead of re-tokenising everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.config import Settings
from zhiku.kb import KnowledgeBase
from zhiku.store import fulltext
from zhiku.store.fulltext import FullTextIndex
from zhiku.tokenize import Tokenizer

pytestmark = pytest.mark.unit

TOPICS = ["人工智能产业规模", "智能算力市场", "大模型发布", "数据要素流通", "芯片国产化", "新能源汽车出口"]


def _rows(n: int, offset: int = 0) -> list[tuple[str, str]]:
    return [
        (f"d{i:04d}:00000", f"第{i}份材料讨论{TOPICS[i % len(TOPICS)]}，样本编号{i}。")
        for i in range(offset, offset + n)
    ]


class CountingTokenizer(Tokenizer):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def tokens(self, text: str) -> list[str]:
        self.calls += 1
        return super().tokens(text)


def test_delta_is_searchable_tokenises_only_new_rows_and_survives_reload(tmp_path: Path) -> None:
    tok = CountingTokenizer()
    index = FullTextIndex(tmp_path / "ft", tok, small_base=0)
    index.build(_rows(60), version=1, seq=10)
    assert not index.wants_rebuild(5) and index.wants_rebuild(7)  # merge at 10 % of the base
    tok.calls = 0
    added = [("new0001:00000", "第一份新增材料讨论量子计算突破"), ("d0003:00000", "第3份材料改写为量子通信")]
    index.apply(["new0001", "d0003", "d0004"], added, version=2, seq=12)
    assert tok.calls == len(added)  # the 60 base rows were not tokenised again
    assert index.search("量子计算", 1)[0][0] == "new0001:00000"
    ids = [c for c, _ in index.search("样本编号4", 60)]
    assert "d0004:00000" not in ids and "d0005:00000" in ids  # removed document is gone
    assert next(c for c, _ in index.search("量子通信", 2)) == "d0003:00000"  # replaced, not duplicated
    assert len(index) == 60 - 2 + 2

    reloaded = FullTextIndex(tmp_path / "ft", Tokenizer())
    assert reloaded.load() and reloaded.version == 2 and reloaded.seq == 12
    assert reloaded.search("量子计算", 3) == index.search("量子计算", 3)
    assert reloaded.search("样本编号4", 60) == index.search("样本编号4", 60)


def test_delta_scores_rank_like_a_full_rebuild(tmp_path: Path) -> None:
    base, extra = _rows(80), _rows(6, offset=80)
    incremental = FullTextIndex(tmp_path / "inc", Tokenizer(), small_base=0)
    incremental.build(base, version=1, seq=1)
    incremental.apply([c.split(":")[0] for c, _ in extra], extra, version=2, seq=2)
    full = FullTextIndex(tmp_path / "full", Tokenizer())
    full.build(base + extra, version=2)
    for query in ("样本编号83", "第85份材料", "第81份材料讨论数据要素流通"):
        got = incremental.search(query, 5)
        want = full.search(query, 5)
        assert got[0][0] == want[0][0], query
        assert got[0][1] == pytest.approx(want[0][1], rel=0.1), query


@pytest.mark.integration
def test_kb_ingest_into_a_big_index_adds_a_delta(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fulltext, "SMALL_BASE", 0)
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(30):
        (folder / f"doc{i:02d}.txt").write_text(f"第{i}号报告讨论{TOPICS[i % 6]}的进展。", encoding="utf-8")
    kb = KnowledgeBase.create(settings, "t", hooks=[])
    kb.ingest([folder])
    assert kb.fulltext.seq > 0 and not kb.fulltext._deltas  # first ingest: a base
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "new.txt").write_text("新增的报告讨论量子计算与光子芯片。", encoding="utf-8")
    (folder / "doc05.txt").unlink()
    kb.ingest([tmp_path / "more"])
    kb.remove(str((folder / "doc07.txt").resolve()))
    assert len(kb.fulltext._deltas) == 2  # two small changes, no rebuild
    assert kb.search("量子计算光子芯片", top_k=1)[0].text.startswith("新增的报告")
    assert all("第7号" not in h.text for h in kb.search("第7号报告", top_k=30))
    kb.close()
    reopened = KnowledgeBase(settings, "t", hooks=[])
    assert reopened.fulltext.version == reopened.catalog.version()  # no rebuild on open
    assert len(reopened.fulltext._deltas) == 2
    assert reopened.search("量子计算光子芯片", top_k=1)[0].text.startswith("新增的报告")
    reopened.close()


@pytest.mark.integration
def test_a_second_process_sees_what_another_ingested(tmp_path: Path) -> None:
    """Two KB objects on one directory (as two server workers would be): BM25 follows the catalog."""
    from zhiku.config import load_settings

    settings = load_settings(home=tmp_path / "home", index={"dense": False})
    writer = KnowledgeBase.create(settings, "t", hooks=[])
    reader = KnowledgeBase(settings, "t", hooks=[])
    (tmp_path / "a.txt").write_text("光子芯片实验室发布了新的量子计算原型机。", encoding="utf-8")
    writer.ingest([tmp_path / "a.txt"])
    hits = reader.search("量子计算原型机", top_k=1)
    assert hits and hits[0].text.startswith("光子芯片实验室")
    writer.close()
    reader.close()


def test_a_rebuild_reads_no_changed_chunks_and_a_delta_reads_only_its_own(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first ingest of a KB (an empty base) rebuilds BM25 from the catalog's stream without
    first loading every changed chunk; a later small change loads the chunks of its documents only."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(12):
        (folder / f"doc{i:02d}.txt").write_text(f"第{i}号报告讨论{TOPICS[i % 6]}的进展。", encoding="utf-8")
    kb = KnowledgeBase.create(settings, "t", hooks=[])
    loaded: list[int] = []
    original = kb.catalog.chunks_of

    def counting(doc_ids: list[str]) -> list:  # type: ignore[type-arg]
        loaded.append(len(doc_ids))
        return original(doc_ids)

    kb.catalog.chunks_of = counting  # type: ignore[method-assign]
    kb.ingest([folder])
    assert loaded == [] and len(kb.fulltext) == 12  # rebuilt from the stream
    assert kb.search("芯片国产化", top_k=1)[0].text.endswith("讨论芯片国产化的进展。")

    monkeypatch.setattr(kb.fulltext, "small_base", 0)  # the base now counts as big: deltas
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "new.txt").write_text("新增的报告讨论量子计算与光子芯片。", encoding="utf-8")
    kb.ingest([tmp_path / "more"])
    assert loaded == [1] and len(kb.fulltext._deltas) == 1  # one changed document read, as a delta
    assert kb.search("量子计算光子芯片", top_k=1)[0].text.startswith("新增的报告")
    kb.close()


def test_tokens_made_ahead_are_used_once_and_only_for_the_same_text(tmp_path: Path) -> None:
    """An ingest tokenises each batch while it embeds; the refresh then re-tokenises nothing,
    except a row whose text changed since (its tokens are made again: the index is the same as
    without the memo)."""
    rows = _rows(30)
    tok = CountingTokenizer()
    index = FullTextIndex(tmp_path / "ahead", tok)
    index.remember(rows)
    changed = (rows[4][0], "第4份材料后来改写为海上风电装机 offshore wind")
    rows[4] = changed
    tok.calls = 0
    index.build(rows, version=1, seq=1)
    assert tok.calls == 1  # only the changed row
    plain = FullTextIndex(tmp_path / "plain", Tokenizer())
    plain.build(rows, version=1, seq=1)
    for query in ("海上风电", "offshore wind", "样本编号4", "大模型发布"):
        assert index.search(query, 10) == plain.search(query, 10)
    tok.calls = 0
    index.build(rows, version=2, seq=2)  # the memo was used up: a second build tokenises all
    assert tok.calls == len(rows)


def test_tokens_made_ahead_serve_a_delta_and_the_memo_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tok = CountingTokenizer()
    index = FullTextIndex(tmp_path / "ft", tok, small_base=0)
    index.build(_rows(60), version=1, seq=1)
    monkeypatch.setattr(fulltext, "MEMO_ROWS", 2)
    added = [(f"new{i:04d}:00000", f"新增材料{i}讨论量子计算 quantum computing") for i in range(3)]
    index.remember(added)  # the third row is past the bound: tokenised at refresh time
    tok.calls = 0
    index.apply([cid.split(":")[0] for cid, _ in added], added, version=2, seq=2)
    assert tok.calls == 1
    assert {c for c, _ in index.search("quantum computing", 5)} == {cid for cid, _ in added}
