/* The menu buttons on a phone or tablet.

sphinx-book-theme 1.3.0 draws its own "Toggle primary sidebar" and "Toggle secondary sidebar" buttons in the
article header, while pydata-sphinx-theme 0.17.1 (which opens the sidebars as dialogs below 992 px and
1200 px) binds its click handler to the first `.primary-toggle` and `.secondary-toggle` of the page: hidden
copies in the top bar. The visible buttons then only show their tooltips. Here a click on any later copy is
handed to the first one, whose handlers (pydata's dialog, sphinx-book-theme's collapse on wide screens) run
as the themes meant. `make test-book` opens both menus at 390 px wide. */
(function () {
  function forward(kind) {
    const buttons = Array.from(document.querySelectorAll("." + kind));
    if (buttons.length < 2) {
      return;
    }
    const bound = buttons[0];
    buttons.slice(1).forEach((button) => {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    });
  }
  function setup() {
    forward("primary-toggle");
    forward("secondary-toggle");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
