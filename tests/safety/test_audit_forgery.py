"""The audit log against the forgeries of issue 16: each one must fail ``verify``.

An attacker who can write the log directory (but not read the secret) tries: editing a record
and recomputing the plain-hash chain and head, truncating and deleting the head, truncating
and restoring an older head, and — holding the key as well — rewriting everything, which only
an anchor kept elsewhere can expose.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhiku.safety.audit import AuditEvent, AuditLog, anchor_digest, load_key, record_hash, verify_chain

pytestmark = pytest.mark.unit


def _log(tmp_path: Path, n: int = 6, **kwargs: object) -> tuple[AuditLog, Path, Path]:
    path = tmp_path / "logs" / "audit.jsonl"
    key = tmp_path / "secrets" / "audit.key"
    log = AuditLog(path, key_path=key, **kwargs)  # type: ignore[arg-type]
    for i in range(n):
        log.append(AuditEvent(kb="demo", question=f"第{i}个问题 question {i}", route="extractive"))
    return log, path, key


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records), "utf-8"
    )


def _write_head(path: Path, seq: int, digest: str) -> None:
    path.write_text(json.dumps({"seq": seq, "hash": digest}) + "\n", encoding="utf-8")


def test_intact_log_verifies_and_files_are_private(tmp_path: Path) -> None:
    log, path, key = _log(tmp_path)
    report = verify_chain(path, key_path=key)
    assert report.ok and report.records == 6, report.errors
    for file in (path, key, log.head_path, log.mark_path):
        assert stat.S_IMODE(os.stat(file).st_mode) == 0o600, file
    assert key.parent != path.parent  # the secret lives apart from the log


def test_edit_and_recompute_plain_chain_and_head_is_detected(tmp_path: Path) -> None:
    log, path, key = _log(tmp_path)
    records = _records(path)
    records[2]["route"] = "llm:large"
    prev = records[1]["hash"]
    for rec in records[2:]:  # what the old design allowed: recompute every sha256 after the edit
        rec["prev"] = prev
        body = {k: v for k, v in rec.items() if k != "hash"}
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        rec["hash"] = prev = hashlib.sha256(canonical.encode()).hexdigest()
    _write(path, records)
    _write_head(log.head_path, 6, str(prev))
    report = verify_chain(path, key_path=key)
    assert not report.ok and any("audit.jsonl:3" in e for e in report.errors)


def test_edit_with_a_guessed_key_is_detected(tmp_path: Path) -> None:
    _, path, key = _log(tmp_path)
    records = _records(path)
    records[0]["kb"] = "other"
    records[0]["hash"] = record_hash(records[0], b"guess" * 8)
    _write(path, records)
    assert not verify_chain(path, key_path=key).ok


def test_truncate_and_delete_the_head_is_detected(tmp_path: Path) -> None:
    log, path, key = _log(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3]), encoding="utf-8")
    log.head_path.unlink()
    report = verify_chain(path, key_path=key)
    assert not report.ok
    assert any("audit.jsonl.head" in e and "missing" in e for e in report.errors)
    assert any("audit.key.head" in e for e in report.errors)  # the copy beside the key still says 6


def test_truncate_and_restore_an_older_head_is_detected(tmp_path: Path) -> None:
    log, path, key = _log(tmp_path, n=3)
    old_head = log.head_path.read_bytes()
    old_lines = path.read_text(encoding="utf-8")
    for i in range(3):
        log.append(AuditEvent(kb="demo", question=f"later {i}"))
    path.write_text(old_lines, encoding="utf-8")  # cut the three later records …
    log.head_path.write_bytes(old_head)  # … and put back the head they had then (validly MACed)
    report = verify_chain(path, key_path=key)
    assert not report.ok and any("older" in e or "cut off" in e for e in report.errors)


def test_forged_head_without_the_key_is_detected(tmp_path: Path) -> None:
    log, path, key = _log(tmp_path)
    records = _records(path)
    _write(path, records[:4])
    _write_head(log.head_path, 4, str(records[3]["hash"]))
    _write_head(log.mark_path, 4, str(records[3]["hash"]))
    report = verify_chain(path, key_path=key)
    assert not report.ok and any("MAC" in e for e in report.errors)


def test_anchor_catches_a_rewrite_by_someone_holding_the_key(tmp_path: Path) -> None:
    log, path, key = _log(tmp_path)
    anchor = anchor_digest(path, key_path=key)
    assert anchor.startswith("6:") and verify_chain(path, key_path=key, anchor=anchor).ok
    secret = load_key(key, create=False)
    assert secret is not None
    records = _records(path)
    records[1]["route"] = "forged"
    prev = records[0]["hash"]
    for rec in records[1:]:  # a full, valid rewrite with the real key
        rec["prev"] = prev
        rec["hash"] = prev = record_hash(rec, secret)
    _write(path, records)
    for head in (log.head_path, log.mark_path):
        log._write_head(head, 6, str(prev), secret)
    assert verify_chain(path, key_path=key).ok  # the chain alone cannot tell …
    report = verify_chain(path, key_path=key, anchor=anchor)
    assert not report.ok and any("anchor" in e for e in report.errors)  # … the anchor can
    _write(path, records[:3])
    assert any("no longer exists" in e for e in verify_chain(path, key_path=key, anchor=anchor).errors)


def test_missing_key_fails_verification(tmp_path: Path) -> None:
    _, path, key = _log(tmp_path, n=2)
    key.unlink()
    report = verify_chain(path, key_path=key)
    assert not report.ok and "missing" in report.errors[0] and "缺失" in report.errors[0]


def test_questions_are_hashed_unless_the_operator_opts_in(tmp_path: Path) -> None:
    long_question = "请问" + "很长的问题" * 10_000
    log, path, _ = _log(tmp_path, n=0)
    log.append(AuditEvent(question=long_question))
    rec = _records(path)[-1]
    assert "question" not in rec and rec["question_chars"] == len(long_question)
    assert rec["question_sha256"] == hashlib.sha256(long_question.encode()).hexdigest()
    assert len(path.read_bytes()) < 2000
    opted = AuditLog(tmp_path / "full.jsonl", hash_questions=False)
    opted.append(AuditEvent(question="全文 full text"))
    assert _records(tmp_path / "full.jsonl")[-1]["question"] == "全文 full text"


def test_cli_anchor_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhiku.cli import build_app

    home = tmp_path / "home"
    monkeypatch.setenv("ZHIKU_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    log = AuditLog(home / "audit" / "audit.jsonl")  # home layout: key in <home>/secrets
    for i in range(3):
        log.append(AuditEvent(question=f"q{i}"))
    assert log.key_path == home / "secrets" / "audit.key"
    runner = CliRunner()
    anchored = runner.invoke(build_app(), ["audit", "anchor"])
    assert anchored.exit_code == 0, anchored.output
    digest = anchored.stdout.strip().splitlines()[0]
    assert digest.startswith("3:")
    assert runner.invoke(build_app(), ["audit", "verify", "--anchor", digest]).exit_code == 0
    bad = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    result = runner.invoke(build_app(), ["audit", "verify", "--anchor", bad])
    assert result.exit_code == 1
