// Date filters: a text box in the shop's date format (config/widgets.py) and a
// calendar popup. The browser's own date picker would show its user's language,
// not the shop's. Every listener sits on the document and a calendar is built on
// first use, so boxes that htmx swaps in work too.
(function () {
  "use strict";

  const ISO = "%Y-%m-%d";
  const SEPARATED_DIGITS = /^[0-9]+(?:[\s./,-]+[0-9]+)*[\s./,-]*$/;
  const FIELDS = new Set(["d", "m", "Y", "y"]);

  // Days are UTC midnights, so adding days never meets a daylight-saving change.
  function makeDay(year, month, day) {
    return new Date(Date.UTC(year, month, day));
  }

  function validDay(year, month, day) {
    if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return null;
    const made = makeDay(year, month - 1, day);
    return made.getUTCMonth() === month - 1 && made.getUTCDate() === day ? made : null;
  }

  function today() {
    const now = new Date();
    return makeDay(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function addDays(day, count) {
    return makeDay(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + count);
  }

  function addMonths(day, count) {
    const year = day.getUTCFullYear();
    const month = day.getUTCMonth() + count;
    const last = makeDay(year, month + 1, 0).getUTCDate();
    return makeDay(year, month, Math.min(day.getUTCDate(), last));
  }

  function sameDay(a, b) {
    return Boolean(a && b) && a.getTime() === b.getTime();
  }

  const pad = (number, width) => String(number).padStart(width, "0");

  // The pattern (Python's strftime: %d %m %Y %y and literal text) as a list of
  // fields and literals; null for a directive this script does not know, and
  // then dates are written as ISO, which the server accepts too.
  function tokens(pattern) {
    const parts = [];
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] !== "%" || i + 1 === pattern.length) {
        parts.push({ literal: pattern[i] });
        continue;
      }
      const code = pattern[++i];
      if (code === "%") parts.push({ literal: "%" });
      else if (FIELDS.has(code)) parts.push({ field: code });
      else return null;
    }
    return parts;
  }

  function format(day, pattern) {
    const parts = tokens(pattern) || tokens(ISO);
    const values = {
      d: pad(day.getUTCDate(), 2),
      m: pad(day.getUTCMonth() + 1, 2),
      Y: pad(day.getUTCFullYear(), 4),
      y: pad(day.getUTCFullYear() % 100, 2),
    };
    return parts.map((part) => (part.field ? values[part.field] : part.literal)).join("");
  }

  // A two-digit year as Python's strptime reads %y: 69-99 are the 1900s.
  function fullYear(digits) {
    const year = Number(digits);
    if (digits.length > 2) return year;
    return year + (year < 69 ? 2000 : 1900);
  }

  function fromFields(fields, values) {
    const found = {};
    fields.forEach((field, i) => {
      const digits = values[i];
      if (field === "d") found.day = digits.length <= 2 ? Number(digits) : NaN;
      else if (field === "m") found.month = digits.length <= 2 ? Number(digits) : NaN;
      else found.year = digits.length === 2 || digits.length === 4 ? fullYear(digits) : NaN;
    });
    return validDay(found.year, found.month, found.day);
  }

  // What the user typed, read with the shop's pattern, leniently: any of the
  // usual separators, or none at all (a phone's digit keyboard has no "/").
  // ISO (yyyy-mm-dd) is read too. Null when it is not a date.
  function parse(text, pattern) {
    text = (text || "").trim();
    const iso = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/.exec(text);
    if (iso) return validDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    const parts = tokens(pattern);
    if (!parts || !SEPARATED_DIGITS.test(text)) return null;
    const fields = parts.filter((part) => part.field).map((part) => part.field);
    const groups = text.match(/[0-9]+/g);
    if (groups.length === fields.length) return fromFields(fields, groups);
    if (groups.length !== 1) return null;
    const digits = groups[0];
    for (const yearWidth of [4, 2]) {
      const widths = fields.map((field) => (field === "Y" ? yearWidth : 2));
      if (widths.reduce((sum, width) => sum + width, 0) !== digits.length) continue;
      let at = 0;
      return fromFields(
        fields,
        widths.map((width) => digits.slice(at, (at += width)))
      );
    }
    return null;
  }

  function formatter(options) {
    const all = { ...options, timeZone: "UTC" };
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, all);
    } catch (error) {
      return new Intl.DateTimeFormat(undefined, all);
    }
  }

  const pickers = new WeakMap();
  let openPicker = null;

  function element(tag, className, attributes) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    for (const [name, value] of Object.entries(attributes || {})) made.setAttribute(name, value);
    return made;
  }

  function createPicker(root) {
    const input = root.querySelector("input");
    const toggle = root.querySelector(".date-picker-toggle");
    const pattern = input.dataset.dateFormat || ISO;
    const firstDay = Number(input.dataset.firstDayOfWeek) || 0;
    const min = input.dataset.minDate ? parse(input.dataset.minDate, ISO) : null;
    const max = input.dataset.maxDate ? parse(input.dataset.maxDate, ISO) : null;
    const fullDate = formatter({ day: "numeric", month: "long", year: "numeric" });
    const monthTitle = formatter({ month: "long", year: "numeric" });
    const dayNumber = formatter({ day: "numeric" });
    const id = `${input.id || input.name}-calendar`;

    // tabindex -1: a click on the popup's background keeps the focus inside it.
    const popup = element("div", "date-picker-popup card shadow", {
      id: id,
      role: "dialog",
      "aria-labelledby": `${id}-title`,
      tabindex: "-1",
    });
    popup.hidden = true;
    const head = element("div", "date-picker-head");
    const previous = element("button", "btn btn-sm btn-outline-primary date-picker-nav", {
      type: "button",
      "aria-label": root.dataset.labelPrevious || "Previous month",
    });
    previous.append(element("span", "", { "aria-hidden": "true" }));
    previous.firstChild.textContent = "\u2039";
    const next = element("button", "btn btn-sm btn-outline-primary date-picker-nav", {
      type: "button",
      "aria-label": root.dataset.labelNext || "Next month",
    });
    next.append(element("span", "", { "aria-hidden": "true" }));
    next.firstChild.textContent = "\u203a";
    const title = element("h2", "date-picker-title", { id: `${id}-title`, "aria-live": "polite" });
    head.append(previous, title, next);

    const table = element("table", "date-picker-grid");
    const headings = table.createTHead().insertRow();
    const shortName = formatter({ weekday: "short" });
    const longName = formatter({ weekday: "long" });
    const sunday = makeDay(2023, 0, 1);
    for (let i = 0; i < 7; i++) {
      const weekday = addDays(sunday, (firstDay + i) % 7);
      const heading = element("th", "", { scope: "col", abbr: longName.format(weekday) });
      heading.textContent = shortName.format(weekday);
      headings.append(heading);
    }
    const body = table.createTBody();
    popup.append(head, table);
    root.append(popup);
    toggle.setAttribute("aria-controls", id);

    let shown = null; // the first day of the month on show
    let focusDay = null; // the day button that holds the grid's one tab stop

    const allowed = (day) => !(min && day < min) && !(max && day > max);
    const clamp = (day) => (min && day < min ? min : max && day > max ? max : day);

    function render() {
      const year = shown.getUTCFullYear();
      const month = shown.getUTCMonth();
      title.textContent = monthTitle.format(shown);
      previous.disabled = Boolean(min) && makeDay(year, month, 0) < min;
      next.disabled = Boolean(max) && makeDay(year, month + 1, 1) > max;
      const selected = parse(input.value, pattern);
      const now = today();
      const offset = (shown.getUTCDay() - firstDay + 7) % 7;
      const length = makeDay(year, month + 1, 0).getUTCDate();
      body.replaceChildren();
      let row = null;
      for (let cell = 0; cell < offset + length; cell++) {
        if (cell % 7 === 0) row = body.insertRow();
        const td = row.insertCell();
        if (cell < offset) continue;
        const day = makeDay(year, month, cell - offset + 1);
        const button = element("button", "date-picker-day", {
          type: "button",
          "aria-label": fullDate.format(day),
          "aria-pressed": String(sameDay(day, selected)),
          "data-date": format(day, ISO),
        });
        button.textContent = dayNumber.format(day);
        if (sameDay(day, now)) button.setAttribute("aria-current", "date");
        button.disabled = !allowed(day);
        button.tabIndex = sameDay(day, focusDay) ? 0 : -1;
        td.append(button);
      }
      while (row.cells.length < 7) row.insertCell();
    }

    function focusedButton() {
      return body.querySelector(`[data-date="${format(focusDay, ISO)}"]`);
    }

    function show(day, { focus }) {
      focusDay = clamp(day);
      shown = makeDay(focusDay.getUTCFullYear(), focusDay.getUTCMonth(), 1);
      render();
      if (focus) focusedButton().focus();
    }

    function place() {
      // Near the right edge of the screen, open towards the left, under the button.
      const room = document.documentElement.clientWidth - 8;
      popup.classList.remove("date-picker-popup-end");
      if (popup.getBoundingClientRect().right > room) {
        popup.classList.add("date-picker-popup-end");
        if (popup.getBoundingClientRect().left < 0) popup.classList.remove("date-picker-popup-end");
      }
    }

    function open() {
      if (openPicker && openPicker !== picker) openPicker.close();
      popup.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      show(parse(input.value, pattern) || today(), { focus: false });
      place();
      // On a phone the calendar may open below the screen's edge.
      popup.scrollIntoView({ block: "nearest" });
      focusedButton().focus();
      openPicker = picker;
    }

    function close(focusTarget) {
      if (popup.hidden) return;
      popup.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      if (openPicker === picker) openPicker = null;
      if (focusTarget) focusTarget.focus();
    }

    function pick(day) {
      input.value = format(day, pattern);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close(input);
    }

    previous.addEventListener("click", () => show(addMonths(focusDay, -1), { focus: false }));
    next.addEventListener("click", () => show(addMonths(focusDay, 1), { focus: false }));
    body.addEventListener("click", (event) => {
      const button = event.target.closest(".date-picker-day");
      if (button && !button.disabled) pick(parse(button.dataset.date, ISO));
    });

    const MOVES = {
      ArrowLeft: (day) => addDays(day, -1),
      ArrowRight: (day) => addDays(day, 1),
      ArrowUp: (day) => addDays(day, -7),
      ArrowDown: (day) => addDays(day, 7),
      PageUp: (day, event) => addMonths(day, event.shiftKey ? -12 : -1),
      PageDown: (day, event) => addMonths(day, event.shiftKey ? 12 : 1),
      Home: (day) => addDays(day, -((day.getUTCDay() - firstDay + 7) % 7)),
      End: (day) => addDays(day, 6 - ((day.getUTCDay() - firstDay + 7) % 7)),
    };
    body.addEventListener("keydown", (event) => {
      const move = MOVES[event.key];
      if (!move || !event.target.closest(".date-picker-day")) return;
      event.preventDefault();
      show(move(focusDay, event), { focus: true });
    });
    root.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || popup.hidden) return;
      event.preventDefault();
      event.stopPropagation();
      close(toggle);
    });

    const picker = {
      root: root,
      close: () => close(null),
      toggle: () => (popup.hidden ? open() : close(null)),
    };
    return picker;
  }

  function pickerFor(root) {
    if (!pickers.has(root)) pickers.set(root, createPicker(root));
    return pickers.get(root);
  }

  // A date typed another way ("28.11.26", "28112026", ISO) is rewritten in the
  // shop's format; text that is no date is left for the server to refuse.
  function tidy(input) {
    const day = parse(input.value, input.dataset.dateFormat || ISO);
    if (day) input.value = format(day, input.dataset.dateFormat || ISO);
  }

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest && event.target.closest(".date-picker .date-picker-toggle");
    if (toggle) pickerFor(toggle.closest(".date-picker")).toggle();
  });
  // A click or a focus anywhere else closes the calendar.
  for (const type of ["pointerdown", "focusin"]) {
    document.addEventListener(type, (event) => {
      if (openPicker && !openPicker.root.contains(event.target)) openPicker.close();
    });
  }
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches(".date-picker input")) tidy(event.target);
  });
  // Sent with Enter, a form may go before the box has had its change event.
  document.addEventListener("submit", (event) => {
    event.target.querySelectorAll(".date-picker input").forEach(tidy);
  });
})();
