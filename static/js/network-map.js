/* The network map: Leaflet over the bundled East Asia outline, fed by the GeoJSON endpoints.
 *
 * Progressive enhancement: every element with data-network-map becomes a map; without
 * JavaScript the page's list of ties stays the content. Configuration comes from
 * data- attributes (no inline script, so a strict CSP holds).
 *
 * Against the tangle of lines on a phone or at a low zoom: the whole map (no focus place)
 * draws its lines faint on a small screen (max-width 40rem) or below zoom 6 when there are
 * many ties; choosing a place (a tap on its circle) brings out its own lines and fades the
 * rest; closing its popup, or zooming in, brings the usual lines back.
 */
(function () {
  "use strict";

  var leafletStylesheet = document.currentScript &&
    document.currentScript.getAttribute("data-leaflet-css");

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

  var SMALL_SCREEN = "(max-width: 40rem)";
  var CROWDED_TIES = 150; // above this many lines, a low zoom draws them faint
  var CLEAR_ZOOM = 6;     // from this zoom on, lines are drawn as usual
  var FAINT = { opacity: 0.12, weight: 1 };

  function lineStyle(properties) {
    return { opacity: properties.status === "active" ? 0.75 : 0.35, weight: 2 };
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

    var lines = [], selected = null;

    function faint() {
      if (data.focus) { return false; }
      var small = window.matchMedia && window.matchMedia(SMALL_SCREEN).matches;
      return small || (lines.length > CROWDED_TIES && map.getZoom() < CLEAR_ZOOM);
    }

    function restyle() {
      // Faint lines unless the map is clear enough; a chosen place's lines always stand out.
      var faded = faint();
      element.setAttribute("data-lines", selected ? "selected" : (faded ? "faint" : "normal"));
      lines.forEach(function (entry) {
        var own = selected && (entry.a === selected || entry.b === selected);
        if (own) {
          entry.line.setStyle({ opacity: 0.95, weight: 3 });
          entry.line.bringToFront();
        } else if (selected || faded) {
          entry.line.setStyle(FAINT);
        } else {
          entry.line.setStyle(lineStyle(entry.properties));
        }
      });
    }

    function select(slug) {
      selected = slug;
      restyle();
    }

    map.on("zoomend", restyle);
    map.on("popupclose", function () { if (selected) { select(null); } });

    function draw() {
      var query = formQuery(form);
      Promise.all([
        fetchAll(withQuery(data.tiesUrl, query)),
        fetchAll(withQuery(data.citiesUrl, query))
      ]).then(function (results) {
        layers.clearLayers();
        lines = [];
        selected = null;
        var ties = results[0], places = results[1], bounds = [];
        ties.forEach(function (feature) {
          var properties = feature.properties;
          var line = feature.geometry.coordinates.map(function (p) { return [p[1], p[0]]; });
          var style = lineStyle(properties);
          var drawn = L.polyline(line, {
            color: KIND_COLOURS[properties.kind] || KIND_COLOURS.other,
            weight: style.weight, opacity: style.opacity
          }).bindPopup(tiePopup(properties)).addTo(layers);
          lines.push({ line: drawn, properties: properties, a: properties.city_a.slug, b: properties.city_b.slug });
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
            .on("click", function () { if (!data.focus) { select(feature.properties.slug); } })
            .addTo(layers);
        });
        if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 7 }); }
        else if (bounds.length === 1) { map.setView(bounds[0], 6); }
        restyle();
      }).catch(function (error) {
        element.setAttribute("data-error", String(error));
      });
    }

    draw();
  }

  // Leaflet's stylesheet is not in the page's <head> (it would block the first paint of every
  // page with a map): this deferred script adds it and draws the maps once it has loaded.
  function withStylesheet(href, then) {
    if (!href || document.querySelector('link[rel="stylesheet"][href="' + href + '"]')) {
      then();
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.addEventListener("load", then);
    link.addEventListener("error", then);
    document.head.appendChild(link);
  }

  withStylesheet(leafletStylesheet, function () {
    document.querySelectorAll("[data-network-map]").forEach(setUp);
  });
})();
