"""How long each page of the book takes to run top to bottom, in a fresh kernel of the reader's environment.

    nice -n 5 .venv/bin/python benchmarks/page_times.py

Runs the introduction and every chapter notebook, in the book's order (`_toc.yml`), the way `make test` runs
them under nbval: a fresh kernel `lstm-attention-reader` of `.venv-reader` (the package with its declared
dependencies and its `tensorflow` and `tasks` extras only, plus ipykernel), with the TensorFlow backend.
Each page runs in a temporary copy of the repository's `intro.ipynb`, `chapters/`, `images/` and
`benchmarks/results/` (which the intro reads), so the chapters in the working tree are never rewritten.
The clock covers the page from the kernel's start to its shutdown after the last cell. Writes
`benchmarks/results/page-times-<date>.md` with the processor, the number of cores, the load average before
and after each page, and the versions of the package, Keras and TensorFlow.

On a machine that runs other work at the same time the times are upper bounds for a quiet machine: the
load averages in the file say how busy it was. Install the current package into `.venv-reader` first
(`.venv-reader/bin/pip install --no-deps --force-reinstall .`), as `make test` does.
"""

from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
READER = ROOT / ".venv-reader"
sys.path[:0] = [str(ROOT / "experiments"), str(ROOT / "tests" / "book")]
from book_pages import toc_files  # noqa: E402  the book tests' reading of _toc.yml
from common import load_average, processor  # noqa: E402  the processor name the experiments record

KERNEL = "lstm-attention-reader"


def book_pages() -> list[str]:
    """The notebooks of the book, in the order of `_toc.yml` (markdown pages are skipped)."""
    return [f + ".ipynb" for f in toc_files() if (ROOT / (f + ".ipynb")).exists()]


def reader_versions() -> str:
    code = (
        "import importlib.metadata as m; "
        "print(', '.join(f'{p} {m.version(p)}' "
        "for p in ('lstm-attention', 'keras', 'tensorflow')))"
    )
    out = subprocess.run(
        [str(READER / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def run_page(page: str, workdir: Path) -> float:
    path = workdir / page
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name=KERNEL,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> int:
    os.environ["JUPYTER_PATH"] = str(READER / "share" / "jupyter")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
    pages = book_pages()
    started = datetime.datetime.now(datetime.UTC)
    rows = []
    with tempfile.TemporaryDirectory(prefix="page-times-") as tmp:
        workdir = Path(tmp)
        shutil.copy(ROOT / "intro.ipynb", workdir / "intro.ipynb")
        shutil.copytree(ROOT / "chapters", workdir / "chapters")
        shutil.copytree(ROOT / "images", workdir / "images")
        # the stored results the intro's hidden check reads
        shutil.copytree(
            ROOT / "benchmarks" / "results", workdir / "benchmarks" / "results"
        )
        for page in pages:
            before = load_average()
            print(f"running {page} (load {before})", flush=True)
            seconds = run_page(page, workdir)
            after = load_average()
            print(f"  {seconds:.1f} s (load {after})", flush=True)
            rows.append((page, seconds, before, after))
    minutes = (datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60
    lines = [
        f"# Page run times, {started:%Y-%m-%d}",
        "",
        "Each page of the book run top to bottom in a fresh kernel of the reader's environment",
        "(`.venv-reader`, TensorFlow backend), by `benchmarks/page_times.py`, one page after another.",
        "Other work on the machine slows the pages down: the load averages say how busy it was.",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; all pages took {minutes:.1f} min",
        f"- processor: {processor()}",
        f"- cores: {os.cpu_count()}",
        f"- Python {platform.python_version()}; {reader_versions()}",
        "",
        "| page | seconds | load average before (1, 5, 15 min) | load average after |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {p} | {s:.0f} | {b} | {a} |" for p, s, b, a in rows]
    out = ROOT / "benchmarks" / "results" / f"page-times-{started:%Y-%m-%d}.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
