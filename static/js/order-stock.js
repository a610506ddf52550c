// Order stock: "Add line" copies the formset's empty line. The keyboard (and a
// scanner, which types a code and presses Enter): Enter never submits from a
// field; in Product it picks the product the text names exactly (a barcode, a
// SKU, a name) and moves to Quantity, in Quantity it moves to Cost, in Cost to
// Add line. Only the Save order button saves.
(function () {
  "use strict";

  function lineOf(element) {
    return element.closest("[data-order-line]");
  }

  function field(line, suffix) {
    return line.querySelector(`[name$="-${suffix}"]`);
  }

  function productBox(line) {
    return line.querySelector("[data-product-picker] [role=combobox]");
  }

  function focusOn(element) {
    if (!element) return;
    element.focus();
    if (element.select && element.tagName === "INPUT") element.select();
  }

  function addLine(form) {
    const total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    const max = form.querySelector('input[name$="-MAX_NUM_FORMS"]');
    const index = Number(total.value);
    if (max && index >= Number(max.value)) return;
    const html = form
      .querySelector("template[data-empty-line]")
      .innerHTML.replace(/__prefix__/g, String(index))
      .replace(/__num__/g, String(index + 1));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const line = holder.firstElementChild;
    form.querySelector("[data-order-lines]").appendChild(line);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(line);
    productBox(line).focus();
  }

  // Enter in Product: ask the suggestions view for the text as typed and pick
  // the option it marks as the exact match; none: the suggestions stay open.
  function enterInProduct(line, box) {
    const picker = box.closest("[data-product-picker]");
    const hidden = picker.querySelector("input[type=hidden]");
    const list = picker.querySelector("[role=listbox]");
    if (hidden.value) {
      focusOn(field(line, "quantity"));
      return;
    }
    const text = box.value.trim();
    if (!text) return;
    const url = new URL(box.getAttribute("hx-get"), window.location.href);
    url.searchParams.set("q", text);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        if (box.value.trim() !== text || hidden.value) return;
        list.innerHTML = html;
        const exact = list.querySelector("[role=option][data-exact]");
        if (exact) {
          line.dataset.enterPick = "true";
          exact.click();
        } else {
          box.setAttribute("aria-expanded", String(list.querySelector("[role=option]") !== null));
        }
      })
      .catch(() => {});
  }

  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      const target = event.target;
      if (!(target instanceof Element) || !target.closest("[data-order-form]")) return;
      const line = lineOf(target);
      if (target.matches("[role=option]")) {
        if (line) line.dataset.enterPick = "true";
        return;
      }
      if (target.tagName !== "INPUT") return;
      event.preventDefault();
      if (!line) return;
      if (target === productBox(line)) enterInProduct(line, target);
      else if (target === field(line, "quantity")) focusOn(field(line, "cost"));
      else if (target === field(line, "cost")) {
        focusOn(target.closest("form").querySelector("[data-add-line]"));
      }
    },
    true,
  );

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-line]");
    if (add && add.closest("[data-order-form]")) addLine(add.closest("form"));
  });

  document.addEventListener("picker:picked", (event) => {
    const line = lineOf(event.target);
    if (!line || !line.dataset.enterPick) return;
    delete line.dataset.enterPick;
    focusOn(field(line, "quantity"));
  });
})();
