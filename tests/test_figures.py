"""The picture of the decoder step is drawn by tools/architecture.py: the files in images/ are what it draws."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location(
    "architecture", ROOT / "tools" / "architecture.py"
)
architecture = importlib.util.module_from_spec(spec)
sys.modules["architecture"] = architecture  # its dataclasses look themselves up there
spec.loader.exec_module(architecture)


def test_the_stored_pictures_are_what_make_figures_draws(tmp_path):
    written = architecture.write_figures(tmp_path)
    assert [path.name for path in written] == [
        *architecture.FIGURES,
        *architecture.OTHER_FIGURES,
    ]
    stale = [
        path.name
        for path in written
        if path.read_bytes() != (ROOT / "images" / path.name).read_bytes()
    ]
    assert not stale, (
        f"images/ differs from tools/architecture.py for {stale}: run `make figures`"
    )


def test_the_chapter_pictures_use_the_highlight_colour_and_each_is_different():
    highlight = architecture.HIGHLIGHT["edge"].encode()
    whole = (ROOT / "images" / "architecture.svg").read_bytes()
    assert highlight not in whole, "the whole picture highlights nothing"
    names = [name for name in architecture.FIGURES if name != "architecture.svg"]
    pictures = {name: (ROOT / "images" / name).read_bytes() for name in names}
    assert all(highlight in picture for picture in pictures.values())
    assert len(set(pictures.values())) == len(pictures), (
        "two chapters' pictures are the same"
    )


def test_every_picture_records_its_smallest_text_for_the_book_check():
    """Their glyphs are paths, so `make test-book` reads the smallest font size from the description."""
    for name in [*architecture.FIGURES, *architecture.OTHER_FIGURES]:
        picture = (ROOT / "images" / name).read_text(encoding="utf-8")
        assert "<dc:description>smallest font size: " in picture, name
