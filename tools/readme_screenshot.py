"""Retake the README's picture, docs/screenshot-chapter.png: chapter 1 at its section "The equation".

    make book && .venv/bin/python tools/readme_screenshot.py

Serves the built book (_build/html) on 127.0.0.1, opens the page in Debian's headless Chromium (as
`make test-book` does, with the same flags) at 1280 x 857 CSS pixels in the light theme, waits for MathJax
to typeset, scrolls to the section and saves the window. Retake it when chapter 1's opening or its table of
contents changes.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "book"))
from book_pages import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, HTML  # noqa: E402

from conftest import QuietHandler  # noqa: E402  the book tests' silent file server

OUTPUT = ROOT / "docs" / "screenshot-chapter.png"
PAGE, SECTION, SIZE = "chapters/01_alignment.html", "the-equation", (1280, 857)

WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const ready = (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
  || Promise.resolve();
ready.then(() => document.fonts.ready).then(() => done(true));
"""


def main() -> int:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (HTML / PAGE).exists():
        sys.exit(f"no built page at {HTML / PAGE}: run `make book` first")
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        try:
            width, height = SIZE
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            )
            driver.get(f"http://127.0.0.1:{server.server_address[1]}/{PAGE}")
            driver.execute_script(
                "document.documentElement.dataset.theme = 'light';"
                "document.documentElement.dataset.mode = 'light';"
            )
            driver.execute_async_script(WAIT_FOR_MATHJAX)
            driver.execute_script(
                "document.getElementById(arguments[0]).scrollIntoView();", SECTION
            )
            driver.save_screenshot(str(OUTPUT))
        finally:
            driver.quit()
            server.shutdown()
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
