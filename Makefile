# Energize Desktop — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export QT_QPA_PLATFORM ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen)

.PHONY: run test bench bench-peers dist dist-check package lint clean system-deps system-deps-test screenshots

run: system-deps $(STAMP)
	@if [ -n "$(DISPLAY)$(WAYLAND_DISPLAY)" ]; then \
		$(PY) -m energize_desktop gui --demo; \
	else \
		echo "No display: rendering the demo workspace offscreen to energize-demo.png"; \
		$(PY) -m energize_desktop gui --demo --screenshot energize-demo.png; \
	fi

# The tests, then the frozen app built and its self-test run (what CI checks too).
test: system-deps-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(MAKE) dist-check

# One PNG per page of the window on the demo workspace, under Xvfb when it is installed (a real
# X server and fonts path), offscreen otherwise; the README shows them.
screenshots: system-deps $(STAMP)
	@if command -v xvfb-run >/dev/null; then \
		QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
			$(PY) -m energize_desktop gui --demo --pages resources/screenshots; \
	else \
		$(PY) -m energize_desktop gui --demo --pages resources/screenshots; \
	fi

bench: $(STAMP) bench-peers
	$(VENV)/bin/pip install -q 'pandas>=2'
	$(PY) -m benchmarks

# opendsm (the baselines peer) lives in its own venv: it pins pandas/numpy versions of its own
# and must never be installed next to the app.
bench-peers: benchmarks/work/opendsm-venv/.installed

benchmarks/work/opendsm-venv/.installed:
	$(PYTHON) -m venv benchmarks/work/opendsm-venv
	benchmarks/work/opendsm-venv/bin/pip install -q 'opendsm==1.2.7' 'multimethod<2'
	touch $@

# The one-folder frozen app in dist/energize (PyInstaller, build.spec; build/ caches the analysis).
dist: $(STAMP)
	$(PY) -c 'import PyInstaller' 2>/dev/null || $(VENV)/bin/pip install -q -e '.[dist]'
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN build.spec

# The frozen app proves itself: every module, a workspace, detection, a baseline, a chart, a PDF
# and Modbus TCP, in a temporary folder (no display needed).
dist-check: dist
	QT_QPA_PLATFORM=offscreen dist/energize/energize --selftest

# Linux tarball (+ AppImage when appimagetool is installed), see installers/README.md.
package: dist-check
	sh installers/linux/make-package.sh

lint: $(STAMP)
	$(VENV)/bin/lint-imports

system-deps:
	@sh .ci/system-deps.sh runtime

system-deps-test:
	@sh .ci/system-deps.sh test

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis benchmarks/work
