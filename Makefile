# The two commands a newcomer needs: `make book` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Less TensorFlow chatter in the terminal; stored notebook outputs are kept clean by tests/ipython/.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help book test sync outputs bench clean

help:
	@echo "make book     build the HTML book into _build/html (from the stored notebook outputs)"
	@echo "make test     unit tests, src/ in sync with the chapters, every chapter re-run under nbval"
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
	$(BIN)/python -m pytest tests chapters --nbval --nbval-current-env --nbval-cell-timeout=600 -p no:cacheprovider

sync: $(STAMP)
	$(BIN)/python tools/chapters.py sync

outputs: $(STAMP)
	$(BIN)/python tools/chapters.py outputs $(NB)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .pytest_cache
