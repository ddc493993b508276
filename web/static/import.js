// The contacts import's page, while the import runs: without scripts the
// page refreshes itself every two seconds (a <noscript> refresh); with
// this script it stays put and fetches itself every second, moving the
// progress bar and its text, and reloads once the import has ended, to
// show the report.
(function () {
  "use strict";
  var region = document.querySelector("[data-import-progress]");
  if (!region || !window.fetch || !window.DOMParser) {
    return;
  }
  var poll = function () {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.querySelector("[data-import-progress]");
        if (!next) {
          window.location.reload();
          return;
        }
        var bar = region.querySelector("progress"), nextBar = next.querySelector("progress");
        bar.max = nextBar.max;
        bar.value = nextBar.value;
        bar.textContent = nextBar.textContent;
        region.querySelector("[data-testid=progress-text]").textContent = next.querySelector("[data-testid=progress-text]").textContent;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  };
  window.setTimeout(poll, 1000);
})();
