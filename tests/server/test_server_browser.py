"""The web UI in real Chromium (Debian's, driven by Playwright): upload, ask in Chinese, open a citation.

Screenshots go to a temporary folder; ``ZHIKU_UI_SHOTS=bench/results/ui`` keeps them (that is
how the committed ones were made) without a plain test run rewriting tracked files.  Skips cleanly when Chromium or Playwright is missing
(``make browser-deps`` installs Chromium as root).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_helpers import ADMIN_KEY, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("ZHIKU_UI_SHOTS") or Path(tempfile.gettempdir()) / "zhiku-ui-shots")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DOC = (
    "# 2024年机器人产业报告\n\n"
    "2023年中国工业机器人市场规模为589亿元，同比增长8.2%。\n\n"
    "2024年中国工业机器人市场规模预计为640亿元。服务机器人主要用于物流、医疗和教育。\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file() and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors = _watch_errors(page)
    page.goto(f"{live_server.url}/#key={ADMIN_KEY}")
    yield page
    context.close()
    assert not errors, errors


def _watch_errors(page: Any) -> list[str]:
    """Uncaught exceptions and every console error (a failed request logs one) fail the test."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=False)


def _drop_file(page: Any, name: str, text: str) -> None:
    """A real drop event with a DataTransfer holding the file (what a drag from the desktop sends)."""
    transfer = page.evaluate_handle(
        """([name, text]) => { const dt = new DataTransfer();
             dt.items.add(new File([text], name, { type: "text/markdown" })); return dt; }""",
        [name, text],
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})


def test_upload_ask_and_open_citation(page: Any, tmp_path: Path) -> None:
    page.wait_for_selector("#kb-list li[data-kb='demo']")
    page.fill("#kb-name", "机器人")
    page.click("#kb-create button")
    page.wait_for_selector("#kb-list li.active[data-kb='机器人']")

    page.click(".tab[data-tab='docs']")
    _drop_file(page, "机器人报告.md", DOC)
    bad = tmp_path / "malware.exe"
    bad.write_bytes(b"MZ")
    page.set_input_files("#file-input", str(bad))
    page.wait_for_selector(".upload[data-status='added']", timeout=60_000)
    page.wait_for_selector(".upload.failed", timeout=30_000)
    assert ".exe" in page.inner_text(".upload.failed .up-status")  # refused before uploading, saying why
    page.wait_for_selector("#doc-rows tr", timeout=30_000)
    assert "机器人报告" in page.inner_text("#doc-rows")
    _shot(page, "01-upload.png")

    page.click(".tab[data-tab='chat']")
    page.fill("#question", "2023年中国工业机器人市场规模是多少？")
    page.press("#question", "Enter")
    answer = page.wait_for_selector(".msg.assistant:not(.streaming) .answer-text", timeout=60_000)
    assert "589" in answer.inner_text()
    page.wait_for_selector(".msg.assistant .cite")
    page.click(".msg.assistant details.trace-box summary")
    _shot(page, "02-answer.png")

    page.click(".msg.assistant .cite")
    page.wait_for_selector("#citation-dialog[open] mark")
    assert "589" in page.inner_text("#cite-body")
    _shot(page, "03-citation.png")
    page.click("#citation-dialog .close")

    page.click("#lang-toggle")
    assert page.inner_text(".tab[data-tab='chat']") == "Ask"
    _shot(page, "04-english.png")


def test_numeric_answer_draws_a_chart(page: Any) -> None:
    page.wait_for_selector("#kb-list li[data-kb='demo']")
    page.click("#kb-list li[data-kb='demo']")
    page.fill("#question", "2028年产业规模是2023年的多少倍？")
    page.press("#question", "Enter")
    page.wait_for_selector(".msg.assistant:not(.streaming) .answer-text", timeout=60_000)
    route = page.get_attribute(".msg.assistant", "data-route")
    if page.query_selector(".msg.assistant svg.chart") is None:
        pytest.skip(f"this answer (route {route}) carries no chart spec")
    _shot(page, "05-chart.png")


