# Two entry points, both from a fresh clone:
#   make app    set up .venv (the app extra) and launch the app on the built-in default graph
#   make test   set up .venv (the test extra, with Chromium for the browser tests) and run the whole test suite
VENV := .venv
PY := $(VENV)/bin/python
TORCH := torch==2.13.0

.PHONY: app test setup setup-test

$(PY):
	python3 -m venv $(VENV)
	# torch first and pinned, so that the package's range (torch>=2.5) is already met and nothing pulls a CUDA build
	$(PY) -m pip install $(TORCH)

setup: $(PY)
	$(PY) -m pip install -e ".[app]" $(TORCH)

setup-test: $(PY)
	$(PY) -m pip install -e ".[test]" $(TORCH)
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) || sudo apt-get install -y chromium

app: setup
	# the checkout's entry point (streamlit reads .streamlit/config.toml here); `gtvviz app` does the same anywhere
	MALLOC_ARENA_MAX=2 $(VENV)/bin/streamlit run app.py

test: setup-test
	# the parallel part, then the tests that need the machine to themselves (five app sessions at once, two
	# distributed ranks); the second part runs even when the first fails, and either failing fails the target
	status=0; \
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "not alone" || status=$$?; \
	$(PY) -m pytest -q -m alone || status=$$?; \
	exit $$status
