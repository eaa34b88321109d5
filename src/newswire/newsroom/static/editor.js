// The story editor, enhanced: the body as one editable block per paragraph with a toolbar,
// Media Topics as removable chips with a search, a live dateline preview, and autosave.
// Without this script the same form works: a textarea of HTML and a field of topic codes.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// --- the body: paragraphs ---------------------------------------------------------------------

// What the server keeps of a body (newswire.stories.sanitize); anything else is dropped here
// too, so that nothing pasted or typed as HTML ever becomes live markup in the page.
const ALLOWED = new Set(["P", "H2", "H3", "B", "STRONG", "I", "EM", "U", "A", "UL", "OL", "LI",
  "BLOCKQUOTE", "BR", "Q", "SUB", "SUP"]);
const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "IFRAME", "OBJECT", "EMBED", "NOSCRIPT"]);
const BLOCKS = new Set(["P", "H2", "H3", "UL", "OL", "BLOCKQUOTE"]);

function safeHref(href) {
  try {
    const url = new URL(href, window.location.href);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// Copies the allowed part of `source` into `target`: elements are made anew, without
// attributes, so an event handler or a style in the source never reaches the document.
function copyAllowed(source, target) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(node.textContent);
    } else if (node.nodeType === Node.ELEMENT_NODE && !DROPPED.has(node.tagName)) {
      if (!ALLOWED.has(node.tagName)) {
        copyAllowed(node, target);
        continue;
      }
      const copy = document.createElement(node.tagName);
      if (node.tagName === "A") {
        const href = safeHref(node.getAttribute("href") ?? "");
        if (href) copy.setAttribute("href", href);
      }
      copyAllowed(node, copy);
      target.append(copy);
    }
  }
}

function parseBody(html) {
  const template = document.createElement("template"); // inert: nothing in it loads or runs
  template.innerHTML = html;
  const clean = document.createDocumentFragment();
  copyAllowed(template.content, clean);
  return clean;
}

