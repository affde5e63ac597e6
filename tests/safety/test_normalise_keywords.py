from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.errors import ConfigError
from zhiku.safety.keywords import KeywordMatcher, KeywordRule, load_keyword_list
from zhiku.safety.normalise import compact, fold, normalise

pytestmark = pytest.mark.unit


def test_fold_keeps_length_and_folds_width_case_traditional() -> None:
    text = "ＡＢＣ炸彈Ｘ"
    assert fold(text) == "abc炸弹x"
    assert len(fold(text)) == len(text)


def test_compact_removes_inserted_spaces_and_symbols() -> None:
    assert compact("炸 弹") == compact("炸*弹") == compact("炸_弹") == compact("炸。弹") == "炸弹"


def test_position_map_points_into_original() -> None:
    n = normalise("请 给我 炸*药")
    start = n.compact.index("炸药")
    assert n.span(start, start + 2) == (5, 8)
    assert n.original[5:8] == "炸*药"


def _matcher(*terms: tuple[str, str]) -> KeywordMatcher:
    return KeywordMatcher(
        KeywordRule(t, "c", "block" if a == "b" else "mask", f"t:{i}") for i, (t, a) in enumerate(terms)
    )


@pytest.mark.parametrize("text", ["炸药配方", "炸 药 配 方", "炸*药#配@方", "炸藥配方", "ＺＨＡ炸药配方"])
def test_obfuscated_terms_match(text: str) -> None:
    assert [h.rule.rule_id for h in _matcher(("炸药配方", "b")).scan(text)] == ["t:0"]


def test_latin_terms_need_word_edges() -> None:
    m = _matcher(("gun", "b"))
    assert m.scan("the war had begun") == []
    assert m.scan("gunpowder") == []
    hits = m.scan("buy a GUN now")
    assert len(hits) == 1 and "buy a GUN now"[hits[0].start : hits[0].end] == "GUN"
    assert len(m.scan("buy a g u n")) == 1


def test_clean_text_has_no_hits_and_empty_matcher_is_fine() -> None:
    assert _matcher(("炸药配方", "b")).scan("炸鸡的做法") == []
    assert KeywordMatcher([]).scan("anything") == []


def test_list_formats(tmp_path: Path) -> None:
    txt = tmp_path / "list.txt"
    txt.write_text("# comment\n甲乙丙\tfraud\tblock\n丁戊 | secret | mask\n只有词条\n", encoding="utf-8")
    rules = load_keyword_list(txt, default_action="review")
    assert [(r.term, r.category, r.action) for r in rules] == [
        ("甲乙丙", "fraud", "block"),
        ("丁戊", "secret", "mask"),
        ("只有词条", "custom", "review"),
    ]
    assert rules[0].rule_id == "list.txt:2"
    js = tmp_path / "list.jsonl"
    js.write_text('{"term": "abc", "category": "x", "action": "mask"}\n', encoding="utf-8")
    assert load_keyword_list(js)[0].action == "mask"


def test_list_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("ok\tc\tblock\nterm\tc\tdelete\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.txt:2"):
        load_keyword_list(bad)
    with pytest.raises(ConfigError):
        load_keyword_list(tmp_path / "missing.txt")
