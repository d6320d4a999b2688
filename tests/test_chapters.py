"""The chapters as files: Colab-ready, listed in the book, run in order from a fresh kernel, clean outputs."""

import ast
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# The intro is a notebook too (its heatmap is a real output, checked by nbval), so the same rules hold for it.
NOTEBOOKS = [ROOT / "intro.ipynb", *sorted((ROOT / "chapters").glob("*.ipynb"))]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def code_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [
        c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]


def test_there_are_chapters():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_the_package_from_the_configured_repository_only_in_colab(
    path,
):
    repository = CONFIG["repository"]["url"].rstrip("/")
    first = "".join(code_cells(path)[0]["source"])
    assert 'if "google.colab" in sys.modules:' in first
    urls = re.findall(r"git\+(https://\S+?)[\"'\s]", first + "\n")
    assert urls == [repository], (
        f"the Colab cell installs from {urls}, _config.yml names {repository}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_is_in_the_table_of_contents(path):
    toc = (ROOT / "_toc.yml").read_text()
    if path.parent == ROOT:
        assert yaml.safe_load(toc)["root"] == path.stem
    else:
        assert f"file: chapters/{path.stem}\n" in toc


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_was_run_top_to_bottom_in_a_fresh_kernel_with_fixed_seeds(path):
    cells = code_cells(path)
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    # The setup cell (a chapter's `#| default_exp` cell; the intro's second cell) fixes the seeds. A chapter
    # may show its result before it, drawn from stored results or the shipped model.
    setup = next(
        (c for c in cells if "#| default_exp" in "".join(c["source"])), cells[1]
    )
    assert "keras.utils.set_random_seed(" in "".join(setup["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_have_no_errors_or_tensorflow_start_up_noise(path):
    for cell in code_cells(path):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", "".join(cell["source"])[:80]
            text = "".join(output.get("text", ""))
            for noise in (
                "absl::InitializeLog",
                "cuda",
                "oneDNN",
                "cpu_feature_guard",
                "I0000",
                "E0000",
            ):
                assert noise not in text, (
                    f"{path.name} stores TensorFlow start-up output: {text[:200]}"
                )


def module_level_names(source):
    """The names a cell binds at the notebook's top level (not inside a function or class)."""
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    names, todo = set(), list(ast.parse(code).body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        if not isinstance(node, (ast.Lambda, ast.comprehension, ast.GeneratorExp)):
            todo.extend(ast.iter_child_nodes(node))
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_later_cell_rebinds_the_name_of_the_readers_exercise(path):
    # The reader may run the exercise's check again after the whole page: the name it checks must still be
    # the reader's function, not a layer or a tensor the page made later under the same name.
    cells = code_cells(path)
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        stub = re.match(
            r"def (\w+)\(.*\n(?:.*\n)*?\s+raise NotImplementedError", source
        )
        if stub is None:
            continue
        name = stub.group(1)
        for later in cells[i + 1 :]:
            assert name not in module_level_names("".join(later["source"])), (
                f"{path.name}: a later cell rebinds `{name}`, the exercise's function: "
                + "".join(later["source"])[:120]
            )


# The width ruff holds the package to, read from pyproject.toml. A chapter's code at this width fits the book's
# code column at 1280 px without a sideways scroll; tests/book measures the built page itself, and this check
# catches a long line in `make test` before the book is built.
LINE_LENGTH = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"][
    "line-length"
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_code_line_is_wider_than_the_packages_line_length(path):
    long_lines = [
        f"cell {cell.get('id')}: {len(line)} characters: {line.strip()[:60]}"
        for cell in code_cells(path)
        for line in "".join(cell["source"]).splitlines()
        if len(line) > LINE_LENGTH
    ]
    assert not long_lines, (
        f"{path.name}: code lines over {LINE_LENGTH} characters: {long_lines}"
    )
