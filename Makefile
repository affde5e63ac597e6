# zhiku — two commands: `make demo` and `make test`.  Both create .venv themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEVSTAMP := $(VENV)/.dev-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# llama-cpp-python compiles from source: reuse pip's wheel cache and both cores.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: demo test lint typecheck pytest bench browser-deps font-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $(STAMP)

$(DEVSTAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[dev,local,ocr]"
	touch $(DEVSTAMP) $(STAMP)

demo: $(STAMP)
	ZHIKU_HOME=$${ZHIKU_HOME:-$(CURDIR)/.zhiku-demo} $(BIN)/zhiku demo

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	    || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "chromium missing and not root: browser tests will be skipped"; fi; }

# A CJK font: the OCR tests and bench render Chinese pages with it, charts label axes with it.
font-deps:
	@ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
	    || echo "fonts-noto-cjk could not be installed: OCR tests will be skipped"; \
	  else echo "no CJK font and not root: OCR tests will be skipped (apt-get install fonts-noto-cjk)"; fi; }

lint: $(DEVSTAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(DEVSTAMP)
	$(BIN)/mypy src/zhiku

pytest: $(DEVSTAMP) browser-deps font-deps
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/qa_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .zhiku-demo
