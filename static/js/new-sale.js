// New sale: "Add line" copies the formset's empty line; picking a product
// fills an empty Unit price with its retail price; "Pick from stock" asks for
// the line's product at the chosen outlet (leaving out the serials already on
// the sale), and a click on a serial adds it to the line's Serial numbers. The
// running total follows Quantity and Unit price. The keyboard (and a scanner,
// which types a code and presses Enter): Enter never submits from a field; in
// Product it picks the product the text names exactly and moves on, in
// Quantity and Unit price it moves on. Serial numbers keeps Enter as a new
// line. Only the Complete sale button completes. The receipt's Print button
// prints the page.
(function () {
  "use strict";

  const SEPARATORS = /[,;\t\r\n]+/;
  // Serials of the same product sent to "Pick from stock", so the request stays short.
  const TYPED_CHARS = 1500;

  function lineOf(element) {
    return element.closest("[data-sale-line]");
  }

  function field(line, suffix) {
    return line.querySelector(`[name$="-${suffix}"]`);
  }

  function productBox(line) {
    return line.querySelector("[data-product-picker] [role=combobox]");
  }

  function lines(form) {
    return Array.from(form.querySelectorAll("[data-sale-lines] [data-sale-line]"));
  }

  // The serial number as the server compares it (NFKC, case folded, trimmed).
  function key(text) {
    return text.trim().normalize("NFKC").toLowerCase();
  }

  function typedSerials(line) {
    return field(line, "serial_numbers")
      .value.split(SEPARATORS)
      .map((s) => s.trim())
      .filter(Boolean);
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
    productBox(line).focus();
    updateTotal(form);
  }

  function addSerial(button) {
    const line = lineOf(button);
    const box = field(line, "serial_numbers");
    const serial = button.dataset.pickSerial;
    if (!typedSerials(line).map(key).includes(key(serial))) {
      const text = box.value.replace(/[\s,;]+$/, "");
      box.value = text ? `${text}\n${serial}` : serial;
    }
    syncPicks(button.closest("form"));
  }

  // --- Running total -------------------------------------------------------

  function cents(text) {
    const value = text.trim();
    if (!/^\d+(\.\d+)?$/.test(value)) return null;
    return Math.round(Number(value) * 100);
  }

  function format(output, amount) {
    try {
      const style = { style: "currency", currency: output.dataset.currency };
      return new Intl.NumberFormat(output.dataset.locale || undefined, style).format(amount);
    } catch (error) {
      return amount.toFixed(2);
    }
  }

  // Quantity x Unit price over the lines; a blank Unit price is the product's
  // retail price (the line's data-price, from the pick or the server).
  function updateTotal(form) {
    const output = form.querySelector("[data-sale-total]");
    if (!output) return;
    let sum = 0;
    lines(form).forEach((line) => {
      const quantity = field(line, "quantity").value.trim();
      const typed = field(line, "unit_price").value;
      const price = typed.trim() ? cents(typed) : cents(line.dataset.price || "");
      if (/^\d+$/.test(quantity) && price !== null) sum += Number(quantity) * price;
    });
    output.value = format(output, sum / 100);
  }

  // --- Pick from stock: never offer a serial already on the sale ----------

  function syncPicks(form) {
    const typed = new Set(lines(form).flatMap((line) => typedSerials(line).map(key)));
    form.querySelectorAll("[data-stock-options]").forEach((options) => {
      const buttons = Array.from(options.querySelectorAll("[data-pick-serial]"));
      buttons.forEach((b) => {
        b.hidden = typed.has(key(b.dataset.pickSerial));
      });
      const note = options.querySelector("[data-all-typed]");
      if (note) note.hidden = !buttons.length || buttons.some((b) => !b.hidden);
    });
  }

  // --- Keyboard ------------------------------------------------------------

  function focusOn(element) {
    if (!element) return;
    element.focus();
    if (element.select && element.tagName === "INPUT") element.select();
  }

  // After a product is picked: a serialised one waits for its serials (a
  // scanner's next scan), any other for its quantity.
  function moveOnFromProduct(line) {
    focusOn(line.dataset.serialised === "true" ? field(line, "serial_numbers") : field(line, "quantity"));
  }

  function moveOnFromPrice(line) {
    if (line.dataset.serialised === "false") {
      focusOn(line.closest("form").querySelector("[data-add-line]"));
    } else {
      focusOn(field(line, "serial_numbers"));
    }
  }

  // Enter in Product: ask the suggestions view for the text as typed and pick
  // the option it marks as the exact match (data-exact: SKU or name, later a
  // barcode: the server decides). No exact match: the suggestions stay open.
  function enterInProduct(line, box) {
    const picker = box.closest("[data-product-picker]");
    const hidden = picker.querySelector("input[type=hidden]");
    const list = picker.querySelector("[role=listbox]");
    if (hidden.value) {
      moveOnFromProduct(line);
      return;
    }
    const text = box.value.trim();
    if (!text) return;
    const url = new URL(box.getAttribute("hx-get"), window.location.href);
    url.searchParams.set("q", text);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        // Typed on, or picked by hand, while the answer was on its way.
        if (box.value.trim() !== text || hidden.value) return;
        list.innerHTML = html;
        const exact = list.querySelector("[role=option][data-exact]");
        if (exact) {
          line.dataset.enterPick = "true";
          exact.click(); // product-picker.js picks it, as a click on it would
        } else {
          box.setAttribute("aria-expanded", String(list.querySelector("[role=option]") !== null));
        }
      })
      .catch(() => {});
  }

  // Capture phase: before product-picker.js picks a highlighted option with
  // Enter (and takes the option out of the page), note that the pick came from
  // the keyboard, so the focus moves on after it.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      const target = event.target;
      if (!(target instanceof Element) || !target.closest("[data-sale-form]")) return;
      const line = lineOf(target);
      if (target.matches("[role=option]")) {
        if (line) line.dataset.enterPick = "true";
        return;
      }
      // Buttons keep Enter (Complete sale completes); Serial numbers keeps its new line.
      if (target.tagName !== "INPUT") return;
      event.preventDefault();
      if (!line) return;
      if (target === productBox(line)) enterInProduct(line, target);
      else if (target === field(line, "quantity")) focusOn(field(line, "unit_price"));
      else if (target === field(line, "unit_price")) moveOnFromPrice(line);
    },
    true,
  );

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

  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("[data-sale-form]");
    if (!form) return;
    const line = lineOf(event.target);
    if (line && event.target === productBox(line)) {
      // A new product is being typed: the old one's price and kind no longer hold.
      delete line.dataset.price;
      delete line.dataset.serialised;
    }
    if (line && event.target === field(line, "serial_numbers")) syncPicks(form);
    updateTotal(form);
  });

  document.addEventListener("htmx:configRequest", (event) => {
    const elt = event.detail.elt;
    if (!(elt instanceof Element)) return;
    const line = lineOf(elt);
    // (A picked product's own searches are stopped by product-picker.js.)
    if (!line || !elt.closest("[data-sale-form]") || !elt.matches("[data-pick-stock]")) return;
    // The serial list is for this line's product at the outlet chosen above,
    // without the serials already typed on lines of that product.
    const form = elt.closest("form");
    const product = field(line, "product").value;
    const outlet = form.querySelector('select[name="outlet"]');
    const same = lines(form).filter((l) => product && field(l, "product").value === product);
    let typed = same.flatMap(typedSerials).join("\n");
    if (typed.length > TYPED_CHARS) typed = typed.slice(0, typed.lastIndexOf("\n", TYPED_CHARS));
    event.detail.parameters = { product, outlet: outlet ? outlet.value : "", typed };
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const form = event.target.closest && event.target.closest("[data-sale-form]");
    if (form && event.target.matches("[data-stock-options]")) syncPicks(form);
  });

  document.addEventListener("picker:picked", (event) => {
    const line = lineOf(event.target);
    if (!line) return;
    const detail = event.detail;
    if (detail.price) line.dataset.price = detail.price;
    if (detail.serialised) line.dataset.serialised = detail.serialised;
    const price = field(line, "unit_price");
    if (detail.price && price && !price.value.trim()) price.value = detail.price;
    updateTotal(line.closest("form"));
    if (line.dataset.enterPick) {
      delete line.dataset.enterPick;
      moveOnFromProduct(line);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-sale-form]").forEach((form) => {
      updateTotal(form);
    });
  });
})();
