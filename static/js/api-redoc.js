/* ReDoc for /api/redoc/ (templates/api/redoc.html), with no inline code.

   Loaded before ReDoc's bundle, with the response's CSP nonce on its tag. ReDoc writes its
   styles at run time (its own and its scroll bars'), some while the bundle loads: every
   <style> element created on this page is stamped with that nonce, which the page's
   Content-Security-Policy allows for this one response. Images from other sites (ReDoc's
   footer logo) are not requested: the policy would refuse them anyway, and the page asks
   nothing of another site. Fonts are the system's. Then ReDoc renders once the page is read. */
"use strict";

(function () {
  const nonce = document.currentScript ? document.currentScript.nonce : "";
  const createElement = document.createElement.bind(document);

  const imageSource = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");

  function onThisSite(value) {
    const url = new URL(String(value), document.baseURI);
    return url.protocol === "data:" || url.origin === window.location.origin;
  }

  function keepOnThisSite(image) {
    const setAttribute = image.setAttribute;
    image.setAttribute = function (name, value) {
      const refused = String(name).toLowerCase() === "src" && !onThisSite(value);
      return setAttribute.call(this, name, refused ? "" : value);
    };
    Object.defineProperty(image, "src", {
      get: function () {
        return imageSource.get.call(this);
      },
      set: function (value) {
        imageSource.set.call(this, onThisSite(value) ? value : "");
      },
    });
  }

  document.createElement = function (tagName, options) {
    const element = createElement(tagName, options);
    const tag = String(tagName).toLowerCase();
    if (tag === "style" && nonce) {
      element.setAttribute("nonce", nonce);
    } else if (tag === "img") {
      keepOnThisSite(element);
    }
    return element;
  };

  const systemFont =
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif';
  const monospace = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono", monospace';

  document.addEventListener("DOMContentLoaded", function () {
    const root = document.getElementById("redoc");
    if (!root || !window.Redoc) {
      return;
    }
    window.Redoc.init(
      root.dataset.schemaUrl,
      {
        nonce: nonce || undefined,
        theme: {
          typography: {
            fontFamily: systemFont,
            headings: { fontFamily: systemFont },
            code: { fontFamily: monospace },
          },
        },
      },
      root,
    );
  });
})();
