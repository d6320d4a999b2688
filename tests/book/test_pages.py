"""Every page of the built book as a reader sees it in Chromium: equations typeset, figures loaded, links that
lead somewhere, the Colab button of each chapter, and a clean browser console."""

from __future__ import annotations

import html.parser
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from book_pages import CONFIG, PAGES, SCREENSHOTS, notebook_of

# Sphinx's own pages: reachable from every page (search box, index) but not in the table of contents.
SPHINX_PAGES = {"index", "genindex", "search"}
# Raw TeX that MathJax should have replaced: display and inline delimiters, environments, inline $...$.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\$[^$\s][^$\n]*\$")

# Runs in the page once it has loaded: waits for MathJax's first typesetting, then reports what is on it.
PAGE_REPORT_SCRIPT = """
const done = arguments[arguments.length - 1];
function report(mathjax) {
  const textOf = (root) => {
    const clone = root.cloneNode(true);
    clone.querySelectorAll('pre, code, script, style, textarea, mjx-container').forEach((e) => e.remove());
    return clone.textContent;
  };
  const mathElements = Array.from(document.querySelectorAll('.math'));
  done({
    mathjax: mathjax,
    mathElements: mathElements.length,
    mathElementsWithoutContainer: mathElements
      .filter((e) => e.querySelectorAll('mjx-container').length !== 1)
      .map((e) => e.textContent.slice(0, 120)),
    mathContainers: document.querySelectorAll('mjx-container').length,
    mathErrors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
      .map((e) => e.getAttribute('data-mjx-error') || e.textContent),
    visibleText: textOf(document.body),
    images: Array.from(document.images).map((img) => ({
      src: img.getAttribute('src'), complete: img.complete, naturalWidth: img.naturalWidth,
      inOutput: img.closest('.cell_output') !== null})),
    links: Array.from(document.querySelectorAll('a[href]')).map((a) => a.href),
    resources: Array.from(document.querySelectorAll('link[href], script[src], img[src]'))
      .map((e) => e.href || e.src),
    launchLinks: Array.from(document.querySelectorAll('.dropdown-launch-buttons a.dropdown-item'))
      .map((a) => ({text: a.textContent.trim(), href: a.getAttribute('href')})),
  });
}
if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
  window.MathJax.startup.promise.then(() => report('typeset'), (error) => report('failed: ' + error));
} else {
  report(window.MathJax && window.MathJax.version ? 'not started' : 'not loaded');
}
"""

# Scrolls to the heading of the section that holds the page's first displayed equation, below the sticky header.
SCROLL_TO_FIRST_EQUATION_SCRIPT = """
const equation = document.querySelector('div.math');
if (!equation) { return false; }
const section = equation.closest('section');
const heading = (section && section.querySelector('h1, h2, h3, h4')) || equation;
window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - 80);
return true;
"""

_reports: dict[str, dict] = {}


@pytest.fixture
def visit(browser, book_url):
    """Open a page of the book (its docname, e.g. `chapters/01_alignment`) once; return what was on it."""

    def visit_page(page: str) -> dict:
        if page not in _reports:
            browser.get_log("browser")  # empty the console log of the pages before
            browser.get(f"{book_url}{page}.html")
            report = browser.execute_async_script(PAGE_REPORT_SCRIPT)
            report["console"] = browser.get_log("browser")
            report["url"] = f"{book_url}{page}.html"
            _reports[page] = report
        return _reports[page]

    return visit_page


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if (
            tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh"
        ):  # index.html -> intro.html
            self.links.append((attrs.get("content") or "").partition("url=")[2])


_fetched: dict[str, tuple[int, bytes]] = {}


def fetch(url: str) -> tuple[int, bytes]:
    """GET a URL of the local server: (status, body), cached."""
    if url not in _fetched:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                _fetched[url] = (response.status, response.read())
        except urllib.error.HTTPError as error:
            _fetched[url] = (error.code, b"")
    return _fetched[url]


def parse(body: bytes) -> _Ids:
    parser = _Ids()
    parser.feed(body.decode("utf-8", errors="replace"))
    return parser


def broken_internal_links(urls, book_url) -> list[str]:
    """Internal URLs whose file the server does not have, or whose #fragment names no element of the page."""
    broken = []
    for url in sorted(set(urls)):
        if not url.startswith(book_url):
            continue  # another site, or mailto: / javascript:
        address, _, fragment = url.partition("#")
        status, body = fetch(address)
        if status != 200:
            broken.append(f"{url} (HTTP {status})")
        elif (
            fragment
            and address.endswith(".html")
            and urllib.parse.unquote(fragment) not in parse(body).ids
        ):
            broken.append(f"{url} (no element with id {fragment!r})")
    return broken


def colab_url(page: str) -> str:
    repository = (
        CONFIG["repository"]["url"].rstrip("/").removeprefix("https://github.com/")
    )
    branch = CONFIG["repository"]["branch"]
    return f"https://colab.research.google.com/github/{repository}/blob/{branch}/{page}.ipynb"


