# Supervision Hall: `make demo` runs the demo, `make test` runs every check.
# Both build the virtual environment from nothing on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# System packages Qt needs to run (and draw Chinese) on a bare Debian/Ubuntu machine:
# fonts, GL, the X11 (xcb) and sound (PulseAudio) libraries PySide6's wheels do not carry;
# and a TrueType CJK font (WenQuanYi Micro Hei) that the PDF reports embed.
SYSTEM_PACKAGES := fonts-noto-cjk fonts-wqy-microhei libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 libpulse0 \
	libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
	libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1

ARGS ?=

.PHONY: demo test lint bench screenshots translations system clean demo-city fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Installs what is missing, when we may (root with apt-get); otherwise says what to install.
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done 2>/dev/null); \
	if [ -z "$$missing" ] || ! command -v dpkg >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing system packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "note: install these system packages for Qt and Chinese text: $$missing"; \
	fi

demo: $(STAMP) system
	$(BIN)/hall demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) system lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(ARGS)

# The wire fuzzer's long run against a hub process (tests/test_fuzz.py is its short run in `make test`).
fuzz: $(STAMP)
	$(BIN)/python tests/wirefuzz.py --frames 1000000 --seconds 900 $(ARGS)

bench: $(STAMP) system
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py $(ARGS)

screenshots: $(STAMP) system
	$(BIN)/hall demo --layout wall --seconds 20 --screenshot screenshots
	$(BIN)/hall demo --layout desk --seconds 20 --screenshot screenshots

translations: $(STAMP)
	$(BIN)/pyside6-lupdate console/*.py widgets/*.py -ts resources/i18n/hall_zh_CN.ts -no-obsolete
	$(BIN)/pyside6-lrelease resources/i18n/hall_zh_CN.ts -qm resources/i18n/hall_zh_CN.qm

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The demo city folder shipped in resources/ is generated; tests/test_citygen.py holds it to the generator.
demo-city: $(STAMP)
	$(BIN)/python -m feeds.sim.citygen resources/cities/demo --name 滨江市 --name-en Binjiang --code 320100 --plate-prefix 苏A
