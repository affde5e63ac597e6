"""Completing the chosen span: enumerations, whole transliterated names, dates with their year."""

from __future__ import annotations

import pytest

from zhiku.answer.reading.candidates import generate_in_sentence
from zhiku.answer.reading.complete import complete, may_ask_several
from zhiku.understand import analyse

pytestmark = pytest.mark.unit


def _complete(question: str, sentence: str, chosen: str) -> str | None:
    q = analyse(question)
    candidates = generate_in_sentence(sentence, q.language, question)
    row = next(i for i, c in enumerate(candidates) if c.text == chosen)
    done = complete(q, candidates, row, sentence)
    return done.text if done else None


def test_one_name_of_an_enumeration_becomes_the_enumeration() -> None:
    sentence = "电视剧《晨光》由宋河执导，林远、周晴、吴桐主演，讲述了三个青年的故事。"
    assert _complete("电视剧《晨光》的主演是谁？", sentence, "周晴") == "林远、周晴、吴桐"


def test_a_rank_or_superlative_asks_for_one_item() -> None:
    sentence = "电视剧《晨光》由宋河执导，林远、周晴、吴桐主演，讲述了三个青年的故事。"
    assert _complete("电视剧《晨光》的第一主演是谁？", sentence, "周晴") is None
    assert not may_ask_several(analyse("谁是最年轻的主演？"))
    assert not may_ask_several(analyse("Who was the first director?"))
    assert may_ask_several(analyse("Who directed the film?"))


def test_an_item_the_question_states_is_not_added() -> None:
    sentence = "航线通往杭州、宁波、温州三座城市。"
    assert _complete("航线通往杭州、宁波以及哪座城市？", sentence, "温州") is None


def test_items_paired_respectively_are_not_one_answer() -> None:
    sentence = "晨星公司与明河公司分别由林远与周晴创办。"
    assert _complete("晨星公司是谁创办的？", sentence, "周晴") is None


def test_a_piece_of_a_transliterated_name_becomes_the_name() -> None:
    sentence = "该片导演弗里克·莫兰德表示很满意。"
    done = _complete("该片的导演是谁？", sentence, "弗里克")
    assert done == "弗里克·莫兰德"


def test_a_day_takes_the_year_written_before_it() -> None:
    sentence = "新条例将于2031年9月1日起施行。"
    q = analyse("新条例什么时候施行？")
    candidates = generate_in_sentence(sentence, "zh", q.question)
    day = next(c for c in candidates if "date" in c.sources)
    from dataclasses import replace

    start = sentence.index("9月1日")
    candidates = [*candidates, replace(day, text="9月1日", start=start, end=start + 4)]
    done = complete(q, candidates, len(candidates) - 1, sentence)
    assert done is not None and done.text == "2031年9月1日"


def test_english_enumerations_are_left_as_chosen() -> None:
    # English candidates carry no part of speech to tell a name list from a clause: the name
    # is completed, the enumeration is not
    sentence = "The film stars Ada Vale, Tom Reyes and Ian Moss."
    assert _complete("Who stars in the film?", sentence, "Tom") == "Tom Reyes"


def test_nothing_to_add_gives_none() -> None:
    assert _complete("该片的导演是谁？", "该片导演宋河表示很满意。", "宋河") is None
    assert _complete("Who directed the film?", "The film was directed by Ada Vale.", "Ada Vale") is None


def test_a_modifier_runs_on_to_the_noun_the_question_asks_for() -> None:
    sentence = "青川蝾螈是当地最大的夜行性两栖动物，栖息在溪流中。"
    q = analyse("青川蝾螈是当地最大的什么类型的动物？")
    candidates = generate_in_sentence(sentence, "zh", q.question)
    from dataclasses import replace

    base = candidates[0]
    start = sentence.index("夜行性")
    candidates = [*candidates, replace(base, text="夜行性", start=start, end=start + 3, tag="n")]
    done = complete(q, candidates, len(candidates) - 1, sentence)
    assert done is not None and done.text == "夜行性两栖动物"
    # a verb after 什么 is no noun asked for; words joined by 的/是 are not one name
    q = analyse("青川蝾螈被什么围绕？")
    assert complete(q, candidates, len(candidates) - 1, sentence) is None


def test_english_questions_keep_the_chosen_span_short_of_the_noun() -> None:
    sentence = "The salamander is the largest nocturnal amphibian of the county."
    assert _complete("What kind of animal is the salamander?", sentence, "nocturnal") is None


@pytest.mark.parametrize(
    ("question", "sentence", "chosen", "expected"),
    [
        ("周明远在什么时候去世？", "周明远（1881年－1950年），青川县人，画家。", "1881年", "1950年"),
        ("周明远哪一年出生？", "周明远（1881年－1950年），青川县人，画家。", "1950年", "1881年"),
        ("When did Elena Marsh die?", "Elena Marsh (1881–1950) was an architect.", "1881–1950", "1950"),
    ],
)
def test_a_life_span_gives_the_end_the_question_asks_for(
    question: str, sentence: str, chosen: str, expected: str
) -> None:
    assert _complete(question, sentence, chosen) == expected


def test_a_life_span_end_already_asked_stays() -> None:
    assert _complete("周明远在什么时候去世？", "周明远（1881年－1950年），青川县人，画家。", "1950年") is None


def test_a_capitalised_word_inside_a_name_becomes_the_name() -> None:
    assert (
        _complete(
            "Which county is Harborville in?", "Harborville lies in Marsh County, near the coast.", "Marsh"
        )
        == "Marsh County"
    )
    assert (
        _complete("林远是哪家公司旗下的模特？", "林远是Blue Harbor Models旗下的模特。", "Harbor")
        == "Blue Harbor Models"
    )
    # a sentence-opening function word is no part of the name
    assert _complete("Who wrote it?", "The Marsh family wrote it.", "Marsh") is None
