# The two commands a newcomer needs: `make book` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_CHECK_STAMP := $(VENV)/.installed-book-check
# `make test-book` installs Debian's chromium and chromium-driver when they are missing (as root in CI).
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
# Less TensorFlow chatter in the terminal; stored notebook outputs are kept clean by tests/ipython/.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help book test test-book chromium sync outputs bench clean

help:
	@echo "make book     build the HTML book into _build/html (from the stored notebook outputs)"
	@echo "make test     unit tests, src/ in sync with the chapters, every chapter re-run under nbval"
	@echo "make test-book  the built book in headless Chromium, every chapter run in a clean environment (slow)"
	@echo "make sync     regenerate src/lstm_attention/ from the chapters' #| export cells"
	@echo "make outputs  re-run every chapter in a fresh kernel and store its outputs (NB=chapters/x.ipynb for one)"
	@echo "make bench    speed and memory benchmarks, written to benchmarks/RESULTS.md"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test]"
	touch $@

book: $(STAMP)
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo
	@echo "The book is at $(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest tests chapters --ignore=tests/book --nbval --nbval-current-env --nbval-cell-timeout=600 -p no:cacheprovider

$(BOOK_CHECK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[book,test,book-check]"
	touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "installing Debian's chromium and chromium-driver"; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	fi

# The reader's view (tests/book/): every page of the freshly built book in headless Chromium (equations, figures,
# links, Colab buttons, console), screenshots in _build/screenshots/, and every chapter run in a new virtual
# environment that has only the package and its dependencies. Not part of `make test`: it takes minutes.
test-book: $(BOOK_CHECK_STAMP) chromium book
	$(BIN)/python -m pytest tests/book -p no:cacheprovider --durations=0

sync: $(STAMP)
	$(BIN)/python tools/chapters.py sync

outputs: $(STAMP)
	$(BIN)/python tools/chapters.py outputs $(NB)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .pytest_cache
