"""A Sphinx extension for the book's API page (listed under `sphinx: local_extensions` in `_config.yml`).

The package's docstrings are written for `help()` and the chapters' code cells, in plain text: most of them
happen to be valid reStructuredText, which autodoc (after napoleon) renders, but an indented continuation
line or a `*` can make docutils warn, and the book is built with `--warningiserror`. Each docstring is parsed
first, quietly; one that would warn is shown as written, as a literal block, instead of failing the build.
"""

from __future__ import annotations

import re

import docutils.core
import docutils.nodes
import docutils.utils


def _warns(text: str) -> bool:
    settings = {"report_level": 5, "halt_level": 5, "warning_stream": False}
    try:
        tree = docutils.core.publish_doctree(text, settings_overrides=settings)
    except docutils.utils.SystemMessage:
        return True
    return any(
        message["level"] >= 2 for message in tree.findall(docutils.nodes.system_message)
    )


INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+)\$")


def verbatim_if_it_would_warn(app, what, name, obj, options, lines) -> None:
    # `$t$` in a docstring is maths, as in the chapters: typeset it, not shown as raw TeX.
    with_math = [INLINE_MATH.sub(r":math:`\1`", line) for line in lines]
    if not _warns("\n".join(with_math)):
        lines[:] = with_math
    elif lines and _warns("\n".join(lines)):
        lines[:] = ["::", ""] + [f"    {line}" if line else "" for line in lines] + [""]


def setup(app):
    # After napoleon (priority 500), which turns Google- and NumPy-style sections into reStructuredText.
    app.connect("autodoc-process-docstring", verbatim_if_it_would_warn, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
