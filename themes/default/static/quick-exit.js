/* Quick exit: leave Sesim at once, from anywhere on the page, by a tap or the Esc key.
   location.replace swaps this page out of the tab's history, so Back does not return to it.
   Without JavaScript the button is a plain link to the same address. */
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) return;

  function leave(event) {
    if (event) event.preventDefault();
    document.documentElement.hidden = true; // nothing of Sesim stays on screen while it loads
    window.location.replace(link.href);
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") leave(event);
  });
}());
