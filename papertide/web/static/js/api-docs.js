/* papertide: start the vendored Swagger UI on /docs over /openapi.json (no inline script). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  if (typeof window.SwaggerUIBundle !== "function") { return; }
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
