"""A Sphinx extension for the book (listed under `sphinx: local_extensions` in `_config.yml`): write each
inline script into a page once.

Sphinx 7 (7.3 and 7.4, the versions jupyter-book 1 allows) adds the scripts that extensions register after
the builder has started a second time when it starts writing, as `''` instead of `None`, so they no longer
compare equal to the first copies. sphinx-thebe's `const THEBE_JS_URL = ...` then appears twice in every
page, and the second copy fails in the reader's browser with "Identifier 'THEBE_JS_URL' has already been
declared" (sphinx-togglebutton's `var togglebuttonSelector` repeats too, harmlessly). `make test-book`
checks that the browser console stays free of errors.
"""

from __future__ import annotations


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
