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
  // A form on its way to the server keeps its live checks (the password checklist) quiet: one
  // that fires after the submit (type, then Enter at once) would race the answer, which may
  // have renewed the session (a changed password), and show an error for nothing.
  document.addEventListener("submit", function (event) {
    event.target.setAttribute("data-submitted", "");
  }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt.closest && elt.closest("form[data-submitted]");
    if (form && form !== elt) event.preventDefault();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    // A boosted form stays on the page after its answer: it may be sent again.
    if (event.detail.elt.removeAttribute) event.detail.elt.removeAttribute("data-submitted");
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

  // Dialogs (templates/partials/ui.html). An opener is a link to the dialog's form on a page of
  // its own; with script it opens the same form in a native <dialog> instead. The browser moves
  // focus into the dialog and closes it on Escape; focus goes back to the opener on close.
  var opener = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-dialog]");
    if (link) {
      var dialog = document.getElementById(link.getAttribute("data-dialog"));
      if (!dialog || typeof dialog.showModal !== "function") return;
      event.preventDefault();
      opener = link;
      dialog.querySelectorAll("form[data-needs-check]").forEach(function (form) { form.reset(); requireCheck(form); });
      dialog.showModal();
      return;
    }
    var close = event.target.closest && event.target.closest("dialog [data-close]");
    if (close) {
      event.preventDefault();
      close.closest("dialog").close();
    }
  });
  document.addEventListener("close", function (event) {
    if (event.target.tagName === "DIALOG" && opener && document.contains(opener)) {
      opener.focus();
    }
  }, true);
  // Confirm stays disabled until its checkbox is ticked (the server refuses it unticked too).
  function requireCheck(form) {
    var box = form.querySelector("input[type=checkbox][name=confirm]");
    var button = form.querySelector("[data-confirm]");
    if (box && button) button.disabled = !box.checked;
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-needs-check]");
    if (form) requireCheck(form);
  });
  function armConfirmForms(root) {
    root.querySelectorAll("form[data-needs-check]").forEach(requireCheck);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { armConfirmForms(document); });
  } else {
    armConfirmForms(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { armConfirmForms(event.target); });
})();
