// Roster's small script. Everything works without it; it only smooths htmx interactions.
// No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // An htmx request that failed (403, 404, 500…) shows the server's error box in the flash area.
  document.addEventListener("htmx:responseError", function (event) {
    var area = document.getElementById("flash");
    var xhr = event.detail.xhr;
    if (!area || !xhr) return;
    var box = document.createElement("div");
    box.className = "flash error";
    box.setAttribute("role", "alert");
    // The server's fragment is our own escaped HTML; parse it rather than trusting innerHTML
    // of arbitrary text.
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var message = doc.querySelector(".error-box");
    box.textContent = message ? message.textContent.replace(/\s+/g, " ").trim() : "The request failed (" + xhr.status + ").";
    area.replaceChildren(box);
  });
  document.addEventListener("htmx:sendError", function () {
    var area = document.getElementById("flash");
    if (!area) return;
    var box = document.createElement("div");
    box.className = "flash error";
    box.setAttribute("role", "alert");
    box.textContent = "The server could not be reached. Check your connection and try again.";
    area.replaceChildren(box);
  });
  // Copy buttons: data-copy names the element whose text is copied.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    }, function () {
      // No clipboard permission: select the text so Ctrl+C works.
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    });
  });
})();
