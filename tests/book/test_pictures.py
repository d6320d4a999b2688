"""The picture of the decoder step as a reader sees it, in the book's light theme and in its dark theme.

The intro shows the whole step (images/architecture.svg); each of chapters 01-05 opens with the same picture,
its own piece highlighted (images/architecture-0N.svg: the "you are here" picture). For the intro and for the
first chapter that has one, in both themes, the picture must be loaded, shown at a readable size, and drawn
in dark ink on a light ground in the light theme, in light ink on a dark ground in the dark theme (the book's
CSS inverts the lightness of figures there, keeping their hues, instead of showing them on a bright panel).
Screenshots land in _build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import io
import re

import pytest
from book_pages import HTML, PAGES, SCREENSHOTS

THEMES = ("light", "dark")
INTRO_PICTURE = re.compile(r"(^|/)architecture\.svg$")
CHAPTER_PICTURE = re.compile(r"(^|/)architecture-0\d\.svg$")

# pydata-sphinx-theme reads the reader's choice from localStorage["mode"] when a page loads, and sets
# <html data-theme="light|dark">; the theme switcher stores the same key.
SET_MODE_SCRIPT = 'localStorage.setItem("mode", arguments[0]); localStorage.setItem("theme", arguments[0]);'
CLEAR_MODE_SCRIPT = 'localStorage.removeItem("mode"); localStorage.removeItem("theme");'

# Finds the picture, scrolls it into view below the sticky header, and reports what the reader gets.
PICTURE_REPORT_SCRIPT = """
const pattern = new RegExp(arguments[0]);
const image = Array.from(document.images).find((img) => pattern.test(img.getAttribute('src') || ''));
if (!image) { return null; }
window.scrollTo(0, image.getBoundingClientRect().top + window.scrollY - 90);
const box = image.getBoundingClientRect();
const style = getComputedStyle(image);
return {
  theme: document.documentElement.dataset.theme,
  src: image.getAttribute('src'),
  complete: image.complete,
  naturalWidth: image.naturalWidth,
  width: box.width,
  height: box.height,
  top: box.top,
  bottom: box.bottom,
  viewportHeight: window.innerHeight,
  display: style.display,
  visibility: style.visibility,
  opacity: parseFloat(style.opacity),
  columnWidth: image.closest('article, main, .bd-article').getBoundingClientRect().width,
};
"""


def page_with_picture(pattern: re.Pattern, pages: list[str]) -> str | None:
    """The first page, in reading order, whose built HTML embeds a picture whose file name matches."""
    for page in pages:
        path = HTML / f"{page}.html"
        if not path.exists():  # the book is not built: the `built_book` fixture says so
            continue
        sources = re.findall(
            r'<img[^>]*\ssrc="([^"]+)"', path.read_text(encoding="utf-8")
        )
        if any(pattern.search(src) for src in sources):
            return page
    return None


def ink_and_ground(png: bytes, theme: str = "light") -> tuple[float, float]:
    """The shares of ink pixels (lines and text) and of ground pixels in a screenshot: dark ink on a light
    ground in the light theme, light ink on a dark ground in the dark theme."""
    from PIL import Image

    gray = Image.open(io.BytesIO(png)).convert("L")
    histogram = gray.histogram()
    total = sum(histogram)
    dark, light = sum(histogram[:110]) / total, sum(histogram[146:]) / total
    if theme == "dark":
        return light, sum(histogram[:56]) / total
    return dark, sum(histogram[200:]) / total


def pictures() -> list[tuple[str, str, str]]:
    chapter = page_with_picture(CHAPTER_PICTURE, PAGES[1:])
    cases = [("intro", PAGES[0], INTRO_PICTURE.pattern)]
    cases.append(
        (
            "chapter",
            chapter or "(no chapter embeds images/architecture-0N.svg)",
            CHAPTER_PICTURE.pattern,
        )
    )
    return cases


CASES = pictures()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize(
    ("name", "page", "pattern"), CASES, ids=[case[0] for case in CASES]
)
def test_the_decoder_step_picture_is_loaded_and_legible_in_both_themes(
    built_book, browser, book_url, name, page, pattern, theme
):
    assert not page.startswith("("), (
        f"no chapter page shows its 'you are here' picture: {page}"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        browser.get(f"{book_url}{page}.html")
        browser.execute_script(SET_MODE_SCRIPT, theme)
        browser.refresh()
        report = browser.execute_script(PICTURE_REPORT_SCRIPT, pattern)
        assert report is not None, f"{page} shows no picture matching {pattern}"
        assert report["theme"] == theme, (
            f"asked for the {theme} theme, the page has {report['theme']}"
        )
        assert report["complete"] and report["naturalWidth"] > 0, (
            f"{report['src']} did not load on {page}"
        )
        assert (
            report["display"] != "none"
            and report["visibility"] == "visible"
            and report["opacity"] > 0.9
        )
        # Readable: it fills most of the text column, and it is on screen whole after scrolling to it.
        assert report["width"] >= 0.8 * report["columnWidth"], report
        assert (
            report["height"] > 250
            and 0 <= report["top"]
            and report["bottom"] <= report["viewportHeight"]
        ), report
        path = SCREENSHOTS / f"{name}-picture-{theme}.png"
        assert browser.save_screenshot(str(path)), path
        # Legible: the picture itself, as the browser paints it in this theme, is dark ink on a light ground
        # (light ink on a dark ground in the dark theme).
        image = next(
            img
            for img in browser.find_elements("tag name", "img")
            if re.search(pattern, img.get_attribute("src") or "")
        )
        # (A picture with its piece highlighted has less dark ink: the rest is muted on purpose. Blank, all
        # muted, or drawn on a ground of the wrong lightness for the theme, it fails.)
        ink, ground = ink_and_ground(image.screenshot_as_png, theme)
        assert ink > 0.003 and ground > 0.6, (
            f"{page} in the {theme} theme: {ink:.2%} ink, {ground:.1%} ground"
        )
    finally:
        browser.execute_script(CLEAR_MODE_SCRIPT)
