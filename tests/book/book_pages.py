"""What the reader's-view tests share: where the built book is, its pages (from `_toc.yml`), the browser."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# This machine reaches no network but the package registries: without these flags Chromium keeps trying to
# reach Google's services (sync, component updates, QUIC probes) and stalls on the refused connections.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,1000",
    "--force-device-scale-factor=1",
]


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every `file:` of the table of contents, root first, in reading order, without its suffix."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "glob" in node:
                raise ValueError(
                    f"_toc.yml uses `glob: {node['glob']}`; list the files so the book tests see them"
                )
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return [re.sub(r"\.(md|ipynb|rst)$", "", name) for name in files]


def notebook_of(page: str) -> Path | None:
    """The chapter notebook a page is built from, or None for a Markdown page."""
    path = ROOT / f"{page}.ipynb"
    return path if path.exists() else None


PAGES = toc_files()
NOTEBOOKS = [notebook_of(page) for page in PAGES if notebook_of(page)]