class BodyEditor {
  constructor(textarea, toolbarTemplate) {
    this.textarea = textarea;
    this.container = document.createElement("div");
    this.container.className = "body-blocks";
    this.container.lang = textarea.lang;
    this.container.dir = textarea.dir;
    this.current = null;
    const toolbar = toolbarTemplate.content.firstElementChild.cloneNode(true);
    toolbar.setAttribute("aria-controls", "body-blocks");
    this.container.id = "body-blocks";
    this.toolbar = toolbar;
    textarea.after(toolbar, this.container);
    textarea.hidden = true;
    this.load(textarea.value);
    if (textarea.closest("fieldset")?.disabled) {
      for (const block of this.blocks()) block.contentEditable = "false";
      toolbar.hidden = true;
      return;
    }
    toolbar.addEventListener("mousedown", (event) => {
      if (event.target.closest("button")) event.preventDefault(); // keep the text selection
    });
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-command]");
      if (button) this.command(button.dataset.command, button);
    });
    this.container.addEventListener("focusin", (event) => {
      const block = event.target.closest(".block");
      if (block) this.current = block;
    });
    this.container.addEventListener("keydown", (event) => this.keydown(event));
    this.container.addEventListener("paste", (event) => this.paste(event));
    this.container.addEventListener("input", () => this.textarea.dispatchEvent(new Event("input", { bubbles: true })));
  }

  blocks() {
    return [...this.container.children];
  }

  makeBlock(tag, content) {
    const block = document.createElement(tag);
    block.className = "block";
    block.contentEditable = "true";
    if (content) block.append(content);
    return block;
  }

  load(html) {
    const fragment = parseBody(html);
    let loose = null; // inline content between blocks becomes a paragraph of its own
    for (const node of [...fragment.childNodes]) {
      const isBlock = node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.tagName);
      if (isBlock) {
        loose = null;
        const block = this.makeBlock(node.tagName);
        block.append(...node.childNodes);
        this.container.append(block);
      } else if (node.nodeType === Node.ELEMENT_NODE || node.textContent.trim()) {
        if (!loose) {
          loose = this.makeBlock("P");
          this.container.append(loose);
        }
        loose.append(node);
      }
    }
    if (!this.container.firstElementChild) this.container.append(this.makeBlock("P"));
  }

  // The body as HTML for the textarea: empty paragraphs are left out.
  serialise() {
    const parts = [];
    for (const block of this.blocks()) {
      if (!block.textContent.trim()) continue;
      const copy = document.createElement(block.tagName);
      copyAllowed(block, copy);
      parts.push(copy.outerHTML);
    }
    return parts.join("\n");
  }

  writeBack() {
    this.textarea.value = this.serialise();
  }

  focusAt(block, atEnd) {
    block.focus();
    const range = document.createRange();
    range.selectNodeContents(block);
    range.collapse(!atEnd);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  caretAtStart(block) {
    const selection = window.getSelection();
    if (!selection.rangeCount || !selection.isCollapsed) return false;
    const before = document.createRange();
    before.selectNodeContents(block);
    before.setEnd(selection.anchorNode, selection.anchorOffset);
    return before.toString() === "" && !before.cloneContents().querySelector("br");
  }

  keydown(event) {
    const block = event.target.closest(".block");
    if (!block) return;
    const inList = block.tagName === "UL" || block.tagName === "OL";
    if (event.key === "Enter" && !event.shiftKey && !inList) {
      event.preventDefault();
      this.split(block);
    } else if (event.key === "Backspace" && this.caretAtStart(block)) {
      const previous = block.previousElementSibling;
      if (!previous || inList) return;
      event.preventDefault();
      previous.focus();
      const junction = document.createRange(); // stays where the two paragraphs meet
      junction.selectNodeContents(previous);
      junction.collapse(false);
      previous.append(...block.childNodes);
      block.remove();
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(junction);
      this.changed();
    }
  }

  split(block) {
    const selection = window.getSelection();
    if (!selection.rangeCount) return;
    const range = selection.getRangeAt(0);
    range.deleteContents();
    const rest = document.createRange();
    rest.setStart(range.endContainer, range.endOffset);
    rest.setEnd(block, block.childNodes.length);
    const tail = rest.extractContents();
    const next = this.makeBlock(block.tagName === "BLOCKQUOTE" ? "BLOCKQUOTE" : "P", tail);
    block.after(next);
    this.focusAt(next, false);
    this.changed();
  }

  paste(event) {
    const block = event.target.closest(".block");
    const text = event.clipboardData?.getData("text/plain");
    if (!block || text == null) return;
    event.preventDefault();
    const [first, ...more] = text.split(/\r?\n\s*\r?\n/);
    document.execCommand("insertText", false, first);
    let after = block;
    for (const paragraph of more) {
      if (!paragraph.trim()) continue;
      const next = this.makeBlock("P", document.createTextNode(paragraph.trim()));
      after.after(next);
      after = next;
    }
    if (after !== block) this.focusAt(after, true);
    this.changed();
  }

  changed() {
    this.textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  replaceBlock(block, tag, nodes) {
    const next = this.makeBlock(tag);
    next.append(...nodes);
    block.replaceWith(next);
    return next;
  }

  command(name, button) {
    const block = this.current && this.container.contains(this.current) ? this.current : this.blocks()[0];
    if (name === "bold" || name === "italic") {
      document.execCommand(name);
    } else if (name === "link") {
      const answer = window.prompt(button.dataset.prompt ?? "https://", "https://");
      if (answer === null) return;
      if (!answer.trim()) {
        document.execCommand("unlink");
      } else {
        const href = safeHref(answer.trim());
        if (href) document.execCommand("createLink", false, href);
      }
    } else if (name === "list") {
      if (block.tagName === "UL" || block.tagName === "OL") {
        const items = [...block.children];
        let last = block;
        for (const item of items) {
          const paragraph = this.makeBlock("P");
          paragraph.append(...item.childNodes);
          last.after(paragraph);
          last = paragraph;
        }
        block.remove();
        this.focusAt(last, true);
      } else {
        const item = document.createElement("li");
        item.append(...block.childNodes);
        this.focusAt(this.replaceBlock(block, "UL", [item]), true);
      }
    } else if (name === "quote") {
      const tag = block.tagName === "BLOCKQUOTE" ? "P" : "BLOCKQUOTE";
      this.focusAt(this.replaceBlock(block, tag, [...block.childNodes]), true);
    }
    this.changed();
  }
}

// --- Media Topics: chips and a search ---------------------------------------------------------

class TopicsPicker {
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.input = root.querySelector("#subjects");
    this.chips = root.querySelector("[data-chips]");
    this.input.type = "hidden"; // the codes still go with the form, the chips show them
    root.querySelector("#subjects-help")?.setAttribute("hidden", "");
    for (const button of this.chips.querySelectorAll(".chip-remove")) button.hidden = false;
    this.chips.addEventListener("click", (event) => {
      const button = event.target.closest(".chip-remove");
      if (button) this.remove(button.closest(".chip"));
    });
    this.search = document.createElement("input");
    this.search.type = "search";
    this.search.id = "topic-search";
    this.search.autocomplete = "off";
    this.search.setAttribute("role", "combobox");
    this.search.setAttribute("aria-autocomplete", "list");
    this.search.setAttribute("aria-expanded", "false");
    this.search.setAttribute("aria-controls", "topic-results");
    this.search.setAttribute("aria-label", root.dataset.searchLabel);
    this.search.placeholder = root.dataset.searchLabel;
    this.list = document.createElement("ul");
    this.list.id = "topic-results";
    this.list.className = "topic-results";
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    this.chips.after(this.search, this.list);
    root.querySelector("label[for=subjects]")?.setAttribute("for", "topic-search");
    this.active = -1;
    this.timer = null;
    this.search.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.find(), 150);
    });
    this.search.addEventListener("keydown", (event) => this.keydown(event));
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(option);
    });
    this.search.addEventListener("blur", () => this.close());
  }

  codes() {
    return this.input.value.split(/[,;\n]+/).map((code) => code.trim()).filter(Boolean);
  }

  setCodes(codes) {
    this.input.value = [...new Set(codes)].join(", ");
    this.onChange();
  }

  remove(chip) {
    const code = chip.dataset.code;
    chip.remove();
    this.setCodes(this.codes().filter((each) => each !== code));
    this.search.focus();
  }

  async find() {
    const query = this.search.value.trim();
    if (query.length < 2) return this.close();
    const url = `${this.root.dataset.searchUrl}?q=${encodeURIComponent(query)}`;
    let found = [];
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) found = await response.json();
    } catch {
      found = [];
    }
    if (query !== this.search.value.trim()) return; // the user typed on meanwhile
    const chosen = new Set(this.codes());
    this.list.replaceChildren();
    for (const [index, topic] of found.filter((t) => !chosen.has(t.code)).entries()) {
      const option = document.createElement("li");
      option.id = `topic-option-${index}`;
      option.setAttribute("role", "option");
      option.dataset.code = topic.code;
      option.dataset.label = topic.label;
      const label = document.createElement("span");
      label.textContent = topic.label;
      const code = document.createElement("code");
      code.textContent = topic.code;
      option.append(label, " ", code);
      this.list.append(option);
    }
    if (!this.list.children.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = this.root.dataset.none;
      this.list.append(none);
    }
    this.active = -1;
    this.list.hidden = false;
    this.search.setAttribute("aria-expanded", "true");
  }

  close() {
    this.list.hidden = true;
    this.search.setAttribute("aria-expanded", "false");
    this.search.removeAttribute("aria-activedescendant");
    this.active = -1;
  }

  keydown(event) {
    const options = [...this.list.querySelectorAll("[role=option]")];
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (this.list.hidden || !options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + options.length) % options.length;
      options.forEach((option, index) => option.setAttribute("aria-selected", String(index === this.active)));
      this.search.setAttribute("aria-activedescendant", options[this.active].id);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the editor from the search field
      const option = options[this.active] ?? (options.length === 1 ? options[0] : null);
      if (option) this.choose(option);
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  choose(option) {
    const { code, label } = option.dataset;
    if (!this.codes().includes(code)) {
      const chip = document.createElement("li");
      chip.className = "chip";
      chip.dataset.code = code;
      const text = document.createElement("span");
      text.className = "chip-label";
      text.textContent = label;
      const codeText = document.createElement("code");
      codeText.textContent = code;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.textContent = "×";
      const name = (this.root.dataset.removeLabel ?? "× {topic}").replace("{topic}", label);
      remove.setAttribute("aria-label", name);
      remove.title = name;
      chip.append(text, " ", codeText, remove);
      this.chips.append(chip);
      this.setCodes([...this.codes(), code]);
    }
    this.search.value = "";
    this.close();
    this.search.focus();
  }
}

