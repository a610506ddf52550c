// A warranty claim's Replacement serial: htmx lists the In stock units of the
// claim's product under the box as the user types; a click on one puts its
// serial number in the box.
(function () {
  "use strict";

  document.addEventListener("click", (event) => {
    const unit = event.target.closest("[data-pick-replacement]");
    if (!unit) return;
    const box = unit.closest("form").querySelector('[name="replacement_serial"]');
    if (!box) return;
    box.value = unit.dataset.pickReplacement;
    box.focus();
  });
})();
