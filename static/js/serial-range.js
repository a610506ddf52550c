// "Add Serial numbers": Generate is the form's first submit button, so Enter in
// First serial or Count generates, and without this script Enter anywhere does
// (which never saves). Enter in the form's other fields adds, as it did before
// Generate existed.
(function () {
  "use strict";

  const RANGE_FIELDS = ["first_serial", "count"];

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) return;
    const field = event.target;
    if (!(field instanceof HTMLInputElement) || !field.form) return;
    const add = field.form.querySelector("button[data-enter-adds]");
    if (!add || RANGE_FIELDS.includes(field.name)) return;
    event.preventDefault();
    field.form.requestSubmit(add);
  });
})();
