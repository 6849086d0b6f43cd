/* Verification pages (verify area). Progressive enhancement only: the page is complete without it.
   Browsers never send the URL's #fragment to the server, so only here can the signed payload that
   was scanned be compared with the registry's record. */
(function () {
  "use strict";
  var page = document.querySelector("[data-payload]");
  var scanned = window.location.hash.slice(1);
  if (!page || !scanned) { return; }
  if (scanned !== page.getAttribute("data-payload")) {
    var warning = document.getElementById("payload-mismatch");
    if (warning) { warning.hidden = false; }
  }
}());
