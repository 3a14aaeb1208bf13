# Two commands on a fresh machine: `make run` and `make test`. Each sets up .venv itself.
PY := .venv/bin/python
STAMP := .venv/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint setup clean report viewer viewer-assets calibrate bench bench-quick lab

$(STAMP): pyproject.toml
	@# .python-version selects Python 3.12 through pyenv; mesa 3.5 needs >= 3.12.
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(PY) -m uv pip install -q --python $(PY) -e ".[dev]"
	rm -f .venv/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# The workshop viewer's browser assets, unpacked from npm into Solara's own cache so the page needs no internet.
# Idempotent; the stamp makes it instant once done (python -m viewer.assets also checks each package).
VIEWER_ASSETS := .venv/share/solara/cdn/.ontschot-assets-$(shell cksum viewer/assets.py | cut -d' ' -f1)
$(VIEWER_ASSETS): $(STAMP) viewer/assets.py
	$(PY) -m viewer.assets
	rm -f .venv/share/solara/cdn/.ontschot-assets-*
	mkdir -p .venv/share/solara/cdn
	touch $(VIEWER_ASSETS)

viewer-assets: $(VIEWER_ASSETS)

# The workshop viewer on http://127.0.0.1:8765/ (VIEWER_ARGS="--host 0.0.0.0 --port 9000" to change).
viewer: $(VIEWER_ASSETS)
	$(PY) -m viewer $(VIEWER_ARGS)

# The default scenario under fragmented and networked working, 10 paired replications, a readable table.
run: $(STAMP)
	$(PY) -m experiments.compare

# The default experiment (compare_working: fragmented vs networked, 10 paired replications) as a sweep
# that resumes when run again, then its report with figures in outputs/sweeps/<name>/report-en/.
report: $(STAMP)
	$(PY) -m experiments run +experiment=compare_working report=en

# JupyterLab on notebooks/ at http://127.0.0.1:8888/lab, this machine only (LAB_ARGS="--port 9999" to change);
# the notebooks' outputs go to outputs/notebooks/ as when they run from the project folder. Jupyter refuses
# root unless told: root is allowed only when this user is root (as on the project's machines).
lab: $(STAMP)
	ONTSCHOT_NOTEBOOK_OUT=$(CURDIR)/outputs/notebooks $(PY) -m jupyter lab --ServerApp.root_dir=notebooks \
		--ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# History-match the fragmented status quo of sociaal_domein and jeugdhulp to published figures: an ensemble of
# calibrated worlds in scenarios/*.ensemble.csv, its representative member written into scenarios/*.yaml, and
# docs/calibration.md regenerated. Resumes an interrupted run (finished runs are kept in outputs/calibration/).
# CALIBRATE_ARGS="--waves 2 --wave-size 30 --scenarios sociaal_domein" sets the budget (python -m experiments.calibrate -h);
# without it, each scenario gets the budget that made its stored ensemble: sociaal_domein 8 waves, jeugdhulp 12, of
# 40 runs each (experiments/calibrate.py, SHIPPED_WAVES).
# Time: sociaal_domein's 8 waves took about 1.5 hours on the slow shared machine of 2026-11-28/29 (its emulators fitted
# by finite differences, which it keeps so that its waves are reproduced); jeugdhulp's 12 waves (520 runs of 2,182
# households, emulators fitted with the analytic gradient) took 34 minutes there on 2026-11-29, validation included
# (both with 2 workers, measured beside other work).
calibrate: $(STAMP)
	$(PY) -m experiments.calibrate $(CALIBRATE_ARGS)

# Two passes: the independent, CPU-bound tests on TEST_WORKERS processes (pytest-xdist; a module's tests stay on
# one worker, as they often share a run, except those tests/conftest.py spreads), then the `serial`-marked
# tests alone (a server pinned to one core and timed, 30 browser sessions, the SLURM cluster, tests that run their
# own process pool or write into scenarios/). Both passes always run, so one log shows every failure; the target
# fails if either failed. --durations: each log lists the slowest tests.
TEST_WORKERS ?= 2
test: $(STAMP) $(VIEWER_ASSETS)
	$(PY) -m pytest -W error -n $(TEST_WORKERS) --dist loadscope -m "not serial" --durations=30; parallel=$$?; \
	$(PY) -m pytest -W error -m serial --durations=30; serial=$$?; \
	test $$parallel = 0 && test $$serial = 0

lint: $(STAMP)
	$(PY) -m ruff check sim experiments tests viewer benchmarks notebooks

clean:
	rm -rf .venv outputs .pytest_cache

# Performance benchmark for people (CI never times anything): figures against the standing targets,
# written to docs/performance.md and benchmarks/bench.json; bench-quick runs small versions in under a minute and
# writes outputs/bench-quick.json (not tracked: its figures are for this machine only).
bench: $(STAMP)
	$(PY) -m benchmarks

bench-quick: $(STAMP)
	$(PY) -m benchmarks --quick
