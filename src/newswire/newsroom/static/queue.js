// Live refresh of a desk queue. While the tab is visible, the desk's change stamp is polled
// every second; when it changes the rows (same filters) are fetched and swapped in, new rows
// are highlighted, and a new flash is announced (aria-live) and marks the window title.
// Without this script the queue is a plain page: reload to see what changed.

const POLL_MS = 1000;
const MARK = "● ";

const table = document.querySelector("table.queue[data-stamp-url]");
if (table) {
  liveQueue(table);
}

function liveQueue(table) {
  const stampUrl = table.dataset.stampUrl;
  const rowsUrl = table.dataset.rowsUrl;
  const live = document.getElementById("queue-live");
  let stamp = table.tBodies[0]?.dataset.stamp ?? "";
  let timer = null;
  let running = false;
  let stopped = false;
  let title = document.title;

  function schedule() {
    if (!stopped && timer === null && document.visibilityState === "visible") {
      timer = window.setTimeout(tick, POLL_MS);
    }
  }

  async function tick() {
    timer = null;
    if (running || stopped || document.visibilityState !== "visible") return;
    running = true;
    try {
      const response = await fetch(stampUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok) {
        const body = await response.json();
        if (body.stamp !== stamp) await refresh();
      } else if ([401, 403, 404].includes(response.status)) {
        stopped = true; // logged out or no longer allowed: a reload shows why
      }
    } catch {
      // the network or server hiccuped: the next tick tries again
    } finally {
      running = false;
      schedule();
    }
  }

  async function refresh() {
    const response = await fetch(rowsUrl, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    const fresh = template.content.querySelector("tbody");
    const old = table.tBodies[0];
    if (!fresh || !old) return;
    const seen = new Map();
    for (const row of old.rows) {
      if (row.dataset.story) seen.set(row.dataset.story, row.dataset.rev);
    }
    const flashes = [];
    for (const row of fresh.rows) {
      const id = row.dataset.story;
      if (!id) continue;
      if (!seen.has(id)) {
        row.classList.add("fresh");
        if (row.dataset.urgency === "1") flashes.push(row.querySelector(".headline")?.textContent.trim() ?? "");
      } else if (seen.get(id) !== row.dataset.rev) {
        row.classList.add("changed");
      }
    }
    old.replaceWith(fresh);
    stamp = fresh.dataset.stamp ?? stamp;
    updateCounts(fresh);
    if (flashes.length) announce(flashes);
    window.setTimeout(() => {
      for (const row of fresh.querySelectorAll("tr.fresh, tr.changed")) {
        row.classList.remove("fresh", "changed");
      }
    }, 6000);
  }

  function updateCounts(body) {
    let counts = {};
    try {
      counts = JSON.parse(body.dataset.counts ?? "{}");
    } catch {
      return;
    }
    for (const element of document.querySelectorAll("[data-count]")) {
      const key = element.dataset.count;
      const value = key === "all" ? body.dataset.total : counts[key];
      if (value !== undefined) element.textContent = String(value);
    }
  }

  function announce(headlines) {
    if (live) {
      const label = live.dataset.flashLabel ?? "";
      live.textContent = headlines.map((text) => `${label}: ${text}`).join(" · ");
    }
    if (!document.hasFocus() && !document.title.startsWith(MARK)) {
      title = document.title;
      document.title = MARK + title;
    }
  }

  window.addEventListener("focus", () => {
    if (document.title.startsWith(MARK)) document.title = title;
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      if (timer === null && !running) tick(); // catch up at once, then every second
    } else if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
  });

  schedule();
}
