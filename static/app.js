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

  // Times: the server writes the organization's time, labelled with its zone; here each person
  // sees their own instead ("5 Dec 2026, 15:32 CET"), with the organization's in the tooltip.
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function localTime(el) {
    if (el.hasAttribute("data-local")) return;
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var zone = "";
    try {
      zone = new Intl.DateTimeFormat("en-GB", { timeZoneName: "short" }).formatToParts(when)
        .filter(function (p) { return p.type === "timeZoneName"; }).map(function (p) { return p.value; })[0] || "";
    } catch (e) { return; }
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var text = when.getDate() + " " + MONTHS[when.getMonth()] + " " + when.getFullYear() + ", " +
      pad(when.getHours()) + ":" + pad(when.getMinutes()) + " " + zone;
    el.setAttribute("data-local", "");
    if (text !== el.textContent) {
      el.title = el.textContent.trim() + " (the organization's time)";
      el.textContent = text;
    }
  }
  // Fields that mean nothing while their switch is off are inert (still sent, so nothing
  // saved is lost), and come alive when it is ticked.
  function dependents(root) {
    root.querySelectorAll("[data-depends-on]").forEach(function (block) {
      var sw = document.getElementById(block.getAttribute("data-depends-on"));
      if (!sw) return;
      var off = !sw.checked;
      block.inert = off;
      block.classList.toggle("is-off", off);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.type === "checkbox" && event.target.id) dependents(document);
    if (event.target.id === "data_type") typeNeeds(document);
  });
  // An attribute form shows what its data type needs (without script: all of it, each block
  // saying when it applies).
  function typeNeeds(root) {
    var type = document.getElementById("data_type");
    if (!type) return;
    root.querySelectorAll("[data-shown-for]").forEach(function (block) {
      block.hidden = block.getAttribute("data-shown-for").split(" ").indexOf(type.value) < 0;
    });
  }
  // Password fields: Show / Hide.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-show-password]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-show-password"));
    if (!input) return;
    var shown = input.type === "password";
    input.type = shown ? "text" : "password";
    button.textContent = shown ? "Hide" : "Show";
    button.setAttribute("aria-pressed", shown ? "true" : "false");
  });
  // "/" focuses the page's search box (as on GitHub), unless one is typing already.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
    var search = document.querySelector("input[type=search]");
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  });
  function enhance(root) {
    root.querySelectorAll("time[datetime]").forEach(localTime);
    root.querySelectorAll("[data-show-password]").forEach(function (b) {
      var input = document.getElementById(b.getAttribute("data-show-password"));
      if (!input) return;
      var shown = input.type !== "password";
      b.textContent = shown ? "Hide" : "Show";
      b.setAttribute("aria-pressed", shown ? "true" : "false");
      b.hidden = false;
    });
    dependents(document);
    typeNeeds(document);
  }
  function start() {
    enhance(document);
    // The navigation is served open (usable without script); on a narrow screen it folds.
    var menu = document.querySelector(".nav-menu");
    if (menu && window.matchMedia("(max-width: 900px)").matches) menu.open = false;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
})();
