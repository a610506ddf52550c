// The count page's scan box. Enter sends what is in the box (one scan, or a typed
// list) and empties the box at once, so the next scan can follow while the answer
// is on its way; scans go one after another, in order, none dropped. Each answer
// says what became of the scan (newest first), and the running lists refresh.
// Shift+Enter starts a new line for a typed list. Without this script the form
// posts as usual (Add scans) and the page comes back.
(function () {
  "use strict";

  const SHOWN = 12;

  function start() {
    const form = document.querySelector("[data-count-scan-form]");
    if (!form) return;
    const box = form.querySelector("[data-count-scan-box]");
    const log = document.getElementById("count-scan-result");
    const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    const queue = [];
    let sending = false;

    function show(html) {
      log.insertAdjacentHTML("afterbegin", html);
      while (log.children.length > SHOWN) log.lastElementChild.remove();
    }

    function next() {
      if (sending || !queue.length) return;
      sending = true;
      const text = queue.shift();
      const body = new FormData();
      body.append("csrfmiddlewaretoken", token);
      body.append("serial_numbers", text);
      fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": token },
      })
        .then((response) => response.text())
        .then((html) => {
          show(html);
          if (window.htmx) window.htmx.trigger(document.body, "count-changed");
        })
        .catch(() => {
          // Not sent: give the text back, so nothing scanned is lost.
          box.value = box.value ? `${text}\n${box.value}` : text;
          const line = document.createElement("li");
          line.className = "text-danger";
          line.setAttribute("role", "alert");
          line.textContent = form.dataset.offline;
          log.prepend(line);
        })
        .finally(() => {
          sending = false;
          next();
        });
    }

    function send() {
      const text = box.value;
      if (!text.trim()) return;
      box.value = "";
      queue.push(text);
      next();
    }

    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send();
      box.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
