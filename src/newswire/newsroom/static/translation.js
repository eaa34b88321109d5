// The translator's editor, enhanced: keyboard shortcuts, the current segment highlighted, and
// the "use" buttons filling a segment in place. Without this script the page is a plain form:
// "use" posts it and the server shows it again with the suggestion in the segment.

const form = document.getElementById("translation-form");

function rows() {
  return [...form.querySelectorAll(".segment-row")].filter((row) => row.querySelector(".segment-field"));
}

function fieldOf(row) {
  return row?.querySelector(".segment-field") ?? null;
}

let current = null;

function setCurrent(row) {
  if (current === row) return;
  current?.classList.remove("current");
  current = row;
  current?.classList.add("current");
}

function focusRow(row) {
  const field = fieldOf(row);
  if (!field) return;
  field.focus();
  if (typeof field.setSelectionRange === "function") {
    field.setSelectionRange(field.value.length, field.value.length);
  }
  row.scrollIntoView({ block: "nearest" });
  setCurrent(row);
}

function move(step) {
  const all = rows();
  if (!all.length) return;
  const index = current ? all.indexOf(current) : -1;
  const next = all[Math.min(all.length - 1, Math.max(0, index + step))];
  focusRow(next);
}

// Puts a suggestion's text (as the field holds it) into the row's field, as typing would.
function fill(row, source) {
  const field = fieldOf(row);
  if (!field || field.readOnly || !source) return false;
  field.value = source.dataset.text ?? "";
  field.dispatchEvent(new Event("input", { bubbles: true }));
  focusRow(row);
  return true;
}

function suggestion(row, kind) {
  const button = row?.querySelector(`button[data-use="${kind}"]`);
  return button?.closest("li, .aid")?.querySelector(".aid-text") ?? null;
}

function save() {
  const button = document.getElementById("save-button");
  if (button) form.requestSubmit(button);
}

if (form) {
  document.getElementById("shortcuts")?.removeAttribute("hidden");

  form.addEventListener("focusin", (event) => {
    const row = event.target.closest(".segment-row");
    if (row) setCurrent(row);
  });

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-use]");
    if (!button) return;
    const row = button.closest(".segment-row");
    if (fill(row, suggestion(row, button.dataset.use))) event.preventDefault();
  });

  document.addEventListener("keydown", (event) => {
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && !event.shiftKey && !event.altKey && event.key === "Enter") {
      event.preventDefault();
      save();
    } else if (event.altKey && !ctrl && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.code === "KeyM" && ((ctrl && event.shiftKey) || (event.altKey && !ctrl))) {
      event.preventDefault();
      fill(current, suggestion(current, "machine"));
    } else if (ctrl && event.shiftKey && /^Digit[1-3]$/.test(event.code)) {
      event.preventDefault();
      fill(current, suggestion(current, `tm${event.code.slice(-1)}`));
    }
  });

  const wanted = form.dataset.focus;
  const start = wanted ? document.getElementById(`row-${wanted}`) : null;
  if (start) focusRow(start);
}
