/* The locator on a place page: a small fixed map of East Asia with the place marked.
 *
 * Progressive enhancement: without JavaScript the coordinates under it stay the content.
 * The place and the outline come from data- attributes (no inline script, so a strict CSP
 * holds). Needs Leaflet (static/vendor/leaflet/).
 */
(function () {
  "use strict";

  function setUp(element) {
    var data = element.dataset;
    var point = [parseFloat(data.lat), parseFloat(data.lng)];
    if (isNaN(point[0]) || isNaN(point[1]) || typeof L === "undefined") { return; }
    var map = L.map(element, {
      zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, keyboard: false, touchZoom: false, tap: false, attributionControl: true,
      zoomSnap: 0.5
    }).setView(point, 3.5);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth");
    fetch(data.outlineUrl)
      .then(function (response) { return response.json(); })
      .then(function (outline) {
        L.geoJSON(outline, {
          interactive: false,
          style: function (feature) {
            var home = ["CN", "JP", "KR"].indexOf(feature.properties.country) !== -1;
            return { color: "#8a9aa9", weight: 0.6, fillOpacity: 1, fillColor: home ? "#f4efe4" : "#e4e7ea" };
          }
        }).addTo(map).bringToBack();
      })
      .catch(function () { /* the outline is decoration: the marker still shows */ });
    L.circleMarker(point, {
      radius: 7, color: "#7d1c21", weight: 2, fillColor: "#a4262c", fillOpacity: 0.9, interactive: false
    }).addTo(map);
    element.setAttribute("data-ready", "true");
  }

  document.querySelectorAll("[data-locator-map]").forEach(setUp);
})();
