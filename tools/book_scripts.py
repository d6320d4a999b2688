"""A Sphinx extension for the book (listed under `sphinx: local_extensions` in `_config.yml`): write each
inline script into a page once, and number each chapter's figures after its chapter.

Sphinx 7 (7.3 and 7.4, the versions jupyter-book 1 allows) adds the scripts that extensions register after
the builder has started a second time when it starts writing, as `''` instead of `None`, so they no longer
compare equal to the first copies. sphinx-thebe's `const THEBE_JS_URL = ...` then appears twice in every
page, and the second copy fails in the reader's browser with "Identifier 'THEBE_JS_URL' has already been
declared" (sphinx-togglebutton's `var togglebuttonSelector` repeats too, harmlessly). `make test-book`
checks that the browser console stays free of errors.
"""

from __future__ import annotations

import re

# chapters/06_decoder -> 6; the intro and the back matter have no chapter number.
CHAPTER = re.compile(r"(?:^|/)(\d+)_[^/]*$")


def number_figures_by_chapter(app, env) -> list[str]:
    """Figures, tables and code listings numbered "6.1", "6.2", ... in chapter 6, and "1", "2", ... on pages
    without a chapter number.

    Sphinx numbers them through the book ("Fig. 2" for the first figure of chapter 1, after the intro's), or by
    section numbers that the chapters' titles already carry. This runs after Sphinx has assigned its numbers
    (`env-get-updated`) and renumbers each page's figures in their order on the page; references such as
    {numref} use the same numbers.
    """
    for docname, by_type in env.toc_fignumbers.items():
        match = CHAPTER.search(docname)
        for numbers in by_type.values():
            in_order = sorted(numbers, key=lambda figure_id: numbers[figure_id])
            for index, figure_id in enumerate(in_order, start=1):
                numbers[figure_id] = (int(match[1]), index) if match else (index,)
    return []


def _key(script) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return filename, tuple(
        sorted((name, str(value)) for name, value in attributes.items())
    )


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    # Late, so that the scripts other extensions add for this page are in the list too.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    # After Sphinx's own TocTreeCollector (priority 500) has numbered the figures.
    app.connect("env-get-updated", number_figures_by_chapter, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
