// The new-ticket form's notices: when the reader picks a ticket type, its
// description is read out under the choice; when they pick a priority,
// the expected answer follows it. Without this script every description
// and the answer time of each priority are listed on the page.
(function () {
  "use strict";
  var type = document.getElementById("ff-type");
  if (type) {
    var note = document.createElement("p");
    note.className = "hint type-note";
    note.id = "ff-type-note";
    note.setAttribute("aria-live", "polite");
    note.setAttribute("data-testid", "type-note");
    type.insertAdjacentElement("afterend", note);
    var describedBy = type.getAttribute("aria-describedby");
    type.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + note.id);
    var showType = function () {
      var desc = document.getElementById("type-desc-" + type.value);
      note.textContent = desc ? desc.textContent : "";
      note.hidden = !desc;
    };
    type.addEventListener("change", showType);
    showType();
  }
  var priority = document.getElementById("ff-priority");
  var answer = document.getElementById("answer-by");
  if (priority && answer) {
    var fallback = answer.textContent;
    priority.addEventListener("change", function () {
      var li = document.querySelector("[data-testid=answer-by-priority] li[data-priority='" + priority.value + "']");
      answer.textContent = li ? li.getAttribute("data-text") : fallback;
    });
  }
})();