def test_chart_renderer_draws_bar_and_line_specs(page: Any) -> None:
    """The SVG renderer on the spec shape the BI expert emits (``Answer.extra["chart"]``)."""
    page.wait_for_selector("#kb-list li[data-kb='demo']")
    counts = page.evaluate(
        """() => {
          const bar = drawChart({type: "bar", title: "产业规模", unit: "亿元",
            x: ["2023", "2028E"], series: [{name: "亿元", values: [2137, 8110]}]});
          const line = drawChart({type: "line", title: "算力", unit: "EFLOPS",
            x: ["2022", "2023", "2024"], series: [{name: "智能算力", values: [260, 414, null]},
                                                   {name: "通用算力", values: [60, 70, 80]}]});
          const box = document.createElement("div");
          box.className = "msg assistant"; box.append(bar, line);
          document.getElementById("messages").append(box);
          return [bar.querySelectorAll("rect").length, line.querySelectorAll("polyline").length,
                  line.querySelectorAll("circle").length, drawChart({type: "bar", x: [], series: []})];
        }"""
    )
    assert counts[0] >= 3 and counts[1] == 2 and counts[2] == 5 and counts[3] is None
    _shot(page, "06-chart-renderer.png")


def test_graph_view(page: Any) -> None:
    page.wait_for_selector("#kb-list li[data-kb='demo']")
    if page.is_hidden("#graph-tab"):
        pytest.skip("the graph feature is disabled")
    page.click("#graph-tab")
    try:
        page.wait_for_selector("#graph-entities .chip", timeout=15_000)
    except Exception:
        pytest.skip("the extractor found no entity in the test documents")
    page.click("#graph-entities .chip")
    page.wait_for_selector("#graph-view svg.graph .node.center")
    _shot(page, "07-graph.png")


def test_key_without_grant_sees_nothing(browser: Any, live_server: LiveServer) -> None:
    import httpx

    created = httpx.post(
        f"{live_server.url}/api/keys",
        json={"name": "guest", "grants": []},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    ).json()
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 700})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        page.wait_for_selector("#key-dialog[open]")  # no key yet: the page asks for one
        page.fill("#key-input", created["key"])
        page.click("#key-form button[type='submit']")
        page.wait_for_selector("#kb-empty:not([hidden])")
        assert page.query_selector_all("#kb-list li") == []
        assert page.is_hidden("#kb-create")
        assert "demo" not in page.content()
        _shot(page, "08-no-grant.png")
    finally:
        context.close()


# ---- conversations, follow-ups, feedback, phone layout (issue 13) ----------------------------


def _ask(page: Any, question: str, count: int) -> str:
    """Ask and wait for the ``count``-th finished answer; returns its text."""
    page.fill("#question", question)
    page.press("#question", "Enter")
    selector = f".msg.assistant:not(.streaming) >> nth={count - 1}"
    page.wait_for_selector(f"{selector} >> .answer-text.md", timeout=60_000)
    return str(page.locator(".msg.assistant .answer-text").nth(count - 1).inner_text())


def _expect_count(page: Any, selector: str, count: int) -> None:
    """Wait for ``count`` matches (polled from Python: the page's CSP forbids evaluating strings)."""
    from playwright.sync_api import expect

    expect(page.locator(selector)).to_have_count(count, timeout=15_000)


