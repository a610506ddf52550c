// The Product field of "Add Serial numbers": htmx fills the list of matches as
// the user types; this script lets a click, or the arrow keys and Enter, pick
// one, and keeps the hidden product id in step with the text box.
(function () {
  "use strict";

  function parts(element) {
    const picker = element.closest("[data-product-picker]");
    if (!picker) return null;
    return {
      text: picker.querySelector("[role=combobox]"),
      hidden: picker.querySelector("input[type=hidden]"),
      list: picker.querySelector("[role=listbox]"),
    };
  }

  function options(list) {
    return Array.from(list.querySelectorAll("[role=option]"));
  }

  function close(p) {
    p.list.replaceChildren();
    p.text.setAttribute("aria-expanded", "false");
  }

  function pick(option) {
    const p = parts(option);
    // A search still on its way must not reopen the list after the pick.
    if (window.htmx) window.htmx.trigger(p.text, "htmx:abort");
    p.hidden.value = option.dataset.value;
    p.text.value = option.textContent.trim();
    close(p);
    p.text.focus();
    // Pages that use the pick (New sale fills the Unit price) listen for this.
    p.text.dispatchEvent(
      new CustomEvent("picker:picked", { bubbles: true, detail: { ...option.dataset } }),
    );
  }

  function highlight(p, index) {
    const all = options(p.list);
    if (!all.length) return;
    const next = all[(index + all.length) % all.length];
    all.forEach((o) => o.setAttribute("aria-selected", String(o === next)));
    all.forEach((o) => o.classList.toggle("active", o === next));
    next.focus();
  }

  // The options view reads the typed text as `q`, whatever the field's name.
  // A picked product (its id in the hidden input) asks for no suggestions: the
  // focus coming back, after a pick, a page shown again or Back, would search
  // its "Name (SKU)" text and open a box over the next field. Typing clears the
  // id (below), so what is typed after a pick is searched as usual.
  document.addEventListener("htmx:configRequest", (event) => {
    const p = parts(event.detail.elt);
    if (p && event.detail.elt === p.text) {
      if (p.hidden.value) {
        event.preventDefault();
        return;
      }
      event.detail.parameters = { q: p.text.value };
    }
  });

  // Text typed before htmx was ready (a fast typist, a slow page) still gets
  // its suggestions; a page shown again after an error does not reopen the
  // list over the error, because its box does not have the focus.
  // htmx says "htmx:load" on the body once it has wired up the whole page.
  document.addEventListener("htmx:load", (event) => {
    if (event.target !== document.body) return;
    const p = parts(document.activeElement || document.body);
    if (p && document.activeElement === p.text && p.text.value.trim() && !p.hidden.value) {
      // "focus" (one of the box's triggers): "input changed" would see no change.
      window.htmx.trigger(p.text, "focus");
    }
  });

  document.addEventListener("input", (event) => {
    const p = parts(event.target);
    if (p && event.target === p.text) p.hidden.value = "";
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const p = parts(event.target);
    if (p && event.target === p.list) {
      p.text.setAttribute("aria-expanded", String(options(p.list).length > 0));
    }
  });

  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-product-picker] [role=option]");
    if (option) {
      pick(option);
      return;
    }
    document.querySelectorAll("[data-product-picker]").forEach((picker) => {
      if (!picker.contains(event.target)) close(parts(picker));
    });
  });

  // The button Enter would press: the form's own choice (Add Serial numbers marks
  // it, Generate being first), else its first submit button, as a browser does.
  function enterButton(form) {
    return (
      form.querySelector("button[data-enter-adds]") ||
      form.querySelector("button[type=submit], button:not([type]), input[type=submit]")
    );
  }

  function nextField(p) {
    const fields = Array.from(p.text.form.elements);
    return fields
      .slice(fields.indexOf(p.hidden) + 1)
      .find((f) => f.type !== "hidden" && !f.disabled && f.tagName !== "FIELDSET");
  }

  // Enter in a form's Product box with text and no pick (a scanner types a
  // barcode, then Enter): ask the suggestions view for the text and pick the
  // product it marks as named exactly (barcode, scan, SKU or name; the server
  // decides), then move on to the next field. Nothing named exactly: Enter
  // submits as before, and the server says what the text matches. New sale
  // does this its own way (new-sale.js); a filter bar (GET) keeps Enter as Filter.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      const p = parts(event.target);
      if (!p || event.target !== p.text || p.hidden.value || !p.text.value.trim()) return;
      const form = p.text.form;
      if (!form || form.method !== "post" || p.text.closest("[data-sale-form]")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const text = p.text.value.trim();
      const url = new URL(p.text.getAttribute("hx-get"), window.location.href);
      url.searchParams.set("q", text);
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then((response) => (response.ok ? response.text() : ""))
        .catch(() => "")
        .then((html) => {
          // Typed on, or picked by hand, while the answer was on its way.
          if (p.text.value.trim() !== text || p.hidden.value) return;
          const list = document.createElement("ul");
          list.innerHTML = html;
          const exact = list.querySelector("[role=option][data-exact]");
          if (!exact) {
            form.requestSubmit(enterButton(form));
            return;
          }
          p.list.replaceChildren(exact);
          pick(exact);
          const next = nextField(p);
          if (next) next.focus();
        });
    },
    true,
  );

  document.addEventListener("keydown", (event) => {
    const p = parts(event.target);
    if (!p) return;
    const all = options(p.list);
    const current = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight(p, current + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      pick(all[current]);
    } else if (event.key === "Escape") {
      close(p);
      p.text.focus();
    }
  });
})();
