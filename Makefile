# The developer interface. `make run` and `make test` do all set-up on a fresh machine.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt | sha1sum | cut -c1-12)
PORT   ?= 8501

.PHONY: install browser run test test-fast lint bench facts clean

$(STAMP): requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q uv==0.13.8 2>/dev/null && \
	  $(VENV)/bin/uv pip install -q --python $(PY) -r requirements.txt || \
	  $(VENV)/bin/pip install -q -r requirements.txt
	@# Byte-compile once: imports then skip recompiling even where PYTHONDONTWRITEBYTECODE is set.
	@$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null 2>&1 || true
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Debian's chromium (browser tests, PNG/PDF export) and a CJK font; installs with apt when missing (needs root).
browser:
	@bash tools/install_system_deps.sh

# No root needed: the dashboard starts without chromium; the brief's PNG/PDF buttons then say to run `make browser`.
run: install
	$(PY) -m ui.serve --server.headless true --server.address 127.0.0.1 --server.port $(PORT) \
	  --browser.gatherUsageStats false

test: install browser
	$(PY) -m ruff check .
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not browser"

lint: install
	$(PY) -m ruff check .

bench: install
	$(PY) -m bench

facts: install
	$(PY) -m forecasting facts --out facts.csv

clean:
	rm -rf $(VENV) data/planning.duckdb data/planning.duckdb.lock data/planning.duckdb.wal