// --- the editor form ----------------------------------------------------------------------------

const AUTOSAVE_SECONDS = 10;

function setStatus(status, text, kind) {
  if (!status) return;
  status.textContent = text;
  status.dataset.kind = kind ?? "";
}

function enhance(form) {
  const textarea = form.querySelector("textarea[data-body-editor]");
  const toolbar = document.getElementById("body-toolbar");
  const body = textarea && toolbar ? new BodyEditor(textarea, toolbar) : null;
  const status = document.getElementById("editor-status");
  let dirty = false;
  let submitting = false;
  let stopped = false; // after a conflict: the user decides, by saving or reloading
  let saving = null;

  const markDirty = () => {
    dirty = true;
    if (!stopped && status?.dataset.unsaved) setStatus(status, status.dataset.unsaved, "unsaved");
  };
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);

  const topics = form.querySelector("[data-topics-picker]");
  if (topics && !topics.closest("fieldset")?.disabled) new TopicsPicker(topics, markDirty);

  // The dateline as the story services will write it, while the place is typed.
  const place = form.querySelector("#located");
  const preview = document.getElementById("dateline-preview");
  if (place && preview) {
    place.addEventListener("input", () => {
      const text = place.value.trim().split(/\s+/).join(" ");
      preview.value = text ? `${text}${preview.dataset.separator}${preview.dataset.rest}` : preview.dataset.rest;
    });
  }

  // Flash and bulletin stand out as soon as they are chosen.
  const urgency = form.querySelector("#urgency");
  const head = document.querySelector("[data-urgency-head]");
  const badge = document.querySelector("[data-urgency-badge]");
  if (urgency && head) {
    urgency.addEventListener("change", () => {
      const option = urgency.selectedOptions[0];
      head.classList.remove("urgency-flash", "urgency-bulletin", "urgency-urgent", "urgency-routine");
      head.classList.add(option.className || "urgency-routine");
      if (badge) badge.textContent = option.textContent;
    });
  }

  form.addEventListener("submit", () => {
    body?.writeBack();
    submitting = true;
  });

  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) event.preventDefault();
  });

  const url = form.dataset.autosave;
  if (!url) return { save: async () => true };

  async function autosave() {
    if (saving) return saving;
    saving = (async () => {
      body?.writeBack();
      dirty = false;
      setStatus(status, status?.dataset.saving ?? "…", "saving");
      const data = new URLSearchParams(new FormData(form));
      let response;
      let answer = {};
      try {
        response = await fetch(url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
        });
        answer = await response.json().catch(() => ({}));
      } catch {
        dirty = true;
        setStatus(status, status?.dataset.offline ?? "offline", "error");
        return false;
      }
      if (response.ok) {
        form.elements.revision.value = String(answer.revision);
        setStatus(status, answer.message ?? answer.saved_at, "saved");
        return true;
      }
      dirty = true;
      if (response.status === 409) stopped = true;
      setStatus(status, answer.detail ?? String(response.status), "error");
      return false;
    })();
    try {
      return await saving;
    } finally {
      saving = null;
    }
  }

  // A version without a headline cannot be stored yet: autosave waits for one.
  const headline = form.elements.headline;
  setInterval(() => {
    const ready = dirty && !stopped && !submitting && headline?.value.trim();
    if (ready && document.visibilityState !== "hidden") autosave();
  }, AUTOSAVE_SECONDS * 1000);

  return { save: async () => (dirty ? autosave() : true) };
}

const editorForm = document.getElementById("editor-form") ?? document.getElementById("new-story-form");
if (editorForm) {
  const editor = enhance(editorForm);
  // A picture upload reloads the page: what was typed is saved first, or the upload waits.
  const upload = document.querySelector("form[data-upload]");
  upload?.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (await editor.save()) upload.submit();
  });
  // On the new-story form, the content fields follow the chosen language's direction.
  const language = editorForm.querySelector("select[data-content-language]");
  language?.addEventListener("change", () => {
    const option = language.selectedOptions[0];
    for (const field of editorForm.querySelectorAll("[data-content], .body-blocks")) {
      field.lang = option.value;
      field.dir = option.dataset.dir;
    }
  });
}
