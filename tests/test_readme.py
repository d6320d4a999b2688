"""The README is the front door, and docs/package.md the package's own page: their Python examples must run as
printed, and the package's page, shown by package indexes away from the repository, links absolutely."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGE_PAGE = (ROOT / "docs" / "package.md").read_text(encoding="utf-8")


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no Python example"
    for block in blocks:
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)
        if "model" in namespace and "attention" in namespace:
            assert tuple(namespace["model"].output.shape) == (None, 10, 11)
            assert tuple(namespace["attention"].output.shape) == (None, 10, None)


def test_the_package_page_is_the_packages_readme_and_links_absolutely():
    assert 'readme = "docs/package.md"' in (ROOT / "pyproject.toml").read_text()
    links = re.findall(r"\]\(([^)]+)\)", PACKAGE_PAGE)
    assert links and all(link.startswith("https://") for link in links), links


def test_the_package_page_python_examples_run_and_say_what_they_print():
    pytest.importorskip("babel")
    blocks = re.findall(r"```python\n(.*?)```", PACKAGE_PAGE, flags=re.S)
    assert len(blocks) == 2
    for block in blocks:
        namespace = {}
        exec(compile(block, "docs/package.md", "exec"), namespace)
        for line in block.splitlines():
            code, _, printed = line.partition("  # ")
            if printed.startswith(("[", "'")):  # an expression, and what it gives
                assert repr(eval(code, namespace)) == printed, line
