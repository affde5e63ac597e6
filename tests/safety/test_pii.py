from __future__ import annotations

import pytest

from zhiku.safety.pii import PiiMasker, find_pii, luhn_ok, valid_id_card

pytestmark = pytest.mark.unit

VALID_ID = "11010519491231002X"  # checksum-valid example number
VALID_CARD = "6222020200000000006"  # 19 digits, Luhn-valid, made up


def test_id_checksum_and_date() -> None:
    assert valid_id_card(VALID_ID)
    assert valid_id_card(VALID_ID.lower())
    assert not valid_id_card("110105194912310021")  # wrong check character
    assert not valid_id_card("110105194913310028")  # month 13


def test_luhn() -> None:
    assert luhn_ok(VALID_CARD)
    assert not luhn_ok("6222020200000000007")


def test_find_and_mask_all_kinds() -> None:
    text = f"身份证{VALID_ID}，手机 138-1234-5678，卡号 {VALID_CARD}，邮箱 li.si@example.cn。"
    kinds = [f.kind for f in find_pii(text)]
    assert kinds == ["id_card", "mobile", "bank_card", "email"]
    masked = PiiMasker().mask(text)
    assert len(masked.text) == len(text)
    assert "110105********002X" in masked.text
    assert "138-****-5678" in masked.text
    assert "***************0006" in masked.text
    assert "l****@example.cn" in masked.text
    assert masked.counts == {"id_card": 1, "mobile": 1, "bank_card": 1, "email": 1}


@pytest.mark.parametrize(
    "text",
    [
        "订单号 110105194912310021",  # ID shape, bad checksum
        "编号 6222020200000000007",  # card shape, fails Luhn
        "电话 12812345678",  # not a mobile prefix
        "数值 138123456789",  # 12 digits: not a mobile number
        "2023年产业规模为2137亿元",
    ],
)
def test_invalid_look_alikes_are_left_alone(text: str) -> None:
    assert PiiMasker().mask(text).text == text


def test_kinds_can_be_limited_and_plus86() -> None:
    text = "+86 13812345678 a@b.cn"
    assert PiiMasker(["email"]).mask(text).text == "+86 13812345678 a@b.cn"
    assert PiiMasker(["mobile"]).mask(text).text.startswith("+86 138****5678")


def test_mask_document_for_ingestion() -> None:
    from zhiku.safety.pii import mask_document
    from zhiku.types import Block, Document

    doc = Document(
        source="a.md",
        title="名单",
        format="md",
        blocks=(
            Block(kind="paragraph", text="张三 13812345678"),
            Block(kind="table", text="t", rows=(("姓名", "手机"), ("李四", "13912345678"))),
        ),
    )
    masked = mask_document(doc, PiiMasker())
    assert masked.blocks[0].text == "张三 138****5678"
    assert masked.blocks[1].rows[1][1] == "139****5678"
    assert doc.blocks[0].text == "张三 13812345678"  # the original is untouched
