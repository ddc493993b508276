// The login page's email step, when the address belongs to a site with
// its own sign-in provider, answers with a link to that provider (a form
// may not redirect to another origin under the page's form-action
// policy). This follows the link at once; without it, the reader clicks.
(function () {
  "use strict";
  var a = document.querySelector("a[data-follow]");
  if (a) {
    window.location.assign(a.href);
  }
})();
