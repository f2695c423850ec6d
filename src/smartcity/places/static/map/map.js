/* The map component (places/map.html, docs/maps.md): turns each .map-leaflet container into a Leaflet map.
 * Its data is the JSON block named by data-map: points (markers coloured by level, each a link to its page),
 * areas (unit key -> colour of its worst level), fit ("all": the whole province once its boundaries are in;
 * "points": stay on the points), the tile URL template and attribution (none: no tile layer, the
 * map shows only the boundaries and markers), the URL of the ward boundaries (our own origin), a centre.
 * No inline script, no network beyond our origin and the configured tile server. If Leaflet did not load, the
 * server-drawn schematic inside the container stays. */
(function () {
  "use strict";

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function marker(L, p) {
    var el = document.createElement(p.href ? "a" : "span");
    if (p.href) { el.href = p.href; }
    el.textContent = p.label;
    el.title = p.title;
    el.setAttribute("aria-label", p.title);
    el.style.background = p.colour;
    el.style.color = p.ink;
    var icon = L.divIcon({ className: "map-marker", html: el, iconSize: [30, 30], iconAnchor: [15, 15] });
    return L.marker([p.lat, p.lon], { icon: icon, interactive: false, keyboard: false, riseOnHover: true });
  }

  function init(container) {
    var L = window.L;
    var block = document.getElementById(container.getAttribute("data-map"));
    if (!L || !block || container.classList.contains("map-ready")) { return; }
    var data = JSON.parse(block.textContent);
    container.replaceChildren();
    container.classList.add("map-ready");
    container.tabIndex = 0;
    var map = L.map(container, { zoomControl: true, attributionControl: true, zoomSnap: 0.25 });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
    }
    var markers = L.featureGroup(data.points.map(function (p) { return marker(L, p); })).addTo(map);
    if (data.points.length) {
      map.fitBounds(markers.getBounds(), { padding: [30, 30], maxZoom: 14 });
    } else {
      map.setView(data.centre, 11);
    }
    var legend = container.parentNode.querySelector(".map-legend");
    if (legend) { legend.hidden = false; }
    if (!data.boundaries) { container.setAttribute("data-state", "ready"); return; }
    fetch(data.boundaries, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (collection) {
        var areas = L.geoJSON(collection, {
          style: function (feature) {
            var area = data.areas[feature.id];
            return area ? { color: "#444", weight: 1, fillColor: area.colour, fillOpacity: 0.35 }
                        : { color: "#777", weight: 1, fillColor: "#e8e8e8", fillOpacity: 0.25 };
          },
          onEachFeature: function (feature, layer) {
            var area = data.areas[feature.id];
            layer.bindTooltip(text(area ? area.title : feature.properties.name), { sticky: true });
          }
        }).addTo(map);
        areas.bringToBack();
        if (data.fit !== "points" || !data.points.length) {
          var bounds = areas.getBounds();
          if (data.points.length) { bounds.extend(markers.getBounds()); }
          if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        }
        container.setAttribute("data-state", "ready");
      })
      .catch(function () { container.setAttribute("data-state", "no-boundaries"); });
  }

  function start() {
    document.querySelectorAll(".map-leaflet[data-map]").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