def test_follow_up_feedback_and_resume_after_reload(page: Any, live_server: LiveServer) -> None:
    import httpx

    page.wait_for_selector("#kb-list li[data-kb='demo']")
    page.click("#kb-list li[data-kb='demo']")
    page.click("#new-chat")
    assert "2137" in _ask(page, "2023年人工智能产业规模是多少？", 1)
    follow = _ask(page, "那2028年呢？", 2)
    assert "8110" in follow, follow
    page.click(".msg.assistant >> nth=1 >> details.trace-box summary")
    assert "2028年人工智能产业规模是多少？" in page.inner_text(".msg.assistant >> nth=1 >> table.trace")
    page.wait_for_selector("#conv-list li.active")
    _shot(page, "desktop-zh.png")

    # copy puts the answer's text on the clipboard
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.click(".msg.assistant >> nth=1 >> .act.copy")
    page.wait_for_selector(".msg.assistant >> nth=1 >> .act.copy.done")
    assert "8110" in page.evaluate("navigator.clipboard.readText()")

    # thumbs down with a comment and the correct answer
    page.click(".msg.assistant >> nth=1 >> .thumb.down")
    page.wait_for_selector(".msg.assistant >> nth=1 >> .feedback-form")
    page.fill(".msg.assistant >> nth=1 >> .fb-comment", "单位应为亿元")
    page.fill(".msg.assistant >> nth=1 >> .fb-correct", "8110亿元")
    page.click(".msg.assistant >> nth=1 >> .feedback-form button")
    page.wait_for_selector(".msg.assistant >> nth=1 >> .feedback-note")
    items = httpx.get(
        f"{live_server.url}/api/feedback", params={"kb": "demo", "rating": "down"},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    ).json()  # fmt: skip
    mine = [i for i in items if i["comment"] == "单位应为亿元"]
    assert mine and mine[0]["correct_answer"] == "8110亿元" and "8110" in mine[0]["answer"]
    assert mine[0]["question"] == "2028年人工智能产业规模是多少？" and mine[0]["citations"]

    # a reload resumes the conversation; "New chat" empties the page, the sidebar brings it back
    page.reload()
    page.wait_for_selector(".msg.assistant >> nth=1", timeout=30_000)
    assert page.locator(".msg.user").count() == 2
    assert "8110" in page.inner_text(".msg.assistant >> nth=1")
    assert page.locator(".msg.assistant >> nth=1 >> .thumb.down.chosen").count() == 1  # the verdict too
    page.click("#new-chat")
    assert page.locator(".msg").count() == 0
    page.click("#conv-list li >> nth=0")
    page.wait_for_selector(".msg.assistant >> nth=1")

    # regenerate replaces the last answer (in the page and in the stored conversation)
    page.click(".msg.assistant >> nth=1 >> .act.regen")
    page.wait_for_selector(".msg.assistant:not(.streaming) >> nth=1 >> .answer-text.md", timeout=60_000)
    assert page.locator(".msg.assistant").count() == 2
    # rename (the browser's prompt) and delete (its confirm) from the sidebar
    page.once("dialog", lambda dialog: dialog.accept("产业规模 对话"))
    page.click("#conv-list li.active button[aria-label='重命名']")
    page.wait_for_selector("#conv-list li.active:has-text('产业规模 对话')")

    # the English UI, a new chat in English
    page.click("#lang-toggle")
    assert page.inner_text("#new-chat-side") == "New chat"
    before = page.locator("#conv-list li").count()
    page.click("#new-chat")
    assert "95" in _ask(page, "How big was the robotics market in 2024?", 1)
    _expect_count(page, "#conv-list li", before + 1)
    assert "robotics" in page.inner_text("#conv-list li.active")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#conv-list li.active button[aria-label='Delete chat']")
    _expect_count(page, "#conv-list li", before)
    assert page.locator(".msg").count() == 0
    page.click("#new-chat")
    assert "95" in _ask(page, "How big was the robotics market in 2024?", 1)
    _shot(page, "desktop-en.png")
    page.click("#lang-toggle")


