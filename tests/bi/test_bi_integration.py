"""The facts hook, tables in DuckDB, the assistant and the CLI on the examples XLSX (real KB, real DuckDB)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhiku.bi.hook import store_for
from zhiku.bi.sql import SqlRunner
from zhiku.bi.tables import read_tables, table_facts
from zhiku.config import Settings
from zhiku.types import AskRequest
from zhiku.wiring import build_assistant, open_or_create_kb

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
XLSX = REPO / "examples" / "ai_market.xlsx"
REPORT = "2023年，中国AI芯片市场规模约为620亿元。2028年中国AI芯片市场规模将达到3931亿元，五年复合增长率达到44.7%。\n"


@pytest.fixture
def xlsx(tmp_path: Path) -> Path:
    if not XLSX.is_file():
        import runpy

        runpy.run_path(str(REPO / "examples" / "make_xlsx.py"), run_name="__main__")
    target = tmp_path / "ai_market.xlsx"
    shutil.copy(XLSX, target)
    return target


def test_read_tables_sheets_header_merged_units(xlsx: Path) -> None:
    segments, regions = read_tables(xlsx)
    assert segments.sheet == "segments" and segments.title == "中国人工智能细分市场规模（亿元）"
    assert segments.header[0] == "细分领域" and segments.header[-1] == "2028E"
    assert segments.rows[0][0] == "AI芯片" and segments.ranges[0] == "segments!row 3"
    assert regions.column_unit(2) == ("元", "亿") and regions.column_unit(1) == ("家", "")
    facts = table_facts(segments)
    chip_2025 = next(f for f in facts if f.label.startswith("AI芯片") and f.period == "2025E")
    assert chip_2025.value == pytest.approx(1454e8)


def test_csv_table(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('年份,收入（万元）\n2022,"1,200"\n2023,1500\n', encoding="utf-8")
    (table,) = read_tables(path)
    facts = table_facts(table)
    assert [(f.period, f.value) for f in facts] == [("2022", 1.2e7), ("2023", 1.5e7)]


def test_period_column_dates_each_row(tmp_path: Path) -> None:
    """ "地区 | 年份 | 产业规模": the 年份 cells are the rows' periods, not a measure of their own."""
    path = tmp_path / "regions.csv"
    path.write_text("地区,年份,产业规模（亿元）\n甲省,2023,4200\n乙省,2024,2100\n", encoding="utf-8")
    (table,) = read_tables(path)
    facts = table_facts(table)
    assert [(f.row, f.period, f.value) for f in facts] == [("甲省", "2023", 4.2e11), ("乙省", "2024", 2.1e11)]


def test_hook_assistant_and_removal(settings: Settings, xlsx: Path, tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text(REPORT, encoding="utf-8")
    with open_or_create_kb(settings, "bi") as kb:
        kb.ingest([xlsx, tmp_path / "report.md"])
        store = store_for(kb)
        assert {t.sheet for t in store.tables()} == {"segments", "regions"}
        assert any(f.source == "table" for f in store.facts(period="2025"))
        assistant = build_assistant(kb, settings)
        answer = assistant.ask(AskRequest("2025年智能算力市场规模比AI芯片市场规模多多少亿元？"))
        assert answer.route == "numeric" and "11106亿元" in answer.answer
        assert answer.citations and answer.extra["computation"]["operation"] == "difference"
        cagr = assistant.ask(AskRequest("中国AI芯片市场规模2023年到2028年的复合增长率是多少？"))
        assert "44.7%" in cagr.answer
        table = next(t.table_name for t in store.tables() if t.sheet == "regions")
        rows = (
            SqlRunner(store).run(f'SELECT "地区" FROM {table} ORDER BY "产业规模（亿元）" DESC LIMIT 1').rows
        )
        assert rows == (("北京",),)
        doc = next(d for d in kb.documents() if d.source.endswith(".xlsx"))
        kb.remove(doc.doc_id)
        assert store.tables() == [] and all(f.source != "table" for f in store.facts())


@pytest.fixture
def cli_app(monkeypatch: pytest.MonkeyPatch) -> object:
    import typer

    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "hashing")
    from zhiku.cli.bi import register

    app = typer.Typer()
    register(app)
    return app


def test_cli_facts_and_sql(settings: Settings, xlsx: Path, cli_app: object) -> None:
    with open_or_create_kb(settings, settings.default_kb) as kb:
        kb.ingest([xlsx])
    runner = CliRunner()
    listed = runner.invoke(cli_app, ["facts", "search", "知识图谱", "--period", "2027", "--json"])  # type: ignore[arg-type]
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert rows and rows[0]["value"] == pytest.approx(73e8)
    out = runner.invoke(cli_app, ["sql", "SELECT count(*) AS n FROM bi_tables", "--json"])  # type: ignore[arg-type]
    assert out.exit_code == 0 and json.loads(out.output)["n"] == 2
    refused = runner.invoke(cli_app, ["sql", "DROP TABLE facts"])  # type: ignore[arg-type]
    assert refused.exit_code != 0


MARKDOWN = """# 中国语音市场规模

| 细分领域 | 2022 | 2023 | 2024E |
|---|---|---|---|
| 语音识别（亿元） | 100 | 120 | 150 |
| 机器翻译（亿元） | 40 | 52 | 66 |
"""


