// Knowledge base search suggestions: while the reader types in a search
// box with data-suggest, the best matches are listed under it as links.
// The form works without this script (it submits to /kb/search).
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-suggest"));
    if (!list) { return; }
    var timer = null;
    var seq = 0;

    function clear() {
      list.hidden = true;
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
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = q === "";
    }

    function lookup() {
      var q = input.value;
      if (q.trim().length < 2) { clear(); return; }
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
      if (e.key === "ArrowDown" && !list.hidden) {
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
