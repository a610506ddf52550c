// New sale: "Add line" copies the formset's empty line; picking a product
// fills an empty Unit price with its retail price; "Pick from stock" asks for
// the line's product at the chosen outlet, and a click on a serial adds it to
// the line's Serial numbers. The receipt's Print button prints the page.
(function () {
  "use strict";

  function lineOf(element) {
    return element.closest("[data-sale-line]");
  }

  function field(line, suffix) {
    return line.querySelector(`[name$="-${suffix}"]`);
  }

  function addLine(form) {
    const total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    const max = form.querySelector('input[name$="-MAX_NUM_FORMS"]');
    const index = Number(total.value);
    if (max && index >= Number(max.value)) return;
    const template = form.querySelector("template[data-empty-line]");
    const html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__num__/g, String(index + 1));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const line = holder.firstElementChild;
    form.querySelector("[data-sale-lines]").appendChild(line);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(line);
    line.querySelector("[role=combobox]").focus();
  }

  function addSerial(button) {
    const line = lineOf(button);
    const box = field(line, "serial_numbers");
    const serial = button.dataset.pickSerial;
    const typed = box.value.split(/[,;\t\r\n]+/).map((s) => s.trim().toLowerCase());
    if (!typed.includes(serial.toLowerCase())) {
      const text = box.value.replace(/[\s,;]+$/, "");
      box.value = text ? `${text}\n${serial}` : serial;
    }
    button.disabled = true;
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-line]");
    if (add) {
      addLine(add.closest("form"));
      return;
    }
    const serial = event.target.closest("[data-pick-serial]");
    if (serial) {
      addSerial(serial);
      return;
    }
    if (event.target.closest("[data-print]")) window.print();
  });

  // The serial list is for this line's product at the outlet chosen above.
  document.addEventListener("htmx:configRequest", (event) => {
    const button = event.detail.elt;
    if (!button.matches || !button.matches("[data-pick-stock]")) return;
    const line = lineOf(button);
    const outlet = button.closest("form").querySelector('select[name="outlet"]');
    event.detail.parameters = {
      product: field(line, "product").value,
      outlet: outlet ? outlet.value : "",
    };
  });

  document.addEventListener("picker:picked", (event) => {
    const line = lineOf(event.target);
    if (!line || !event.detail.price) return;
    const price = field(line, "unit_price");
    if (price && !price.value.trim()) price.value = event.detail.price;
  });
})();