def test_markdown_table_block_becomes_sql_table_and_facts(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "t.md").write_text(MARKDOWN, encoding="utf-8")
    with open_or_create_kb(settings, "md") as kb:
        kb.ingest([tmp_path / "t.md"])
        store = store_for(kb)
        (info,) = store.tables()
        assert info.title == "中国语音市场规模" and info.columns[0] == "细分领域"
        facts = [f for f in store.facts(period="2023") if f.source == "table"]
        speech = next(f for f in facts if f.label.startswith("语音识别"))
        assert speech.value == pytest.approx(120e8) and "语音识别" in speech.sentence
        answer = build_assistant(kb, settings).ask(AskRequest("2024年机器翻译市场规模比2023年增长了多少？"))
        assert answer.route == "numeric" and "14亿元" in answer.answer


def test_rebuild_rederives_facts_and_tables(settings: Settings, xlsx: Path, tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text(REPORT, encoding="utf-8")
    with open_or_create_kb(settings, "rebuild") as kb:
        kb.ingest([xlsx, tmp_path / "report.md"])
        store = store_for(kb)
        before = len(store.facts())
        kb.rebuild()
        assert len(store.facts()) >= before > 0
        assert {t.sheet for t in store.tables()} == {"segments", "regions"}
        assert any(f.raw == "3931亿元" for f in store.facts(period="2028"))


def test_csv_number_formats_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "fmt.csv"
    path.write_text('项目,规模（亿元）,占比\n甲,"1,219",30.6%\n乙,3.4万亿,百分之三十\n', encoding="utf-8")
    (table,) = read_tables(path)
    assert table.rows == (("甲", 1219.0, 30.6), ("乙", 34000.0, 30.0))


def test_batch_of_documents_in_one_transaction(tmp_path: Path) -> None:
    from zhiku.bi.hook import _derive
    from zhiku.bi.store import FactStore
    from zhiku.types import Block, Chunk, Document, DocumentRecord

    store = FactStore(tmp_path / "facts.duckdb")
    docs = []
    for i in range(30):
        text = f"2023年{chr(0x4E00 + 7 * i)}市场规模达到{100 + i}亿元。"
        record = DocumentRecord(f"d{i}", f"c#{i}", "x", "jsonl", f"t{i}", 1, "ok")
        chunk = Chunk(f"d{i}:0", f"d{i}", 0, text)
        docs.append(
            _derive(record, Document(f"c#{i}", f"t{i}", "jsonl", (Block("paragraph", text),)), [chunk])
        )
    store.replace_documents(docs)
    assert len(store.facts(period="2023")) == 30
    store.replace_documents([("d0", [], [])])
    assert len(store.facts()) == 29


def test_expert_sees_documents_ingested_after_it_was_built(settings: Settings, tmp_path: Path) -> None:
    from zhiku.bi.expert import NumericExpert
    from zhiku.types import Trace

    (tmp_path / "a.md").write_text("2023年甲市场规模达到100亿元。\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("2023年乙市场规模达到40亿元。\n", encoding="utf-8")
    with open_or_create_kb(settings, "late") as kb:
        kb.ingest([tmp_path / "a.md"])
        expert = NumericExpert(kb)
        question = AskRequest("2023年甲市场规模比乙市场规模多多少亿元？")
        assert expert.try_answer(question, [], Trace()) is None
        kb.ingest([tmp_path / "b.md"])
        answer = expert.try_answer(question, [], Trace())
        assert answer is not None and "60亿元" in answer.answer


def test_cli_ask_chart_writes_png_and_svg(
    settings: Settings, xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    from zhiku.cli import core

    monkeypatch.setenv("ZHIKU_INDEX__EMBEDDER", "hashing")
    with open_or_create_kb(settings, settings.default_kb) as kb:
        kb.ingest([xlsx])
    app = typer.Typer()
    core.register(app)
    out = tmp_path / "chart.png"
    result = CliRunner().invoke(
        app, ["ask", "2020-2028年知识图谱市场规模各年分别是多少？", "--chart", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.with_suffix(".svg").is_file()


def test_facts_round_trip_through_the_columnar_insert(tmp_path: Path) -> None:
    """Every field comes back as written: ints in a DOUBLE column, NULL pages, Chinese and English text."""
    from zhiku.bi.facts import Fact
    from zhiku.bi.store import FactStore

    store = FactStore(tmp_path / "facts.duckdb")
    written = [
        Fact("产业规模", "某国", "规模", "2023", 2137, "元", "亿", "2137亿元", "", "规模达到2137亿元。", 3, 10),
        Fact(
            "chip shipments", "vendor", "shipments", "2024E", 1.5, "units", "million", "1.5 million",
            "about", "Shipments reach 1.5 million.", source="table", confidence=0.5,
            chunk_id="d1:0", doc_id="d1", page=2,
        ),
    ]  # fmt: skip
    store.add_facts(written)
    store.add_facts([])
    got = sorted(store.facts(), key=lambda f: f.label)
    assert got == sorted(written, key=lambda f: f.label)
    assert got[1].page is None and isinstance(got[1].value, float)
