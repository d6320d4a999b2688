"""The chapters run, under nbval, in the reader's environment: the package and its declared dependencies only.

`make test` builds that environment (.venv-reader: a regular `pip install ".[tensorflow,tasks]"`: TensorFlow,
which Colab comes with, and the extra that chapter 08's first cell installs too, plus ipykernel to run notebooks, like a Colab reader after a chapter's first cell) and tells pytest the name of its kernel. This test
starts that kernel and checks where its Python and package come from, and that no test or book tool is there.
"""

import json
import os
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
KERNEL = os.environ.get("LSTM_ATTENTION_READER_KERNEL")
WHERE_AM_I = """\
import importlib.util, json, sys
import lstm_attention
print(json.dumps({
    "prefix": sys.prefix,
    "package": lstm_attention.__file__,
    "tools": [name for name in ("pytest", "nbval", "nbdev", "sphinx", "selenium") if importlib.util.find_spec(name)],
}))
"""


@pytest.mark.skipif(
    KERNEL is None, reason="run by `make test`, which builds the reader's environment"
)
def test_the_chapters_kernel_has_the_installed_package_and_no_extras():
    manager, client = start_new_kernel(kernel_name=KERNEL)
    try:
        printed = []
        client.execute_interactive(
            WHERE_AM_I,
            timeout=120,
            output_hook=lambda msg: (
                printed.append(msg["content"].get("text", ""))
                if msg["msg_type"] == "stream"
                else None
            ),
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    where = json.loads("".join(printed))
    venv = (ROOT / ".venv-reader").resolve()
    assert Path(where["prefix"]).resolve() == venv, where
    assert Path(where["package"]).resolve().is_relative_to(venv / "lib"), (
        f"not the installed package: {where}"
    )
    assert where["tools"] == [], (
        f"the reader's kernel can import test or book tools: {where}"
    )
