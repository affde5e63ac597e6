"""OCR benchmark: pages per second and character accuracy on pages this script renders itself.

Each page is an A4 page at 150 dpi (1240×1754 px) with a title, a paragraph of invented
sentences (names, years, amounts, percentages) and a small table, in Chinese or in English,
drawn with Pillow in a CJK font from the system; every page is read three times: clean, as a
scan would leave it (skewed up to 1.2°, blurred, grey paper with speckle, JPEG quality 55), and
the same at half the resolution (a 75 dpi scan, where small print starts to break).  Because the text is known exactly, accuracy
is 1 − normalised character edit distance (``zhiku.eval.text_metrics.char_accuracy``;
whitespace and table rules ignored).  Wall-clock pages per second depend on what else runs on the machine, so CPU seconds per page
(all threads) are reported too.  Pages go through the same loaders ingestion uses: PNG
images through the image loader and, for a share of them, an image-only PDF through the PDF
loader's OCR path.  Model loading is timed separately from reading.

    .venv/bin/python bench/ocr_bench.py [--pages 6] [--seed 7]

Writes bench/results/ocr_bench.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zhiku.config import IngestSettings  # noqa: E402
from zhiku.eval.text_metrics import char_accuracy  # noqa: E402
from zhiku.ingest.loaders import load_path  # noqa: E402
from zhiku.ingest.ocr import default_engine, ocr_available  # noqa: E402

FONTS = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc")
ZH_HEADS = "星河 月光 云杉 青禾 澄海 远帆 金穗 白鹭".split()
ZH_TAILS = "芯片 算力 机器人 大模型 数据服务 智能终端".split()
EN_HEADS = "Nova Orion Cedar Harbor Willow Summit Aurora Delta".split()
EN_TAILS = "chip, compute, robotics, model, data service, smart device".split(", ")


def find_font() -> Path | None:
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        for name in FONTS:
            found = next(folder.rglob(name), None) if folder.is_dir() else None
            if found:
                return found
    return None


def zh_page(rng: random.Random) -> tuple[str, list[str], list[tuple[str, str]]]:
    name = rng.choice(ZH_HEADS) + rng.choice(ZH_TAILS)
    years = sorted(rng.sample(range(2018, 2030), 4))
    lines = [
        f"{years[1]}年{name}市场规模为{rng.randint(20, 900)}亿元，同比增长{rng.randint(5, 60)}.{rng.randint(0, 9)}%。",
        f"预计到{years[3]}年，{name}产业规模将达到{rng.randint(1000, 9000)}亿元。",
        f"{rng.choice(ZH_HEADS)}公司发布了新一代{rng.choice(ZH_TAILS)}，服务{rng.randint(2, 90)}万家企业。",
        f"报告显示，{name}在制造、金融和医疗领域的渗透率为{rng.randint(10, 70)}%。",
    ]
    table = [("年份", "规模（亿元）")] + [(str(y), str(rng.randint(50, 5000))) for y in years]
    return f"{name}发展报告", lines, table


def en_page(rng: random.Random) -> tuple[str, list[str], list[tuple[str, str]]]:
    name = f"{rng.choice(EN_HEADS)} {rng.choice(EN_TAILS)}"
    years = sorted(rng.sample(range(2018, 2030), 4))
    lines = [
        f"In {years[1]} the {name} market reached {rng.randint(2, 90)}.{rng.randint(0, 9)} billion yuan.",
        f"It grew {rng.randint(5, 60)}% year on year, led by cloud and edge deployments.",
        f"By {years[3]} the industry is expected to pass {rng.randint(100, 900)} billion yuan.",
        f"{rng.choice(EN_HEADS)} Labs serves {rng.randint(2, 90)} thousand companies in {rng.randint(3, 30)} cities.",
    ]
    table = [("Year", "Size (bn yuan)")] + [
        (str(y), f"{rng.randint(5, 900)}.{rng.randint(0, 9)}") for y in years
    ]
    return f"{name.title()} Annual Review", lines, table


def render(font: Path, title: str, lines: list[str], table: list[tuple[str, str]]) -> tuple[Any, str]:
    """The page image and its exact text."""
    from PIL import Image, ImageDraw, ImageFont

    body, big = ImageFont.truetype(str(font), 34), ImageFont.truetype(str(font), 50)
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    draw.text((110, 130), title, font=big, fill="black")
    y = 260
    for line in lines:
        draw.text((110, y), line, font=body, fill="black")
        y += 72
    y += 60
    for year, value in table:
        draw.text((110, y), year, font=body, fill="black")
        draw.text((560, y), value, font=body, fill="black")
        draw.line((110, y + 54, 900, y + 54), fill=(120, 120, 120), width=2)
        y += 72
    truth = "\n".join([title, *lines, *(f"{a} | {b}" for a, b in table)])
    return image, truth


def scan_like(image: Any, rng: random.Random) -> Any:
    """What a flatbed scan does to a page: a slight skew, soft focus, grey paper, speckle, JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    page = image.rotate(rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(0.9))
    pixels = np.asarray(page).astype("float32") * 0.92 + 8
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 9, pixels.shape)
    page = Image.fromarray(np.clip(pixels + noise, 0, 255).astype("uint8"))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=55)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def image_pdf(image: Any, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    pdf.image(buffer, x=0, y=0, w=210)
    pdf.output(str(path))


def read(path: Path) -> tuple[str, float, float]:
    """The page's text, wall seconds and CPU seconds (all threads of this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    docs = load_path(path, IngestSettings())
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return "\n".join(b.text for d in docs for b in d.blocks), seconds, cpu_seconds


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {}
    seconds = sum(r["seconds"] for r in rows)
    cpu = sum(r["cpu_seconds"] for r in rows)
    accuracy = [r["char_accuracy"] for r in rows]
    return {
        "pages": len(rows),
        "pages_per_second": round(len(rows) / seconds, 3),
        "seconds_per_page": round(seconds / len(rows), 3),
        "cpu_seconds_per_page": round(cpu / len(rows), 3),
        "char_accuracy_mean": round(statistics.mean(accuracy), 4),
        "char_accuracy_min": round(min(accuracy), 4),
        "characters": sum(r["characters"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", type=int, default=4, help="pages per language (each read in three qualities)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ocr_bench.json")
    args = parser.parse_args()
    font = find_font()
    if font is None or not ocr_available():
        sys.exit("needs a CJK font (fonts-noto-cjk) and the ocr extra (pip install 'zhiku[ocr]')")
    started = time.perf_counter()
    default_engine().read(__import__("numpy").full((64, 64, 3), 255, dtype="uint8"))  # load the models
    load_seconds = time.perf_counter() - started
    rng = random.Random(args.seed)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang, make in (("zh", zh_page), ("en", en_page)):
            for number in range(args.pages):
                clean, truth = render(font, *make(rng))
                variants = (
                    ("clean", clean),
                    ("scanned", scan_like(clean, rng)),
                    ("low_res", scan_like(clean.resize((620, 877)), rng)),  # a 75 dpi scan
                )
                for quality, image in variants:
                    via = "pdf" if number % 2 else "png"  # half the pages as image-only PDFs
                    path = Path(tmp) / f"{lang}{number}{quality}.{via}"
                    image_pdf(image, path) if via == "pdf" else image.save(path)
                    text, seconds, cpu_seconds = read(path)
                    accuracy = char_accuracy(truth, text)
                    rows.append(
                        {
                            "lang": lang,
                            "via": via,
                            "quality": quality,
                            "seconds": round(seconds, 3),
                            "cpu_seconds": round(cpu_seconds, 3),
                            "characters": len(truth),
                            "char_accuracy": round(accuracy, 4),
                        }
                    )
                    print(
                        f"{lang} {quality} {via} page {number + 1}: {seconds:.2f}s accuracy {accuracy:.3f}",
                        flush=True,
                    )
    result = {
        "bench": "ocr",
        "engine": "rapidocr " + _version("rapidocr") + " / onnxruntime " + _version("onnxruntime"),
        "page": "clean, scan-like (skew, blur, speckle, JPEG 55) and scan-like at 75 dpi; A4 at 150 dpi (1240x1754), title + 4 sentences + 5-row table, rendered with "
        + font.name,
        "metric": "char_accuracy = 1 - edit_distance / reference_length (NFKC, whitespace and | ignored)",
        "model_load_seconds": round(load_seconds, 2),
        "overall": summary(rows),
        "zh": summary([r for r in rows if r["lang"] == "zh"]),
        "en": summary([r for r in rows if r["lang"] == "en"]),
        "clean": summary([r for r in rows if r["quality"] == "clean"]),
        "scanned": summary([r for r in rows if r["quality"] == "scanned"]),
        "low_res": summary([r for r in rows if r["quality"] == "low_res"]),
        "zh_scanned": summary([r for r in rows if r["lang"] == "zh" and r["quality"] == "scanned"]),
        "en_scanned": summary([r for r in rows if r["lang"] == "en" and r["quality"] == "scanned"]),
        "png": summary([r for r in rows if r["via"] == "png"]),
        "scanned_pdf": summary([r for r in rows if r["via"] == "pdf"]),
        "machine": {
            "cpus": _cpus(),
            "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "seed": args.seed,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    keys = ("model_load_seconds", "overall", "zh", "en", "clean", "scanned", "low_res")
    print(json.dumps({k: result[k] for k in keys}, indent=2))


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
