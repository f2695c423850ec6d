// The portal's few behaviours. A static file, not inline handlers: the Content-Security-Policy allows no inline
// script. Every page works without it: the menu is then always open, a warning strip cannot be closed.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Lists that apply a choice at once (the language, the desk's procedure) are submitted when they change.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // blocked storage: nothing is remembered
  }

  function ready() {
    // The menu button: shown (and the menu folded) only on a narrow screen, where CSS hides the folded menu.
    var toggles = document.querySelectorAll(".menu-toggle[aria-controls]");
    Array.prototype.forEach.call(toggles, function (button) {
      button.hidden = false;
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") === "true";
        button.setAttribute("aria-expanded", open ? "false" : "true");
      });
    });

    // The account menu closes when one clicks elsewhere or presses Escape.
    document.addEventListener("click", function (event) {
      Array.prototype.forEach.call(document.querySelectorAll("details.account-menu[open]"), function (d) {
        if (!d.contains(event.target)) { d.open = false; }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      Array.prototype.forEach.call(document.querySelectorAll("details.account-menu[open]"), function (d) {
        d.open = false;
        d.querySelector("summary").focus();
      });
    });

    // Warning strip: each warning can be hidden; the choice is kept in localStorage under its own key, so a new
    // warning shows again. The strip itself goes when all its warnings are hidden.
    var store = storage();
    Array.prototype.forEach.call(document.querySelectorAll(".strip"), function (strip) {
      var items = strip.querySelectorAll("li[data-dismiss-key]");
      function refresh() {
        var shown = Array.prototype.filter.call(items, function (li) { return !li.hidden; });
        strip.hidden = shown.length === 0;
      }
      Array.prototype.forEach.call(items, function (li) {
        var key = li.getAttribute("data-dismiss-key");
        if (store && store.getItem(key)) { li.hidden = true; }
        var close = li.querySelector(".strip-close");
        if (!close || !store) { return; }
        close.hidden = false;
        close.addEventListener("click", function () {
          store.setItem(key, "1");
          li.hidden = true;
          refresh();
        });
      });
      refresh();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
