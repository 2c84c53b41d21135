// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// On a phone the main menu folds behind a "Menu" button; without JavaScript it simply stays open.
(function () {
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  var narrow = window.matchMedia("(max-width: 63.99rem)");
  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    nav.hidden = !open;
  }
  function apply() {
    toggle.hidden = !narrow.matches;
    setOpen(!narrow.matches);
  }
  toggle.addEventListener("click", function () { setOpen(nav.hidden); });
  narrow.addEventListener("change", apply);
  apply();
})();

// After a failed submit the error summary (at the top of the page's content) takes the focus, so that
// screen readers announce it and keyboard users can follow its links to each field.
(function () {
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) summary.focus();
})();
