// Attachments of a ticket form: files may be dropped on the file input's
// zone as well as chosen, and the chosen files are listed under it,
// images with a preview, each with a button that takes it out again.
// Without this script (or without DataTransfer) the browser's own file
// input works alone.
(function () {
  "use strict";
  try { new DataTransfer(); } catch (e) { return; }

  var previewLimit = 10 * 1024 * 1024; // larger images are listed by name only

  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    if (!input) { return; }
    var files = [];
    zone.classList.add("dropzone-on");
    // For pointer users; the input's label already names it to others.
    var prompt = document.createElement("p");
    prompt.className = "dropzone-text";
    prompt.setAttribute("aria-hidden", "true");
    prompt.textContent = zone.getAttribute("data-drop-text");
    zone.insertBefore(prompt, input);
    var list = document.createElement("ul");
    list.className = "file-previews";
    list.setAttribute("data-testid", "file-previews");
    list.setAttribute("aria-live", "polite");
    zone.insertAdjacentElement("afterend", list);

    function render() {
      list.textContent = "";
      files.forEach(function (f, i) {
        var li = document.createElement("li");
        if (/^image\//.test(f.type) && f.size <= previewLimit) {
          var img = document.createElement("img");
          img.alt = ""; // the name beside it says what it is
          img.className = "file-thumb";
          var reader = new FileReader();
          reader.onload = function () { img.src = reader.result; };
          reader.readAsDataURL(f);
          li.appendChild(img);
        }
        var name = document.createElement("span");
        name.className = "file-name";
        name.textContent = f.name;
        li.appendChild(name);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button-secondary button-small";
        remove.textContent = zone.getAttribute("data-remove-text");
        remove.setAttribute("aria-label", remove.textContent + " " + f.name);
        remove.addEventListener("click", function () {
          files.splice(i, 1);
          sync();
          input.focus();
        });
        li.appendChild(remove);
        list.appendChild(li);
      });
    }

    // sync gives the input the listed files, so that the form sends them.
    function sync() {
      var dt = new DataTransfer();
      files.forEach(function (f) { dt.items.add(f); });
      input.files = dt.files;
      render();
    }

    function add(chosen) {
      Array.prototype.forEach.call(chosen, function (f) {
        var known = files.some(function (g) { return g.name === f.name && g.size === f.size; });
        if (!known) { files.push(f); }
      });
      sync();
    }

    // Choosing more files adds them to those already listed.
    input.addEventListener("change", function () { add(input.files); });

    function carriesFiles(e) {
      return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0;
    }
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) {
        if (!carriesFiles(e)) { return; }
        e.preventDefault();
        zone.classList.add("dropzone-over");
      });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dropzone-over"); });
    zone.addEventListener("drop", function (e) {
      zone.classList.remove("dropzone-over");
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      e.preventDefault();
      add(e.dataTransfer.files);
    });
  });
})();
