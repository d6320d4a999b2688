"""`src/lstm_attention/` must be exactly what `make sync` writes from the chapters' `#| export` cells."""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402  (tools/chapters.py, the exporter `make sync` runs)


def test_src_is_what_the_chapters_export(tmp_path):
    # Same layout as the repository, so nbdev writes the same relative paths into each module's header.
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    expected = chapters.export_chapters(
        tmp_path / "chapters", tmp_path / "src" / "lstm_attention"
    )
    actual = chapters.generated_modules(ROOT / "src" / "lstm_attention")
    assert expected, "no chapter exported anything"
    assert sorted(actual) == sorted(expected), (
        "modules in src/ differ from the chapters': run `make sync`"
    )
    for name, text in expected.items():
        assert actual[name] == text, (
            f"src/lstm_attention/{name} differs from its chapter: run `make sync`"
        )


def test_every_module_but_the_init_files_is_generated():
    package = ROOT / "src" / "lstm_attention"
    modules = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if p.name != "__init__.py"
    }
    assert modules == set(chapters.generated_modules(package))
