"""Saved evaluation reports: ``$ZHIKU_HOME/eval/<kb>/<id>.json`` (+ ``.html``).

Reports live beside, not inside, the knowledge base directory: an evaluation never writes
into the KB it measures.  The id sorts by time (``20260101T120000Z-ab12``).

>>> rid = save_report(settings.home, "demo", report.to_dict())
>>> [r["id"] for r in list_reports(settings.home, "demo")]
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhiku.config import check_kb_name
from zhiku.errors import NotFoundError
from zhiku.eval.report_html import render_html

_ID = re.compile(r"^[0-9TZ]{16}-[0-9a-f]{4}$")


def reports_dir(home: Path, kb: str) -> Path:
    return home / "eval" / check_kb_name(kb)


def save_report(home: Path, kb: str, report: dict[str, Any]) -> str:
    """Write the JSON and HTML of a report; return its id."""
    folder = reports_dir(home, kb)
    folder.mkdir(parents=True, exist_ok=True)
    rid = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:4]}"
    tmp = folder / f"{rid}.json.tmp"
    tmp.write_text(json.dumps({**report, "id": rid}, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / f"{rid}.html").write_text(render_html(report), encoding="utf-8")
    tmp.replace(folder / f"{rid}.json")
    return rid


def list_reports(home: Path, kb: str) -> list[dict[str, Any]]:
    """Newest first: id, time, questions, configurations, recommendation."""
    folder = reports_dir(home, kb)
    out = []
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        rec = data.get("recommendation") or {}
        out.append(
            {
                "id": path.stem,
                "created_at": data.get("created_at", ""),
                "qa": data.get("qa", ""),
                "questions": data.get("questions", 0),
                "configs": [c.get("name") for c in data.get("configs", [])],
                "recommended": rec.get("config", ""),
            }
        )
    return out


def _path(home: Path, kb: str, rid: str, suffix: str) -> Path:
    path = reports_dir(home, kb) / f"{rid}{suffix}"
    if not _ID.match(rid) or not path.is_file():
        raise NotFoundError(f"评测报告不存在：{rid}", f"evaluation report not found: {rid}", kb=kb)
    return path


def load_report(home: Path, kb: str, rid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_path(home, kb, rid, ".json").read_text(encoding="utf-8"))
    return data


def report_html(home: Path, kb: str, rid: str) -> str:
    return _path(home, kb, rid, ".html").read_text(encoding="utf-8")
