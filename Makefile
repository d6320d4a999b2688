# The two commands a newcomer needs: `make book` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_CHECK_STAMP := $(VENV)/.installed-book-check
# The reader's environment: only the package (a regular install, with the `tasks` extra that chapters' Colab
# cells install too) and its declared dependencies, plus ipykernel to run notebooks: what a Colab reader has after
# a chapter's first cell. nbval runs the chapters there.
READER_VENV   := .venv-reader
READER_STAMP  := $(READER_VENV)/.installed
READER_KERNEL := lstm-attention-reader
# `make test-book` installs Debian's chromium and chromium-driver when they are missing (as root in CI).
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
# Less TensorFlow chatter in the terminal; stored notebook outputs are kept clean by tests/ipython/.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help book test test-book chromium sync outputs figures checkpoint bench clean

help:
	@echo "make book     build the HTML book into _build/html (from the stored notebook outputs)"
	@echo "make test     unit tests, src/ in sync with the chapters, every chapter re-run under nbval in the reader's environment"
	@echo "make test-book  the built book checked page by page in headless Chromium"
	@echo "make sync     regenerate src/lstm_attention/ from the chapters' #| export cells"
	@echo "make outputs  re-run the intro and every chapter in a fresh kernel, store their outputs (NB=chapters/x.ipynb for one)"
	@echo "make figures  redraw the picture of the decoder step, images/architecture*.svg, from tools/architecture.py"
	@echo "make checkpoint  retrain chapter 08's dates model and store it in the package (src/lstm_attention/tasks/)"
	@echo "make bench    speed and memory benchmarks, written to benchmarks/RESULTS.md"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[tasks,book,test]"
	touch $@

book: $(STAMP)
	rm -rf _build/html _build/.doctrees
	$(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo
	@echo "The book is at $(CURDIR)/_build/html/index.html"

$(READER_STAMP): pyproject.toml constraints.txt
	rm -rf $(READER_VENV)
	$(PYTHON) -m venv $(READER_VENV)
	$(READER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(READER_VENV)/bin/python -m pip install --quiet -c constraints.txt ".[tasks]" ipykernel
	$(READER_VENV)/bin/python -m ipykernel install --prefix $(READER_VENV) --name $(READER_KERNEL) > /dev/null
	touch $@

# Unit tests run in .venv; the chapters run under nbval in the reader's environment, with the package
# reinstalled from the working tree first so that they always run the current src/.
test: $(STAMP) $(READER_STAMP)
	$(READER_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall .
	JUPYTER_PATH=$(CURDIR)/$(READER_VENV)/share/jupyter LSTM_ATTENTION_READER_KERNEL=$(READER_KERNEL) \
	$(BIN)/python -m pytest tests intro.ipynb chapters --ignore=tests/book --nbval --nbval-kernel-name $(READER_KERNEL) \
		--nbval-cell-timeout=600 -p no:cacheprovider --durations=10

$(BOOK_CHECK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[tasks,book,test,book-check]"
	touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		echo "installing Debian's chromium and chromium-driver"; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	fi

# The reader's view (tests/book/): every page of the freshly built book in headless Chromium (equations, figures,
# links, Colab buttons, console), with screenshots in _build/screenshots/. Not part of `make test`: it needs a
# browser. (That every chapter runs with only the package's declared dependencies is checked by `make test`.)
test-book: $(BOOK_CHECK_STAMP) chromium book
	$(BIN)/python -m pytest tests/book -p no:cacheprovider --durations=0

sync: $(STAMP)
	$(BIN)/python tools/chapters.py sync

outputs: $(STAMP)
	$(BIN)/python tools/chapters.py outputs $(NB)

# The picture of one decoder step (the intro's, and chapters 01-05's with their piece highlighted).
figures: $(STAMP)
	$(BIN)/python tools/architecture.py images

# The trained dates model that the package ships, made by chapter 08's own functions with fixed seeds.
checkpoint: $(STAMP)
	$(BIN)/python tools/make_checkpoint.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .pytest_cache build
