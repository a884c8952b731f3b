// Starts ReDoc (static/vendor/redoc) on /redoc with the OpenAPI address the page gives.
(function () {
  "use strict";
  var node = document.getElementById("redoc");
  if (!node || !window.Redoc) {
    return;
  }
  window.Redoc.init(node.getAttribute("data-openapi"), {hideDownloadButton: false}, node);
}());
