// Small enhancements of every page; each works without this script.
// - The main navigation folds into a menu button on narrow screens.
// - <time data-relative> shows "3 hours ago" for recent moments; the
//   exact local time stays in its title (set by the server).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".menu-button");
    var list = document.getElementById("mainnav-list");
    if (button && list) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        list.classList.toggle("open", open);
      });
      document.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          button.setAttribute("aria-expanded", "false");
          list.classList.remove("open");
          button.focus();
        }
      });
    }
  });
})();
