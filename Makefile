# Two commands on a fresh machine: `make run` and `make test`. Each sets up .venv itself.
PY := .venv/bin/python
STAMP := .venv/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint setup clean bench bench-quick

$(STAMP): pyproject.toml
	@# .python-version selects Python 3.12 through pyenv; mesa 3.5 needs >= 3.12.
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(PY) -m uv pip install -q --python $(PY) -e ".[dev]"
	rm -f .venv/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# The default scenario under fragmented and networked working, 10 paired replications, a readable table.
run: $(STAMP)
	$(PY) -m experiments.compare

test: $(STAMP)
	$(PY) -m pytest -W error

lint: $(STAMP)
	$(PY) -m ruff check sim experiments tests benchmarks

clean:
	rm -rf .venv outputs .pytest_cache

# Performance benchmark for people (CI never times anything): figures against the standing targets,
# written to docs/performance.md and benchmarks/bench.json; bench-quick runs small versions in under a minute.
bench: $(STAMP)
	$(PY) -m benchmarks

bench-quick: $(STAMP)
	$(PY) -m benchmarks --quick
