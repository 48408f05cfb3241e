/* "Ties served" in the proposal form, offered as soon as the places are named.
 *
 * Progressive enhancement: the server renders the ties between the places the form names
 * (as typed, else as saved), and a submission made before they were shown waits for the
 * partner's choice. With JavaScript, editing the host or the partner places asks
 * partners:proposal_ties for the checkboxes of the places typed so far (the ticked ties are
 * sent along and stay ticked) and puts them into #ties-served. "Submit for review" pressed
 * before the answer came waits for it: if it brings ties not shown before, the partner sees
 * them and chooses; otherwise the form is sent. No inline script, so the strict CSP holds.
 */
(function () {
  "use strict";

  var box = document.getElementById("ties-served");
  if (!box || !window.fetch || !window.DOMParser) {
    return;
  }
  var form = box.closest("form");
  var host = form && form.querySelector("[name=host]");
  var places = form && form.querySelector("[name=partner_places]");
  if (!host || !places) {
    return;
  }
  var url = box.getAttribute("data-ties-url");
  var timer = null;
  var pending = null; // the answer being waited for, as a promise
  var sending = false; // the form is being sent after waiting: let it go

  function placesKey() {
    return host.value.trim() + "\n" + places.value.trim();
  }

  function shownTies() {
    var input = box.querySelector("input[name=ties_shown]");
    return input && input.value ? input.value.split(",") : [];
  }

  var shownKey = placesKey(); // the places whose ties are on the page

  /* Ask for the ties of the places typed now; resolves to true when they include a tie that
     was not on the page before. */
  function refresh() {
    window.clearTimeout(timer);
    var key = placesKey();
    if (key === shownKey) {
      return Promise.resolve(false);
    }
    if (pending && pending.key === key) {
      return pending.promise;
    }
    var before = shownTies();
    var params = new URLSearchParams();
    params.set("host", host.value);
    params.set("partner_places", places.value);
    box.querySelectorAll("input[name=links]:checked").forEach(function (checkbox) {
      params.append("links", checkbox.value);
    });
    box.setAttribute("aria-busy", "true");
    var request = {key: key};
    pending = request;
    request.promise = fetch(url + "?" + params.toString(), {
      headers: {Accept: "text/html"},
      credentials: "same-origin",
    })
      .then(function (response) {
        // A redirect means the session ended (the log-in page): keep what is shown.
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || pending !== request) {
          return false; // refused, or an answer to older places
        }
        var fragment = new DOMParser().parseFromString(html, "text/html");
        box.replaceChildren.apply(box, Array.prototype.slice.call(fragment.body.childNodes));
        shownKey = key;
        return shownTies().some(function (id) {
          return before.indexOf(id) === -1;
        });
      })
      .catch(function () {
        return false; // the server offers the ties on save or submit all the same
      })
      .then(function (changed) {
        if (pending === request) {
          pending = null;
          box.removeAttribute("aria-busy");
        }
        return changed;
      });
    return request.promise;
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  [host, places].forEach(function (field) {
    field.addEventListener("input", later);
    field.addEventListener("change", later);
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (sending || !submitter || submitter.name !== "submit" || placesKey() === shownKey) {
      return;
    }
    event.preventDefault();
    refresh().then(function (newTies) {
      if (newTies) {
        var note = document.createElement("p");
        note.className = "error-message";
        note.setAttribute("role", "alert");
        note.textContent = box.getAttribute("data-paused-message");
        box.appendChild(note);
        box.scrollIntoView({block: "center"});
        var first = box.querySelector("input[name=links]");
        if (first) {
          first.focus();
        }
      } else {
        sending = true;
        form.requestSubmit(submitter);
      }
    });
  });
})();
