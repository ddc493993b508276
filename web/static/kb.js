// Knowledge base search suggestions: while the reader types in a search
// box with data-suggest, the best matches are listed under it as links.
// The form works without this script (it submits to /kb/search).
// data-suggest-panel names an element shown and hidden with the list (a
// heading over it); a list with data-new-tab opens its links in a new
// tab, saying so to screen readers with that text, so that a half-written
// form stays as it is.
(function () {
  "use strict";
  // The bounds of a search query (svcportal.MaxQueryWords, MaxQueryLength):
  // a longer title still asks for its first words.
  var maxWords = 12, maxLength = 200;
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-suggest"));
    if (!list) { return; }
    var panel = document.getElementById(input.getAttribute("data-suggest-panel")) || list;
    var newTab = list.getAttribute("data-new-tab");
    var timer = null;
    var seq = 0;

    function clear() {
      panel.hidden = true;
      list.textContent = "";
    }

    function show(hits, q) {
      list.textContent = "";
      if (hits.length === 0 && !input.hasAttribute("data-suggest-empty")) {
        clear(); // a form field that only suggests: nothing to say
        return;
      }
      if (hits.length === 0) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = input.getAttribute("data-suggest-empty");
        list.appendChild(none);
      }
      hits.forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/kb/articles/" + encodeURIComponent(h.id) + (h.slug ? "-" + encodeURIComponent(h.slug) : "");
        a.textContent = h.title;
        if (h.locale && h.locale !== document.documentElement.lang) { a.lang = h.locale; }
        if (newTab) {
          a.target = "_blank";
          a.rel = "noopener";
          var note = document.createElement("span");
          note.className = "visually-hidden";
          note.textContent = " " + newTab;
          a.appendChild(note);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      panel.hidden = q === "";
    }

    function lookup() {
      var q = input.value.trim().split(/\s+/).slice(0, maxWords).join(" ").slice(0, maxLength);
      if (q.length < 2) { clear(); return; }
      var mine = ++seq;
      fetch("/api/v1/kb/search?limit=8&q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        return r.ok ? r.json() : { hits: [] };
      }).then(function (body) {
        if (mine === seq) { show(body.hits || [], q); }
      }).catch(clear);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { clear(); }
      if (e.key === "ArrowDown" && !panel.hidden) {
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      if (e.key === "Escape") { clear(); input.focus(); }
    });
  });
})();
