// Live preview of the knowledge-base editor: while staff type Markdown in
// a textarea with data-preview, the text is rendered under it by the
// server (POST /api/v1/admin/kb/preview), through the same sanitiser as
// every page. Without this script the editor's Preview button does the
// same with a round trip.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-preview]").forEach(function (area) {
    var target = document.getElementById(area.getAttribute("data-preview"));
    var token = area.form && area.form.querySelector("input[name=csrf_token]");
    if (!target || !token) { return; }
    var timer = null;
    var seq = 0;

    function render() {
      var mine = ++seq;
      fetch("/api/v1/admin/kb/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token.value },
        body: JSON.stringify({ body: area.value })
      }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (res) {
        // The HTML comes from the server's sanitiser, as on every page.
        if (res && mine === seq) { target.innerHTML = res.html; }
      }).catch(function () {});
    }

    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 250);
    });
    if (area.value.trim() !== "" && target.innerHTML.trim() === "") { render(); }
  });
})();
