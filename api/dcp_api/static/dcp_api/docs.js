// Swagger UI on the vendored bundle. validatorUrl: null stops it calling the public online validator.
(function () {
  var url = document.getElementById("docs-script").getAttribute("data-schema-url");
  window.SwaggerUIBundle({ url: url, dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true, tryItOutEnabled: true });
})();
