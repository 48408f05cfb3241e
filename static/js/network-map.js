/* The network map: Leaflet over the bundled East Asia outline, fed by the GeoJSON endpoints.
 *
 * Progressive enhancement: every element with data-network-map becomes a map; without
 * JavaScript the page's list of ties stays the content. Configuration comes from
 * data- attributes (no inline script, so a strict CSP holds).
 */
(function () {
  "use strict";

  var KIND_COLOURS = {
    sister: "#c0392b",
    friendship: "#1f6fb2",
    friendly_exchange: "#2e8b57",
    partnership: "#8e44ad",
    other: "#7f8c8d"
  };

  function fetchAll(url, features) {
    // The endpoints are paginated: follow `next` until the collection is complete.
    features = features || [];
    return fetch(url, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return response.json();
      })
      .then(function (collection) {
        features = features.concat(collection.features);
        return collection.next ? fetchAll(collection.next, features) : features;
      });
  }

  function withQuery(url, query) {
    if (!query) { return url; }
    return url + (url.indexOf("?") === -1 ? "?" : "&") + query;
  }

  function formQuery(form) {
    if (!form) { return ""; }
    var params = new URLSearchParams(new FormData(form));
    var kept = new URLSearchParams();
    params.forEach(function (value, key) { if (value) { kept.append(key, value); } });
    return kept.toString();
  }

  function text(tag, content) {
    var element = document.createElement(tag);
    element.textContent = content;
    return element;
  }

  function popupFor(properties, element) {
    var box = document.createElement("div");
    box.appendChild(text("strong", properties.name + " (" + properties.country + ")"));
    if (properties.tie_count !== null && properties.tie_count !== undefined) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(properties.tie_count + " " + (element.dataset.labelTies || "ties")));
    }
    if (properties.url) {
      box.appendChild(document.createElement("br"));
      var link = text("a", element.dataset.labelPopupLink || properties.url);
      link.href = properties.url;
      box.appendChild(link);
    }
    return box;
  }

  function tiePopup(properties) {
    var box = document.createElement("div");
    box.appendChild(text("strong", properties.city_a.name + " — " + properties.city_b.name));
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(
      properties.kind_label + (properties.established_display ? ", " + properties.established_display : "")
    ));
    if (properties.url) {
      box.appendChild(document.createElement("br"));
      var link = text("a", "↗");
      link.href = properties.url;
      box.appendChild(link);
    }
    return box;
  }

  function setUp(element) {
    var map = L.map(element, { zoomSnap: 0.5, worldCopyJump: false }).setView([35.5, 125], 4);
    var data = element.dataset;
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 12 }).addTo(map);
    }
    map.attributionControl.addAttribution("Natural Earth");
    fetch(data.outlineUrl)
      .then(function (response) { return response.json(); })
      .then(function (outline) {
        L.geoJSON(outline, {
          interactive: false,
          style: function (feature) {
            var home = ["CN", "JP", "KR"].indexOf(feature.properties.country) !== -1;
            return {
              color: "#8a9aa9", weight: 0.6, fillOpacity: 1,
              fillColor: home ? "#f4efe4" : "#e4e7ea"
            };
          }
        }).addTo(map).bringToBack();
      })
      .catch(function () { /* the outline is decoration: the ties still show */ });

    var layers = L.layerGroup().addTo(map);
    var form = data.filterForm ? document.querySelector(data.filterForm) : null;

    function draw() {
      var query = formQuery(form);
      Promise.all([
        fetchAll(withQuery(data.tiesUrl, query)),
        fetchAll(withQuery(data.citiesUrl, query))
      ]).then(function (results) {
        layers.clearLayers();
        var ties = results[0], places = results[1], bounds = [];
        ties.forEach(function (feature) {
          var line = feature.geometry.coordinates.map(function (p) { return [p[1], p[0]]; });
          L.polyline(line, {
            color: KIND_COLOURS[feature.properties.kind] || KIND_COLOURS.other,
            weight: 2, opacity: feature.properties.status === "active" ? 0.75 : 0.35
          }).bindPopup(tiePopup(feature.properties)).addTo(layers);
        });
        places.forEach(function (feature) {
          var p = feature.geometry.coordinates, count = feature.properties.tie_count || 1;
          var focus = data.focus && data.focus === feature.properties.slug;
          bounds.push([p[1], p[0]]);
          L.circleMarker([p[1], p[0]], {
            radius: Math.min(3 + 3 * Math.sqrt(count), 24),
            color: "#203040", weight: focus ? 3 : 1,
            fillColor: focus ? "#f1c40f" : "#ffffff", fillOpacity: 0.9
          }).bindPopup(popupFor(feature.properties, element))
            .bindTooltip(feature.properties.name)
            .addTo(layers);
        });
        if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 7 }); }
        else if (bounds.length === 1) { map.setView(bounds[0], 6); }
      }).catch(function (error) {
        element.setAttribute("data-error", String(error));
      });
    }

    draw();
  }

  document.querySelectorAll("[data-network-map]").forEach(setUp);
})();
