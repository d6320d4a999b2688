"""Every chapter runs top to bottom with nothing but the package and its declared dependencies installed: the
situation of a Colab reader once the chapter's first cell has installed the package.

The environment is a new virtual environment with a regular (not editable) `pip install` of the repository,
no extras, plus ipykernel, the notebook front end's half that runs in the environment (Colab has its own).
nbclient in the outer environment starts that environment's python as the kernel, through a kernelspec
installed into the new environment's prefix; the test checks the kernel's `sys.executable` and where it
imports `lstm_attention` from. The chapters' outputs are not compared here (`make test` does that).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from book_pages import NOTEBOOKS, ROOT

KERNEL_NAME = "lstm-attention-clean"
# Run first in each chapter's kernel, and printed as JSON: where the kernel's python and package come from.
WHERE_AM_I = """\
import importlib.util, json, sys
import lstm_attention
print(json.dumps({
    "executable": sys.executable,
    "prefix": sys.prefix,
    "package": lstm_attention.__file__,
    "test_tools": [name for name in ("pytest", "nbval", "nbdev", "sphinx") if importlib.util.find_spec(name)],
}))
"""


def run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def clean_environment():
    """A new virtual environment with `pip install <repository>` (no extras) and ipykernel.

    It lives in _build/clean-environment/ and is replaced by the next run rather than removed at the end:
    deleting TensorFlow's thousands of files takes over a minute on CI's two cores, for a machine about to go.
    """
    workdir = ROOT / "_build" / "clean-environment"
    shutil.rmtree(workdir, ignore_errors=True)
    source, venv = workdir / "source", workdir / "venv"
    # pip builds a local directory in place (build/, *.egg-info), so it builds a copy of what the package is
    # made of: the files at the top of the repository (pyproject.toml, README.md, LICENSE) and src/.
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for path in ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, source / path.name)
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    # --no-compile: no .pyc for TensorFlow's thousands of modules up front; the kernel compiles what it imports.
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    run(pip + [str(source)])
    run(pip + ["ipykernel"])
    run([str(python), "-m", "ipykernel", "install", "--prefix", str(venv), "--name", KERNEL_NAME])
    return venv


def kernel_environment() -> dict[str, str]:
    """The outer environment, less anything that would point the kernel at the outer .venv or at src/."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    # The IPython profile of tools/chapters.py and nbval: TensorFlow's C++ start-up logging stays out of outputs.
    env["IPYTHONDIR"] = str(ROOT / "tests" / "ipython")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def test_the_clean_environment_has_the_package_and_its_dependencies_but_no_extras(clean_environment):
    python = clean_environment / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True
    )
    installed = {package["name"].lower() for package in json.loads(result.stdout)}
    assert {"lstm-attention", "keras", "tensorflow", "numpy", "matplotlib", "ipykernel"} <= installed
    assert not installed & {"pytest", "nbval", "nbdev", "jupyter-book", "sphinx", "selenium"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_chapter_runs_top_to_bottom_in_the_clean_environment(clean_environment, notebook, tmp_path):
    # Run a copy of the chapters folder, so that whatever a chapter writes (a saved model, say) lands there.
    chapters = tmp_path / "chapters"
    shutil.copytree(notebook.parent, chapters, ignore=shutil.ignore_patterns("*.keras", ".ipynb_checkpoints"))
    nb = nbformat.read(chapters / notebook.name, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(WHERE_AM_I))

    specs = KernelSpecManager(kernel_dirs=[str(clean_environment / "share" / "jupyter" / "kernels")])
    kernel = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
    client = NotebookClient(
        nb, km=kernel, timeout=900, record_timing=False, resources={"metadata": {"path": str(chapters)}}
    )
    client.execute(env=kernel_environment())  # raises CellExecutionError, with the cell, if a cell fails

    where = json.loads("".join(output.get("text", "") for output in nb.cells[0].outputs))
    venv = clean_environment.resolve()
    assert Path(where["executable"]).parent.parent.resolve() == venv, where
    assert Path(where["prefix"]).resolve() == venv, where
    assert Path(where["package"]).resolve().is_relative_to(venv / "lib"), f"not the installed package: {where}"
    assert where["test_tools"] == [], f"the kernel can import test tools: {where}"