def figures_in_notebook(page: str) -> int:
    notebook = json.loads(notebook_of(page).read_text(encoding="utf-8"))
    return sum(
        any(kind.startswith("image/") for kind in output.get("data", {}))
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    )


def test_every_page_of_the_table_of_contents_is_built_and_reached_from_the_title_page(
    built_book, book_url
):
    assert PAGES[0] and len(PAGES) >= 2, PAGES
    for page in PAGES:
        assert (built_book / f"{page}.html").is_file(), (
            f"{page} is in _toc.yml but was not built"
        )
    # Follow every link from index.html, as a reader clicking through the navigation would.
    seen, queue = set(), ["index"]
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        status, body = fetch(f"{book_url}{page}.html")
        assert status == 200, f"{page}.html: HTTP {status}"
        for href in parse(body).links:
            url = urllib.parse.urljoin(f"{book_url}{page}.html", href).partition("#")[0]
            if url.startswith(book_url) and url.endswith(".html"):
                queue.append(url.removeprefix(book_url).removesuffix(".html"))
    assert set(PAGES) <= seen, (
        f"not reachable from index.html: {sorted(set(PAGES) - seen)}"
    )
    assert seen - SPHINX_PAGES <= set(PAGES), (
        f"pages not in _toc.yml: {sorted(seen - SPHINX_PAGES - set(PAGES))}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_equation_is_typeset_by_mathjax(visit, page):
    report = visit(page)
    if report["mathElements"] == 0:
        assert report["mathContainers"] == 0
        return
    assert report["mathjax"] == "typeset", f"MathJax {report['mathjax']} on {page}"
    assert report["mathErrors"] == [], f"TeX errors on {page}: {report['mathErrors']}"
    assert report["mathElementsWithoutContainer"] == [], "math not typeset exactly once"
    assert report["mathContainers"] == report["mathElements"]


@pytest.mark.parametrize("page", PAGES)
def test_no_raw_tex_is_left_in_the_visible_text(visit, page):
    leftovers = [
        m.string[max(0, m.start() - 40) : m.end() + 40]
        for m in RAW_TEX.finditer(visit(page)["visibleText"])
    ]
    assert not leftovers, f"raw TeX on {page}:\n" + "\n".join(map(repr, leftovers[:10]))


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads_and_every_figure_of_the_chapter_is_shown(visit, page):
    images = visit(page)["images"]
    broken = [
        image["src"]
        for image in images
        if not (image["complete"] and image["naturalWidth"] > 0)
    ]
    assert broken == [], f"images that did not load on {page}: {broken}"
    if notebook_of(page):
        assert sum(image["inOutput"] for image in images) == figures_in_notebook(page)


@pytest.mark.parametrize("page", PAGES)
def test_every_internal_link_and_resource_resolves(visit, page, book_url):
    report = visit(page)
    broken = broken_internal_links(report["links"] + report["resources"], book_url)
    assert not broken, f"broken links on {page}:\n" + "\n".join(broken)
    external = sorted(
        {url for url in report["resources"] if not url.startswith(book_url)}
    )
    assert external == [], (
        f"{page} loads files from other sites, which an offline reader cannot: {external}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_chapters_have_one_colab_button_for_their_notebook(visit, page):
    colab = [
        link["href"] for link in visit(page)["launchLinks"] if link["text"] == "Colab"
    ]
    if notebook_of(page):
        assert colab == [colab_url(page)], (
            f"the launch menu of {page}: {visit(page)['launchLinks']}"
        )
    else:
        assert colab == [], f"{page} is not a notebook but has a Colab button"


@pytest.mark.parametrize("page", PAGES)
def test_the_browser_console_has_no_errors(visit, page):
    errors = [
        entry["message"]
        for entry in visit(page)["console"]
        if entry["level"] == "SEVERE"
    ]
    assert not errors, f"console errors on {page}:\n" + "\n".join(errors)


def test_screenshots_of_the_title_page_and_the_first_chapter(browser, book_url):
    """For a person to look at, in _build/screenshots/: title.png, chapter.png (the top of the first chapter) and
    chapter-equation.png (the same chapter at the section of its first displayed equation: the README's picture)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first_chapter = next(
        page for page in PAGES[1:] if notebook_of(page)
    )  # PAGES[0], the intro, is one too
    shots = [
        ("title", PAGES[0], False),
        ("chapter", first_chapter, False),
        ("chapter-equation", first_chapter, True),
    ]
    for name, page, at_first_equation in shots:
        browser.get(f"{book_url}{page}.html")
        browser.execute_async_script(PAGE_REPORT_SCRIPT)  # wait for MathJax
        if at_first_equation:
            assert browser.execute_script(SCROLL_TO_FIRST_EQUATION_SCRIPT), (
                f"no displayed equation on {page}"
            )
        path = SCREENSHOTS / f"{name}.png"
        assert browser.save_screenshot(str(path)), path
        assert path.stat().st_size > 10_000, f"{path} looks empty"