def test_phone_width_drawer_and_readable_answers(browser: Any, live_server: LiveServer) -> None:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
        device_scale_factor=2,
    )  # fmt: skip
    page = context.new_page()
    errors = _watch_errors(page)
    try:
        page.goto(f"{live_server.url}/#key={ADMIN_KEY}")
        page.wait_for_selector("#kb-list li[data-kb='demo']", state="attached")
        for selector in ("#menu-button", "#new-chat", "#lang-toggle", "#key-button", ".tab[data-tab='docs']"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
        assert page.locator("#sidebar").bounding_box()["x"] < 0  # the drawer is closed
        page.click("#menu-button")
        page.wait_for_timeout(300)
        assert page.locator("#sidebar").bounding_box()["x"] >= 0
        _shot(page, "phone-menu.png")
        page.click("#kb-list li[data-kb='demo']")
        page.wait_for_timeout(300)
        assert page.locator("#sidebar").bounding_box()["x"] < 0  # choosing closes it
        page.click("#new-chat")
        text = _ask(page, "2023年某国人工智能产业规模是多少？2028年预计多少？", 1)
        assert "2137" in text and "8110" in text
        answer = page.locator(".msg.assistant .answer-text").bounding_box()
        assert answer and answer["width"] > 300  # not a narrow column wrapping every few characters
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator(".msg.assistant strong").count() == 2  # the two parts, Markdown bold
        _shot(page, "phone-zh.png")
        page.click(".tab[data-tab='docs']")
        page.wait_for_selector("#doc-rows tr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("#dropzone").bounding_box()["width"] <= 390
        _shot(page, "phone-docs.png")
        page.click("#lang-toggle")  # English labels are longer: the header must still fit
        for selector in ("#menu-button", "#new-chat", "#lang-toggle", "#key-button", "#graph-tab"):
            box = page.locator(selector).bounding_box()
            assert not box or box["x"] + box["width"] <= 390, (selector, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
    assert not errors, errors


def test_markdown_renderer_is_safe_and_structured(page: Any) -> None:
    page.wait_for_selector("#kb-list li[data-kb='demo']")
    result = page.evaluate(
        """() => {
          const box = document.createElement("div");
          box.append(MD.render("**粗体** 与 *斜体* [1]\\n- 甲\\n- 乙\\n\\n1. one\\n2. two\\n\\n"
            + "| 年份 | 规模 |\\n|---|---|\\n| 2023 | 2137 |\\n\\n<img src=x onerror=alert(1)><script>x()</script>",
            () => {}));
          return {strong: box.querySelectorAll("strong").length, em: box.querySelectorAll("em").length,
                  ul: box.querySelectorAll("ul li").length, ol: box.querySelectorAll("ol li").length,
                  cells: box.querySelectorAll("td").length, cite: box.querySelectorAll("button.cite").length,
                  img: box.querySelectorAll("img, script").length, text: box.textContent};
        }"""
    )
    assert (result["strong"], result["em"], result["ul"], result["ol"]) == (1, 1, 2, 2)
    assert result["cells"] == 2 and result["cite"] == 1 and result["img"] == 0
    assert "<script>x()</script>" in result["text"]


def test_login_link_pasted_into_an_open_tab_and_offered_formats(
    browser: Any, live_server: LiveServer
) -> None:
    import httpx

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 760})
    page = context.new_page()
    errors = _watch_errors(page)
    try:
        page.goto(f"{live_server.url}/")
        page.wait_for_selector("#key-dialog[open]")
        page.evaluate(f"location.hash = '#key={ADMIN_KEY}'")  # what pasting the link into this tab does
        page.wait_for_selector("#kb-list li[data-kb='demo']")
        assert page.is_hidden("#key-dialog") and "key=" not in page.url
        accepted = httpx.get(
            f"{live_server.url}/api/me", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        ).json()["upload_types"]
        offered = page.get_attribute("#file-input", "accept").split(",")
        assert offered == accepted and ".md" in offered
        from zhiku.ingest.loaders import SUPPORTED_EXTENSIONS

        assert set(offered) <= set(SUPPORTED_EXTENSIONS)  # nothing offered that ingestion refuses
        page.click(".tab[data-tab='docs']")
        assert "MD" in page.inner_text("#docs-types")
        icon = httpx.get(f"{live_server.url}/static/favicon.svg")
        assert (
            icon.status_code == 200
            and page.get_attribute("link[rel='icon']", "href") == "/static/favicon.svg"
        )
    finally:
        context.close()
    assert not errors, errors
