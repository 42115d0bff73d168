# Two commands: `make run` (set up and serve the demo workshop) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO   ?= workshops/westharz-zukunftskonferenz.toml
MO     := app/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test bench bench-processes lint setup setup-dev browser libreoffice postgres translations messages clean

run: setup $(MO)
	$(BIN)/zukunft serve --host $(HOST) --port $(PORT) --demo $(DEMO)

test: setup-dev $(MO) browser libreoffice postgres
	$(BIN)/ruff check app tests scripts
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2

# `make bench DATABASE=postgresql WORKERS=4`: the load on PostgreSQL with 4 server processes.
DATABASE ?= sqlite
WORKERS  ?= 1

bench: setup-dev $(MO) postgres browser
	$(BIN)/python scripts/bench_live.py --database $(DATABASE) --workers $(WORKERS)
	$(BIN)/python scripts/bench_3g.py
	$(BIN)/python scripts/bench_load.py --database $(DATABASE) --workers $(WORKERS)
	$(BIN)/python scripts/bench_load.py --database $(DATABASE) --workers $(WORKERS) --via phone
	$(BIN)/python scripts/bench_export.py
	$(BIN)/python scripts/bench_duplicates.py

# SQLite with one process, then PostgreSQL with 1, 2 and 4 (docs/performance.md).
bench-processes: setup-dev $(MO) postgres
	$(BIN)/python scripts/bench_load.py
	for n in 1 2 4; do $(BIN)/python scripts/bench_load.py --database postgresql --workers $$n; done

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# Tests on PostgreSQL start a throwaway cluster of their own; they need its binaries.
postgres:
	@scripts/install-postgres.sh

# Browser tests drive Debian's Chromium; install it when it is missing (needs root).
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install-chromium.sh

# One test prints the Word export with LibreOffice; install it when it is missing (needs root).
libreoffice:
	@command -v soffice >/dev/null 2>&1 || scripts/install-libreoffice.sh

$(MO): app/translations/en/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile -d app/translations -D messages

# Re-extract messages after changing texts; then translate the new entries in the .po file.
messages: setup-dev
	$(BIN)/pybabel extract -F babel.cfg --project zukunftskonferenz --version 0.1.0 \
		--copyright-holder "Zukunftskonferenz developers" --no-location --omit-header \
		$$($(BIN)/python -c "from app.errors import extraction_keywords as k; print(' '.join('-k ' + w for w in k()))") \
		-o app/translations/messages.pot app templates
	$(BIN)/pybabel update --ignore-obsolete -N -i app/translations/messages.pot -d app/translations -D messages --omit-header

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
