"""Large path for tables: an LLM writes SQL, ``validate_sql`` checks it, a read-only connection runs it.

The model only proposes text; whatever it writes goes through the same validator as SQL typed
by a user (one SELECT, whitelisted tables, no file/extension functions, LIMIT, time limit), so a
prompt-injected "DROP TABLE" is refused, not executed.  The answer lists the result rows, shows
the SQL, and cites the documents the queried tables came from.

>>> registry.register("large", ScriptedLLM(["```sql\\nSELECT count(*) FROM facts\\n```"]))
>>> expert = SqlExpert(kb, registry, "large")
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from zhiku.bi.question import looks_numeric
from zhiku.bi.sql import SqlResult, SqlRunner
from zhiku.bi.store import FactStore, TableInfo
from zhiku.errors import QueryError, ZhikuError
from zhiku.models.llm import LLM, ChatMessage, GenerationParams
from zhiku.models.registry import ModelRegistry
from zhiku.types import Answer, AskRequest, Citation, Hit, ModelCall, Trace

if TYPE_CHECKING:
    from zhiku.config import Settings
    from zhiku.kb import KnowledgeBase

_SYSTEM = (
    "你把问题翻译成一条 DuckDB SELECT 语句，只能查询下列表，只输出 ```sql 代码块。"
    " / Translate the question into ONE DuckDB SELECT over the tables below; reply with a ```sql block only."
    " Quote column names with double quotes. Never modify data."
)
_FENCE = re.compile(r"```(?:sql)?\s*(?P<sql>.+?)```", re.S | re.I)


@dataclass(frozen=True)
class SqlAnswer:
    sql: str
    result: SqlResult
    tables: tuple[TableInfo, ...]


def schema_text(tables: Sequence[TableInfo], runner: SqlRunner, sample_rows: int = 3) -> str:
    """Table names, columns and a few sample rows: what the model needs to write the query."""
    parts = []
    for t in tables:
        cols = ", ".join(f'"{c}"' for c in t.columns)
        head = f"table {t.table_name} (sheet {t.sheet or '-'}, title {t.title or '-'}): {cols}"
        try:
            sample = runner.run(f'SELECT * FROM "{t.table_name}" LIMIT {int(sample_rows)}').rows
        except ZhikuError:
            sample = ()
        rows = "\n".join("  " + " | ".join(str(v) for v in r[: len(t.columns)]) for r in sample)
        parts.append(head + ("\n" + rows if rows else ""))
    return "\n".join(parts)


def extract_sql(text: str) -> str:
    m = _FENCE.search(text)
    return (m.group("sql") if m else text).strip().rstrip(";").strip()


class TextToSql:
    """Question → SQL by an LLM → validated, read-only execution."""

    def __init__(self, llm: LLM, runner: SqlRunner) -> None:
        self.llm = llm
        self.runner = runner

    def ask(self, question: str, trace: Trace | None = None) -> SqlAnswer | None:
        tables = self.runner.store.tables()
        if not tables:
            return None
        messages = [
            ChatMessage("system", _SYSTEM),
            ChatMessage("user", f"{schema_text(tables, self.runner)}\n\n问题 / question: {question}"),
        ]
        completion = self.llm.chat(messages, GenerationParams(max_tokens=300, temperature=0.0))
        if trace is not None:
            trace.calls.append(
                ModelCall(
                    self.llm.name,
                    "text_to_sql",
                    completion.prompt_tokens,
                    completion.completion_tokens,
                    completion.ms,
                    remote=self.llm.remote,
                )
            )
        sql = extract_sql(completion.text)
        try:
            result = self.runner.run(sql)
        except QueryError as exc:
            if trace is not None:
                trace.notes.append(f"text-to-sql refused: {exc.en}")
            return None
        used = tuple(t for t in tables if re.search(rf"\b{re.escape(t.table_name)}\b", result.sql, re.I))
        return SqlAnswer(result.sql, result, used)


class SqlExpert:
    """Expert named ``sql``: the LLM path over KB tables, tried after the numeric expert declines.

    The model is fetched from the registry on first use, so configuring a large model costs
    nothing until a question actually needs SQL.
    """

    name = "sql"

    def __init__(
        self,
        kb: KnowledgeBase,
        registry: ModelRegistry,
        model: str,
        *,
        limit: int = 50,
        timeout_s: float = 5.0,
    ) -> None:
        self.kb = kb
        self.registry = registry
        self.model = model
        self.runner = SqlRunner(FactStore(kb.path / "facts.duckdb"), limit=limit, timeout_s=timeout_s)

    @property
    def llm(self) -> LLM | None:
        named = self.registry.get(self.model)
        return named.llm if named is not None else None

    def _allowed(self, llm: LLM, local_only: bool) -> bool:
        """A remote model never sees tables of a local-only KB or document."""
        if not llm.remote:
            return True
        if local_only:
            return False
        try:
            return not any(self.kb.document(t.doc_id).local_only for t in self.runner.store.tables())
        except ZhikuError:
            return False

    def try_answer(self, request: AskRequest, hits: Sequence[Hit], trace: Trace) -> Answer | None:
        if not looks_numeric(request.question) or not self.runner.store.tables():
            return None
        llm = self.llm
        if llm is None or not self._allowed(llm, bool(getattr(self.kb, "local_only", False))):
            return None
        found = TextToSql(llm, self.runner).ask(request.question, trace)
        if found is None or not found.result.rows or not found.tables:
            return None
        citations = self._citations(found.tables)
        marks = "".join(f"[{c.index}]" for c in citations)
        lines = [
            ", ".join(
                f"{c}={_cell(v)}"
                for c, v in zip(found.result.columns, row, strict=False)
                if not c.startswith("_")
            )
            for row in found.result.rows[:20]
        ]
        zh = request.language == "zh"
        head = "查询结果" if zh else "Query result"
        text = f"{head}{marks}：" + "；".join(lines) + ("。" if zh else ".") + f"\nSQL: {found.sql}"
        numbers = [_cell(v) for row in found.result.rows for v in row]
        extra: dict[str, Any] = {
            "computation": {
                "operation": "sql",
                "formula": found.sql,
                "result": None,
                "result_text": "；".join(lines),
                "computed_numbers": numbers,
                "operands": [
                    {"table": t.table_name, "doc_id": t.doc_id, "sheet": t.sheet} for t in found.tables
                ],
            }
        }
        return Answer(request.question, text, True, citations, route="sql", language=request.language,
                      short_answer=lines[0] if lines else "", confidence=0.6, extra=extra)  # fmt: skip

    def _citations(self, tables: Sequence[TableInfo]) -> list[Citation]:
        out: list[Citation] = []
        for t in tables:
            chunks = self.kb.catalog.chunks(t.doc_id)
            if not chunks:
                continue
            chunk = chunks[0]
            title = self.kb.document(t.doc_id).title
            out.append(
                Citation(
                    len(out) + 1, title, t.doc_id, chunk.chunk_id, chunk.page, chunk.text[:300], t.source
                )
            )
        return out


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sql_experts(kb: KnowledgeBase, settings: Settings, registry: ModelRegistry) -> list[SqlExpert]:
    """The text-to-SQL expert when a large model is configured and the policy allows one."""
    llm = settings.llm
    if not settings.bi.enabled or llm.policy == "small_only" or llm.large not in registry:
        return []
    return [
        SqlExpert(kb, registry, llm.large, limit=settings.bi.sql_limit, timeout_s=settings.bi.sql_timeout_s)
    ]
