/* Place suggestions for the partner forms: the host, the partner places, the sign-up place.
 *
 * Progressive enhancement: the fields are plain text boxes that take a place's name in
 * any script; the server resolves it (and says which places it could mean). With
 * JavaScript, typing fills the page's <datalist id="place-suggestions"> from the open
 * API (`?search=`, the same cross-script match as the directory), each suggestion written
 * "Name (slug)", which the server reads without doubt. An input with data-append-to adds
 * the picked place as a new line of that text area (the partner places). No inline
 * script, so the strict CSP holds.
 */
(function () {
  "use strict";

  var list = document.getElementById("place-suggestions");
  if (!list) {
    return;
  }
  var endpoint = list.getAttribute("data-endpoint");
  var language = (document.documentElement.lang || "en").toLowerCase();
  var NAME_FIELD = { "zh-hans": "name_zh_hans", ja: "name_ja", ko: "name_ko" }[language] || "name_en";
  var COMPLETE = /\([a-z0-9][a-z0-9-]*\)\s*$/;
  var timer = null;
  var asked = "";

  function reference(place) {
    return (place[NAME_FIELD] || place.name_en) + " (" + place.slug + ")";
  }

  function suggest(query) {
    if (query === asked) {
      return;
    }
    asked = query;
    var url = endpoint + "?search=" + encodeURIComponent(query) + "&page_size=8";
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        if (query !== asked) {
          return; // an answer to an older query
        }
        var options = (data.results || []).map(function (place) {
          var option = document.createElement("option");
          option.value = reference(place);
          option.label = place.name_en + " · " + place.country;
          return option;
        });
        list.replaceChildren.apply(list, options);
      })
      .catch(function () {
        /* suggestions are a help, never a need: typing the name still works */
      });
  }

  function addLine(input) {
    var target = document.getElementById(input.getAttribute("data-append-to"));
    if (!target || !COMPLETE.test(input.value)) {
      return;
    }
    var lines = target.value.split("\n").filter(function (line) {
      return line.trim() !== "";
    });
    if (lines.indexOf(input.value.trim()) === -1) {
      lines.push(input.value.trim());
    }
    target.value = lines.join("\n");
    target.dispatchEvent(new Event("input", { bubbles: true })); // e.g. the ties to offer
    input.value = "";
  }

  document.querySelectorAll("[data-place-adder]").forEach(function (element) {
    element.hidden = false;
  });
  document.querySelectorAll("input[data-place-suggest]").forEach(function (input) {
    input.addEventListener("input", function () {
      var query = input.value.trim();
      window.clearTimeout(timer);
      if (query === "" || COMPLETE.test(query)) {
        return;
      }
      timer = window.setTimeout(function () {
        suggest(query);
      }, 250);
    });
    if (input.hasAttribute("data-append-to")) {
      input.addEventListener("change", function () {
        addLine(input);
      });
    }
  });
})();
