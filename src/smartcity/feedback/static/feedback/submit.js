// The submit form: "use my position" fills the hidden lat/lon from the phone's location; attribute questions show
// for the chosen category only. Without script the address field is enough.
(function () {
  "use strict";
  function ready() {
    var button = document.getElementById("use-position");
    var status = document.getElementById("position-status");
    if (button && navigator.geolocation) {
      button.hidden = false;
      button.addEventListener("click", function () {
        status.textContent = button.dataset.waiting || "…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
          document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
          status.textContent = "✓ " + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
        }, function (err) {
          status.textContent = "✗ " + err.message;
        }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
    var category = document.getElementById("category");
    function sync() {
      document.querySelectorAll("[data-category]").forEach(function (el) {
        var on = el.getAttribute("data-category") === category.value;
        el.hidden = !on;
        el.querySelectorAll("select").forEach(function (s) { s.disabled = !on; });
      });
    }
    if (category) { category.addEventListener("change", sync); sync(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
