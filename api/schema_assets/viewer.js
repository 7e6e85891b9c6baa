// Starts Swagger UI on /schema. A file, not an inline script, so the page's CSP can refuse
// every inline script; the document's address comes from the page (data-url).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // no badge fetched from a validator elsewhere
  });
})();
