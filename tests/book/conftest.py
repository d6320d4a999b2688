"""The reader's view: the built book opened in headless Chromium, page by page.

`make test-book` builds the book, installs Debian's chromium and chromium-driver when they are missing, and
runs this folder; `make test` leaves it out (it is slow and needs a browser). The pages come from `_toc.yml`,
so a new chapter is checked as soon as it is listed there.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from book_pages import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, HTML


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the signature of the base class)
        pass


@pytest.fixture(scope="session")
def built_book() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(
            f"no built book at {HTML}: run `make book` first (`make test-book` does)"
        )
    return HTML


@pytest.fixture(scope="session")
def book_url(built_book):
    """The built book served over HTTP on 127.0.0.1 at a free port, as a reader's browser would get it."""
    handler = functools.partial(QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Debian's headless Chromium through Debian's chromedriver, with a fresh profile and the console log on."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        if not Path(program).exists():
            pytest.fail(
                f"{program} is missing: `make test-book` installs Debian's chromium and chromium-driver"
            )
    options = webdriver.ChromeOptions()
    # Both paths given: Selenium does not start Selenium Manager, which would try to download a browser.
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
