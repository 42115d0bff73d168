// Starts Swagger UI for /api/docs (the reason for this file: the page's CSP allows no inline
// script). validatorUrl null: by default Swagger UI would send the schema to a third party.
(function () {
  "use strict";
  window.SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
})();
