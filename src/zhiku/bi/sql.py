"""Read-only SQL over a KB's tables, validated before it runs (for power users and text-to-SQL).

SQL written by a user or an LLM is parsed with sqlglot and refused unless it is exactly one
SELECT (CTEs and set operations allowed) that reads only whitelisted tables and calls no
file- or extension-reading functions.  It then runs on a read-only DuckDB connection with a
LIMIT added and a time limit enforced by interrupting the query.

>>> SqlRunner(store).run("SELECT * FROM facts WHERE period = '2023'").rows[:1]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from zhiku.bi.store import FactStore
from zhiku.errors import QueryError

_FORBIDDEN_FUNCS = {
    "read_csv", "read_csv_auto", "read_parquet", "read_json", "read_json_auto", "read_text", "read_blob",
    "glob", "parquet_scan", "sqlite_scan", "postgres_scan", "mysql_scan", "read_ndjson", "duckdb_secrets",
    "getenv", "query_table", "query", "load_extension", "install_extension", "current_setting",
}  # fmt: skip
# Functions that allocate in proportion to a count argument; DuckDB's memory_limit does not
# cover their string/list heap (repeat('x', 2e9) grew to 4 GB under a 64 MB limit).
_SIZED_FUNCS = {"repeat", "pad", "lpad", "rpad", "range", "generate_series", "list_resize", "array_resize"}
MAX_SIZED_ARG = 100_000


@dataclass(frozen=True)
class SqlResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    sql: str  # the statement that actually ran (with the LIMIT we added)


def validate_sql(sql: str, allowed: set[str], limit: int = 200) -> str:
    """The checked statement with a LIMIT, or QueryError saying why it was refused."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise QueryError("SQL 无法解析", f"SQL could not be parsed: {exc}", sql=sql) from exc
    if len(statements) != 1:
        raise QueryError("只允许一条 SQL 语句", "exactly one SQL statement is allowed", count=len(statements))
    tree = statements[0]
    if not isinstance(tree, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
        raise QueryError("只允许 SELECT 查询", "only SELECT queries are allowed", statement=tree.key)
    banned = (exp.Insert, exp.Update, exp.Delete, exp.Drop, exp.Create, exp.Alter, exp.Command, exp.Copy)
    for node in tree.walk():
        if isinstance(node, banned):
            raise QueryError("查询中含有写操作", "the query contains a write operation", node=node.key)
        if isinstance(node, (exp.Anonymous, exp.Func)):
            fname = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if fname in _FORBIDDEN_FUNCS or fname.startswith(("read_", "pragma")):
                raise QueryError("不允许调用该函数", "this function is not allowed", function=fname)
            if fname in _SIZED_FUNCS:
                _check_sized(node, fname)
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        name = table.name.lower()
        if not name or table.args.get("db") or table.args.get("catalog"):
            raise QueryError(
                "不允许访问其他数据库", "other databases/schemas are not allowed", table=table.sql()
            )
        if name not in allowed and name not in ctes:
            raise QueryError(
                f"表不在白名单中：{name}", f"table not allowed: {name}", allowed=", ".join(sorted(allowed))
            )
    if isinstance(tree, exp.Select) and tree.args.get("limit") is None:
        tree = tree.limit(limit)
    elif not isinstance(tree, exp.Select):
        return f"SELECT * FROM ({tree.sql(dialect='duckdb')}) AS q LIMIT {int(limit)}"
    return tree.sql(dialect="duckdb")


def _check_sized(node: Any, fname: str) -> None:
    """Counts given to allocating functions must be literal numbers up to ``MAX_SIZED_ARG``;
    only the first argument of a string function (the text to repeat or pad) may be anything."""
    from sqlglot import exp

    series = fname in ("range", "generate_series", "generateseries")
    for position, arg in enumerate(node.iter_expressions()):
        if position == 0 and not series and not isinstance(arg, exp.Literal):
            continue  # the text itself
        if isinstance(arg, exp.Literal) and (arg.is_string or abs(float(arg.this)) <= MAX_SIZED_ARG):
            continue
        raise QueryError(
            f"{fname}() 的数量参数必须是不超过 {MAX_SIZED_ARG} 的数字",
            f"the count given to {fname}() must be a number up to {MAX_SIZED_ARG}",
            function=fname,
        )


class SqlRunner:
    """Runs validated SELECTs on a read-only connection with a row limit and a time limit."""

    def __init__(
        self,
        store: FactStore,
        limit: int = 200,
        timeout_s: float = 5.0,
        memory_mb: int = 512,
        threads: int = 2,
    ) -> None:
        if limit <= 0 or timeout_s <= 0 or memory_mb <= 0 or threads <= 0:
            raise QueryError(
                "limit、timeout、memory 和 threads 必须为正数",
                "limit, timeout, memory and threads must be positive",
            )
        self.store = store
        self.limit = limit
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.threads = threads

    def allowed_tables(self) -> set[str]:
        return {"facts", "bi_tables", *(t.table_name.lower() for t in self.store.tables())}

    def run(self, sql: str) -> SqlResult:
        checked = validate_sql(sql, self.allowed_tables(), self.limit)
        with self.store.connect(read_only=True) as con:
            con.execute("SET enable_external_access = false")
            # A time limit alone let repeat('x', 2e9) reach 4 GB within 5 s: bound memory and CPUs.
            con.execute(f"SET memory_limit = '{int(self.memory_mb)}MB'")
            con.execute(f"SET threads = {int(self.threads)}")
            timer = threading.Timer(self.timeout_s, con.interrupt)
            timer.start()
            try:
                cursor = con.execute(checked)
                rows = cursor.fetchmany(self.limit)
                columns = tuple(d[0] for d in cursor.description or ())
            except Exception as exc:
                if "interrupt" in str(exc).lower():
                    raise QueryError("查询超时", "query timed out", seconds=self.timeout_s) from exc
                if "memory" in str(exc).lower() and "limit" in str(exc).lower():
                    raise QueryError(
                        f"查询超过 {self.memory_mb} MB 内存上限（bi.sql_memory_mb）",
                        f"the query ran past the {self.memory_mb} MB memory limit (bi.sql_memory_mb)",
                    ) from exc
                raise QueryError("查询失败", f"query failed: {exc}", sql=checked) from exc
            finally:
                timer.cancel()
        return SqlResult(columns, tuple(tuple(r) for r in rows), checked)
