// Print labels: the Print button opens the browser's print dialog. A script
// file, not an onclick attribute: the Content-Security-Policy allows no inline
// script.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-print-labels]")) {
      button.addEventListener("click", () => window.print());
    }
  });
})();
