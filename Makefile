# The two commands a newcomer needs: `make book` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_CHECK_STAMP := $(VENV)/.installed-book-check
# The reader's environment: only the package (a regular install, with TensorFlow, the backend the chapters
# use and Colab has, and the `tasks` extra that chapters' Colab cells install too) and its declared dependencies, plus ipykernel to run notebooks: what a Colab reader has after
# a chapter's first cell. nbval runs the chapters there.
READER_VENV   := .venv-reader
READER_STAMP  := $(READER_VENV)/.installed
READER_KERNEL := lstm-attention-reader
# `make test-book` installs Debian's chromium and chromium-driver when they are missing (as root in CI).
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
# Less TensorFlow chatter in the terminal; stored notebook outputs are kept clean by tests/ipython/.
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help book test test-torch test-keras-min test-book chromium check lint format sync outputs figures checkpoint bench clean

help:
	@echo "make book     build the HTML book into _build/html (from the stored notebook outputs)"
	@echo "make test     unit tests on JAX, then on TensorFlow with src/ in sync with the chapters and every chapter re-run under nbval in the reader's environment"
	@echo "make check    the maintainers' quick loop: ruff lint and format check, unit tests on TensorFlow, the sync check"
	@echo "make lint     ruff check and ruff format --check on every Python file"
	@echo "make format   ruff: fix what the lint can fix and format every Python file"
	@echo "make test-torch  the unit tests under the PyTorch backend, in .venv-torch (installs torch==2.13.0; not in CI)"
	@echo "make test-keras-min  the unit tests (JAX) with the lowest keras that pyproject.toml allows, in /tmp (not in CI)"
	@echo "make test-book  the built book checked page by page in headless Chromium"
	@echo "make sync     regenerate src/lstm_attention/ from the chapters' #| export cells"
	@echo "make outputs  re-run the intro and every chapter in a fresh kernel, store their outputs (NB=chapters/x.ipynb for one)"
	@echo "make figures  redraw the picture of the decoder step, images/architecture*.svg, from tools/architecture.py"
	@echo "make checkpoint  retrain chapter 08's dates model and store it in the package (src/lstm_attention/tasks/)"
	@echo "make bench    speed, memory and repeated prediction-latency benchmarks (BACKEND=tensorflow or jax), written to benchmarks/results/"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[tensorflow,tasks,book,test]"
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
	$(READER_VENV)/bin/python -m pip install --quiet -c constraints.txt ".[tensorflow,tasks]" ipykernel
	$(READER_VENV)/bin/python -m ipykernel install --prefix $(READER_VENV) --name $(READER_KERNEL) > /dev/null
	touch $@

# Unit tests run in .venv, under TensorFlow and again under JAX (the package is backend-neutral; the chapters
# are TensorFlow's); the chapters run under nbval in the reader's environment, with the package reinstalled
# from the working tree first so that they always run the current src/.
UNIT_TESTS := $(BIN)/python -m pytest tests --ignore=tests/book -p no:cacheprovider
test: $(STAMP) $(READER_STAMP)
	KERAS_BACKEND=jax $(UNIT_TESTS) --durations=5
	$(READER_VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall .
	JUPYTER_PATH=$(CURDIR)/$(READER_VENV)/share/jupyter LSTM_ATTENTION_READER_KERNEL=$(READER_KERNEL) \
	KERAS_BACKEND=tensorflow $(BIN)/python -m pytest tests intro.ipynb chapters --ignore=tests/book --nbval \
		--nbval-kernel-name $(READER_KERNEL) --nbval-cell-timeout=600 -p no:cacheprovider --durations=10

# The maintainers' inner loop (no chapters): ruff, then the unit tests on TensorFlow, the sync check among them.
# Ruff reads every Python file of the repository (src, tests, tools, benchmarks, experiments, conftest.py and
# any added later); pyproject.toml leaves out the notebooks, whose exported code it reads in src/.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: lint
	KERAS_BACKEND=tensorflow $(UNIT_TESTS) -q -x

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The unit tests under PyTorch. Not part of `make test`: PyTorch from PyPI is a CUDA build of several GB. On the
# book's CI machines `pip install torch==2.13.0` takes a CPU build that lies on disk; elsewhere it downloads one.
TORCH_VENV := .venv-torch
$(TORCH_VENV)/.installed: pyproject.toml constraints.txt
	rm -rf $(TORCH_VENV)
	$(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TORCH_VENV)/bin/python -m pip install --quiet torch==2.13.0
	$(TORCH_VENV)/bin/python -m pip install --quiet -c constraints.txt -e ".[torch,test,tasks]"
	touch $@

test-torch: $(TORCH_VENV)/.installed
	KERAS_BACKEND=torch $(TORCH_VENV)/bin/python -m pytest tests --ignore=tests/book -p no:cacheprovider --durations=5

# The unit tests with the lowest keras that pyproject.toml declares (keras>=X), on JAX, in a throwaway venv
# under /tmp: that the lower bound is true. Not part of `make test`: slow, since it installs a fresh
# environment and runs every unit test. The chapter and sync tests are left out:
# they need the book's own versions.
KERAS_MIN_VENV := /tmp/lstm-attention-keras-min
KERAS_MIN := $(shell sed -n 's/^ *"keras>=\([0-9.]*\)",*$$/\1/p' pyproject.toml)
test-keras-min:
	rm -rf $(KERAS_MIN_VENV)
	$(PYTHON) -m venv $(KERAS_MIN_VENV)
	$(KERAS_MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(KERAS_MIN_VENV)/bin/python -m pip install --quiet -c constraints.txt "jax[cpu]" pytest pyyaml psutil
	$(KERAS_MIN_VENV)/bin/python -m pip install --quiet "keras==$(KERAS_MIN)" -e ".[tasks]"
	$(KERAS_MIN_VENV)/bin/python -c "import keras; assert keras.__version__ == '$(KERAS_MIN)', keras.__version__"
	KERAS_BACKEND=jax $(KERAS_MIN_VENV)/bin/python -m pytest tests --ignore=tests/book -p no:cacheprovider -q \
		--ignore=tests/test_sync.py --ignore=tests/test_chapters.py --ignore=tests/test_reader_environment.py

$(BOOK_CHECK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[tensorflow,tasks,book,test,book-check]"
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

# `make bench BACKEND=jax` for JAX. The figures are ratios between variants run in one process.
BACKEND ?= tensorflow
bench: $(STAMP)
	KERAS_BACKEND=$(BACKEND) $(BIN)/python benchmarks/run.py
	KERAS_BACKEND=$(BACKEND) $(BIN)/python benchmarks/latency.py

clean:
	rm -rf _build .pytest_cache build
