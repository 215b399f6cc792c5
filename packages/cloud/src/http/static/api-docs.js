// Starts Swagger UI on the /docs page. It lives in its own file because the page's
// Content-Security-Policy allows scripts from this origin only, never inline ones.
(function () {
  'use strict';

  var container = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: container.getAttribute('data-spec-url'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The default validator is an outside service: the page must work offline and send nothing out.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
