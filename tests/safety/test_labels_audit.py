from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from zhiku.safety.audit import GENESIS, AuditEvent, AuditLog, export_records, log_files, verify_chain
from zhiku.safety.labels import LabelConfig, Labeler, label_export, label_png, read_png_label

pytestmark = pytest.mark.unit


def test_explicit_label_kinds_and_positions() -> None:
    labeler = Labeler(LabelConfig())
    assert labeler.kind_of("llm:large") == "generated"
    assert labeler.kind_of("extractive") == "extracted"
    assert labeler.kind_of("extractive", found=False) == "system"
    assert labeler.kind_of("safety") == "system"
    assert labeler.apply("答案", "generated", "zh") == "答案\n【本回答由人工智能生成，仅供参考】"
    assert labeler.apply("answer", "system", "en") == "answer"
    pre = Labeler(LabelConfig(position="prepend", text_en="[AI]"))
    assert pre.apply("answer", "generated", "en") == "[AI]\nanswer"
    assert Labeler(LabelConfig(enabled=False)).apply("x", "generated", "zh") == "x"


def test_implicit_metadata_png_and_exports(tmp_path: Path) -> None:
    from PIL import Image

    meta = Labeler(LabelConfig()).meta("llm:large")
    data = meta.to_dict()
    assert data["Label"] == "1" and data["ContentProducer"] == "zhiku" and len(data["ProduceID"]) == 32
    assert "kind=generated" in meta.header_value()
    png = tmp_path / "chart.png"
    Image.new("RGB", (4, 4), "white").save(png)
    labelled = label_png(png, meta)
    assert read_png_label(labelled) == data
    assert json.loads(label_export('{"a": 1}', "json", meta))["aigc"] == data
    md = label_export("# 报告", "md", meta, visible="【AI 生成】")
    assert md.startswith("<!-- AIGC ") and md.rstrip().endswith("【AI 生成】")
    assert label_export("text", "txt", meta).startswith("AIGC: {")


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.append(
            AuditEvent(kb="demo", question=f"问题{i}", route="extractive", labels=("explicit", "implicit"))
        )


def test_chain_verifies_and_detects_edit(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    _fill(log, 5)
    report = verify_chain(path)
    assert report.ok and report.records == 5 and report.last_hash != GENESIS
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[2])
    rec["route"] = "llm:large"
    lines[2] = json.dumps(rec, ensure_ascii=False, sort_keys=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = verify_chain(path)
    assert not bad.ok and "audit.jsonl:3" in bad.errors[0] and "hash" in bad.errors[0]


def test_chain_detects_deletion_and_truncation(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _fill(AuditLog(path), 5)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:2] + lines[3:]) + "\n", encoding="utf-8")
    assert any("seq" in e for e in verify_chain(path).errors)
    path.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    assert any(e.startswith("head") for e in verify_chain(path).errors)


def test_rotation_keeps_one_chain_and_hashing_questions(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, hash_questions=True, rotate_bytes=800)
    _fill(log, 12)
    files = log_files(path)
    assert len(files) > 2 and files[-1] == path
    report = verify_chain(path)
    assert report.ok and report.records == 12
    first_active = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    last_rotated = json.loads(files[-2].read_text(encoding="utf-8").splitlines()[-1])
    assert first_active["prev"] == last_rotated["hash"]
    assert "question" not in first_active and len(first_active["question_sha256"]) == 64


def test_export_since_until(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _fill(AuditLog(path), 3)
    times = [r["time"] for r in export_records(path)]
    assert len(times) == 3
    assert len(list(export_records(path, since=times[1]))) == 2
    assert len(list(export_records(path, until=times[1]))) == 1
    assert list(export_records(path, since="2999-01-01")) == []


@pytest.mark.slow
def test_ten_thousand_records_verify_quickly(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _fill(AuditLog(path), 10_000)
    t0 = time.perf_counter()
    report = verify_chain(path)
    assert report.ok and report.records == 10_000
    assert time.perf_counter() - t0 < 5.0


def test_strip_label_round_trip() -> None:
    from zhiku.safety.labels import strip_label

    labeler = Labeler(LabelConfig())
    for kind in ("generated", "extracted"):
        assert strip_label(labeler.apply("答案 [1]", kind, "zh")) == "答案 [1]"
        assert strip_label(labeler.apply("answer [1]", kind, "en")) == "answer [1]"
    assert strip_label(Labeler(LabelConfig(position="prepend")).apply("x", "generated", "zh")) == "x"
    assert strip_label("no label") == "no label"
