// The branding section of the console's settings: while an admin picks
// colours or types the name and footer, the preview of the portal follows
// and the contrast of every text the colours make is computed again, as
// svcportal.BrandContrast (color.go) does on the server. Without this
// script the "Preview" button shows the same, rendered by the server.
(function () {
  "use strict";
  var MIN = 4.5;
  var LIGHT = "#f6f7f9", DARK = "#181b22"; // svcportal.LightBackground, DarkBackground

  function parse(hex) {
    if (!/^#[0-9a-fA-F]{6}$/.test(hex)) { return null; }
    var v = parseInt(hex.slice(1), 16);
    return [v >> 16 & 255, v >> 8 & 255, v & 255];
  }
  function hex(c) {
    return "#" + c.map(function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function luminance(c) {
    var ch = c.map(function (v) {
      var s = v / 255;
      return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  }
  function ratio(a, b) {
    var la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
  }
  function mix(c, p, other) {
    return c.map(function (v, i) { return Math.round(p * v + (1 - p) * other[i]); });
  }
  var BLACK = [0, 0, 0], WHITE = [255, 255, 255];
  function onColor(bg) { return ratio(bg, BLACK) >= ratio(bg, WHITE) ? BLACK : WHITE; }

  // checks mirrors BrandContrast: header, buttons, links_light, links_dark.
  function checks(p, a) {
    return {
      header: [onColor(p), p],
      buttons: [onColor(a), a],
      links_light: [mix(p, 0.85, BLACK), parse(LIGHT)],
      links_dark: [mix(p, 0.45, WHITE), parse(DARK)]
    };
  }

  var primary = document.querySelector("input[data-brand=primary]");
  var accent = document.querySelector("input[data-brand=accent]");
  var box = document.querySelector("[data-testid=contrast]");
  if (!primary || !accent || !box) { return; }
  var warning = box.querySelector("[data-testid=contrast-warning]");
  var decimal = document.documentElement.lang === "en" ? "." : ",";

  function update() {
    var p = parse(primary.value), a = parse(accent.value);
    if (!p || !a) { return; }
    document.querySelectorAll(".brand-preview").forEach(function (el) {
      el.style.setProperty("--brand", hex(p));
      el.style.setProperty("--on-brand", hex(onColor(p)));
      el.style.setProperty("--accent", hex(a));
      el.style.setProperty("--on-accent", hex(onColor(a)));
    });
    var all = checks(p, a), ok = true;
    Object.keys(all).forEach(function (use) {
      var row = box.querySelector("tr[data-use=" + use + "]");
      if (!row) { return; }
      var r = ratio(all[use][0], all[use][1]), pass = r >= MIN;
      ok = ok && pass;
      var swatch = row.querySelector(".swatch");
      swatch.style.color = hex(all[use][0]);
      swatch.style.background = hex(all[use][1]);
      row.querySelector("[data-ratio]").textContent = (Math.floor(r * 100) / 100).toFixed(2).replace(".", decimal) + ":1";
      row.querySelector("[data-verdict]").textContent = box.getAttribute(pass ? "data-pass" : "data-fail");
      row.classList.toggle("contrast-fails", !pass);
    });
    warning.hidden = ok;
  }

  function text(field, target) {
    var input = document.querySelector("[data-brand=" + field + "]");
    if (!input) { return; }
    input.addEventListener("input", function () {
      document.querySelectorAll("[data-preview=" + target + "]").forEach(function (el) { el.textContent = input.value; });
    });
  }
  var name = document.getElementById("f-name");
  if (name) {
    name.addEventListener("input", function () {
      document.querySelectorAll("[data-preview=name]").forEach(function (el) { el.textContent = name.value; });
    });
  }
  text("footer", "footer");
  primary.addEventListener("input", update);
  accent.addEventListener("input", update);
})();
