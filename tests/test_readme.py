"""The README is the front door: its Python example must run as printed."""

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no Python example"
    for block in blocks:
        namespace = {}
        exec(compile(block, "README.md", "exec"), namespace)
        if "model" in namespace and "attention" in namespace:
            assert tuple(namespace["model"].output.shape) == (None, 10, 13)
            assert tuple(namespace["attention"].output.shape) == (None, 10, None)
