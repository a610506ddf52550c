// "Add Serial numbers": count the entries in the Serial numbers box as the
// user types, pastes or scans, with the same separators as the server
// (commas, semicolons, tabs, new lines), and say so before a submission goes
// over the cap.
(function () {
  "use strict";

  const SEPARATORS = /[,;\t\r\n]+/;

  function count(text) {
    return text.split(SEPARATORS).filter((entry) => entry.trim() !== "").length;
  }

  // The server's own error on the box ("Enter at least one serial number.")
  // stays marked until the form is sent again: the count only adds its own.
  function update(box, note, serverInvalid) {
    const cap = Number(note.dataset.cap);
    const n = count(box.value);
    const format = (template) =>
      template
        .replace("{count}", n.toLocaleString(document.documentElement.lang))
        .replace("{cap}", cap.toLocaleString(document.documentElement.lang));
    const over = n > cap;
    if (n === 0) {
      note.textContent = note.dataset.initial;
    } else {
      note.textContent = format(over ? note.dataset.over : n === 1 ? note.dataset.one : note.dataset.many);
    }
    note.classList.toggle("text-danger", over);
    note.classList.toggle("fw-semibold", over);
    box.classList.toggle("is-invalid", over || serverInvalid);
  }

  function start() {
    const note = document.getElementById("serial-count");
    const box = document.querySelector("textarea.serial-input");
    if (!note || !box) return;
    note.dataset.initial = note.textContent.trim();
    const serverInvalid = box.classList.contains("is-invalid");
    box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
    box.addEventListener("input", () => update(box, note, serverInvalid));
    update(box, note, serverInvalid);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
