/* Swagger UI for /api/docs/ (templates/api/swagger_ui.html), with no inline code: the page's
   Content-Security-Policy runs scripts from this site only. "Try it out" sends the session's
   CSRF token on writes, so a signed-in partner can call the proposal endpoints from here. */
"use strict";

(function () {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  const csrfHeader = root.dataset.csrfHeader;
  const csrfToken = root.dataset.csrfToken;
  const safeMethods = ["GET", "HEAD", "OPTIONS", undefined];

  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    requestInterceptor: function (request) {
      if (!safeMethods.includes(request.method) && csrfHeader && csrfToken) {
        request.headers[csrfHeader] = csrfToken;
      }
      return request;
    },
  });
})();
