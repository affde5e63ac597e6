from __future__ import annotations

from pathlib import Path

import pytest

from zhiku.bi.facts import extract_facts
from zhiku.bi.sql import SqlRunner, validate_sql
from zhiku.bi.store import FactStore
from zhiku.errors import QueryError

ALLOWED = {"facts", "t_doc_0"}


@pytest.mark.unit
@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE facts",
        "SELECT 1; DROP TABLE facts",
        "SELECT * FROM facts; SELECT * FROM facts",
        "ATTACH 'other.db' AS o",
        "COPY facts TO '/tmp/x.csv'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "PRAGMA database_list",
        "SET enable_external_access = true",
        "CREATE TABLE x AS SELECT * FROM facts",
        "INSERT INTO facts SELECT * FROM facts",
        "UPDATE facts SET value = 0",
        "DELETE FROM facts",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT getenv('HOME')",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM range(10)",
        "SELECT * FROM secret_table",
        "SELECT * FROM other_db.main.facts",
        "SELECT * FROM (SELECT * FROM sqlite_master)",
        "not even sql (",
    ],
)
def test_refused(sql: str) -> None:
    with pytest.raises(QueryError):
        validate_sql(sql, ALLOWED)


@pytest.mark.unit
def test_allowed_selects_get_a_limit() -> None:
    assert validate_sql("SELECT label FROM facts", ALLOWED).endswith("LIMIT 200")
    assert validate_sql("SELECT label FROM facts LIMIT 5", ALLOWED).endswith("LIMIT 5")
    cte = validate_sql("WITH a AS (SELECT * FROM facts) SELECT count(*) FROM a", ALLOWED, limit=10)
    assert "LIMIT 10" in cte
    union = validate_sql("SELECT label FROM facts UNION SELECT label FROM t_doc_0", ALLOWED)
    assert union.endswith("LIMIT 200")


@pytest.mark.integration
def test_runner_reads_and_cannot_write(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.duckdb")
    store.add_facts(extract_facts("2023年甲市场规模达到100亿元。2024年甲市场规模达到120亿元。"))
    runner = SqlRunner(store, limit=1)
    result = runner.run("SELECT period, value FROM facts ORDER BY period")
    assert result.columns == ("period", "value") and len(result.rows) == 1
    with pytest.raises(QueryError):
        runner.run("DELETE FROM facts")
    assert len(store.facts()) == 2


@pytest.mark.integration
def test_runner_time_limit(tmp_path: Path) -> None:
    store = FactStore(tmp_path / "facts.duckdb")
    store.add_facts(extract_facts("2023年甲市场规模达到100亿元。"))
    runner = SqlRunner(store, timeout_s=0.2)
    slow = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 1000000000) SELECT count(*) FROM r"
    with pytest.raises(QueryError) as info:
        runner.run(slow)
    assert "timed out" in str(info.value)


@pytest.mark.integration
def test_runner_memory_limit(tmp_path: Path) -> None:
    """repeat('x', 2e9) used to reach 4 GB before the time limit fired; now the memory limit stops it."""
    import resource

    store = FactStore(tmp_path / "facts.duckdb")
    store.add_facts(extract_facts("2023年甲市场规模达到100亿元。"))
    runner = SqlRunner(store, timeout_s=5, memory_mb=64, threads=1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for sql in (
        "SELECT length(repeat('x', 2000000000)) AS n FROM facts",
        "SELECT length(lpad('x', 2000000000, 'y')) FROM facts",
        "SELECT length(repeat('x', CAST(value AS BIGINT) * 100000000)) FROM facts",
        "SELECT length(repeat('x', CAST(value AS BIGINT))) FROM facts",
        "SELECT count(*) FROM range(10000000000)",
    ):
        with pytest.raises(QueryError) as info:
            runner.run(sql)
        assert "100000" in info.value.en and "100000" in info.value.zh
    assert runner.run("SELECT length(repeat('ab', 3)) AS n FROM facts").rows == ((6,),)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before < 300
