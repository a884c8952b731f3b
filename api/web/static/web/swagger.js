// Starts Swagger UI (static/vendor/swagger_ui) on /docs with the OpenAPI address the page gives; a file, not an
// in-line script, so that the page's Content-Security-Policy can forbid those.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || !window.SwaggerUIBundle) {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    validatorUrl: null,
    tryItOutEnabled: false
  });
}());
