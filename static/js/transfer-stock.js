// Transfer stock's pick list: tick units In stock at From, then "Add ticked to the box"
// appends their serial numbers to the Serial numbers box (one a line, none twice), so
// the box stays the one list Send reads. "Tick all" ticks every unit listed. Units
// already in the box show ticked and disabled when the list comes in.
(function () {
  "use strict";

  function box(form) {
    return form.querySelector("textarea[name=serial_numbers]");
  }

  function entries(text) {
    return text
      .split(/[\n\r\t,;]+/)
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean);
  }

  function markAdded(form) {
    const typed = new Set(entries(box(form).value));
    form.querySelectorAll("input[data-pick-serial]").forEach((checkbox) => {
      const added = typed.has(checkbox.value.trim().toLowerCase());
      checkbox.disabled = added;
      if (added) checkbox.checked = true;
    });
  }

  function addTicked(form) {
    const area = box(form);
    const typed = new Set(entries(area.value));
    const adding = [];
    form.querySelectorAll("input[data-pick-serial]:checked:not(:disabled)").forEach((checkbox) => {
      const key = checkbox.value.trim().toLowerCase();
      if (!typed.has(key)) {
        typed.add(key);
        adding.push(checkbox.value);
      }
    });
    if (!adding.length) return;
    const text = area.value.replace(/\s+$/, "");
    area.value = (text ? text + "\n" : "") + adding.join("\n") + "\n";
    area.dispatchEvent(new Event("input", { bubbles: true }));
    markAdded(form);
  }

  document.addEventListener("click", (event) => {
    const form = event.target.closest("[data-transfer-form]");
    if (!form) return;
    if (event.target.closest("[data-pick-add]")) addTicked(form);
    if (event.target.closest("[data-pick-all]")) {
      form.querySelectorAll("input[data-pick-serial]:not(:disabled)").forEach((checkbox) => {
        checkbox.checked = true;
      });
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const form = event.target.closest && event.target.closest("[data-transfer-form]");
    if (form) markAdded(form);
  });
})();
