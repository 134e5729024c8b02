/**
 * The dashboard's one script, served as /assets/dashboard.js. It keeps a page live: it connects
 * to /live<page path><page query> (see live.ts on the server for the messages) and replaces the
 * cards that changed, appends log rows, keeps ages counting, copies commands, pauses the logs and
 * filters the metrics. Without it, every page still shows the data of the moment it was loaded.
 */
export {};

/** Rows the logs table keeps; older ones go as new ones come. */
const MAX_LOG_ROWS = 5_000;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5_000;

const liveState = document.getElementById("live-state");

function setState(text: string, cls: string): void {
  if (liveState === null) return;
  liveState.textContent = text;
  liveState.className = `live-state ${cls}`;
}

// Ages: <time data-since="<ms>"> counts up as Go prints durations (3s, 1m3s, 2h5m0s).
function formatAge(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}
function tickAges(): void {
  const now = Date.now();
  for (const t of document.querySelectorAll<HTMLTimeElement>("time[data-since]"))
    t.textContent = formatAge(now - Number(t.dataset["since"]));
}
setInterval(tickAges, 1_000);

// Copy buttons.
document.addEventListener("click", (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>("button[data-copy]");
  if (button === null) return;
  const text = button.dataset["copy"] ?? "";
  const done = (ok: boolean): void => {
    button.textContent = ok ? "Copied" : "Select and copy";
    setTimeout(() => (button.textContent = "Copy"), 1_500);
  };
  if (navigator.clipboard === undefined) return done(false);
  navigator.clipboard.writeText(text).then(
    () => done(true),
    () => done(false),
  );
});

// Logs: pause, count, keep the newest in view.
const logRows = document.getElementById("log-rows");
const logScroll = document.getElementById("log-scroll");
const logTable = logRows?.closest("table") ?? null;
const pauseButton = document.getElementById("log-pause");
const logCount = document.getElementById("log-count");
let paused = false;
let held: string[] = [];
let missed = 0;

function showLogCount(): void {
  if (logCount === null || logRows === null) return;
  const shown = `${logRows.children.length} entr${logRows.children.length === 1 ? "y" : "ies"}`;
  const waiting = held.length > 0 ? `, ${held.length} more waiting` : "";
  const lost = missed > 0 ? `, ${missed} skipped (they came faster than the page reads)` : "";
  logCount.textContent = `${shown}${waiting}${lost}`;
}
function appendLogs(html: string): void {
  if (logRows === null || logScroll === null) return;
  const atBottom = logScroll.scrollHeight - logScroll.scrollTop - logScroll.clientHeight < 40;
  logRows.insertAdjacentHTML("beforeend", html);
  while (logRows.children.length > MAX_LOG_ROWS) logRows.firstElementChild?.remove();
  document.getElementById("log-empty")?.setAttribute("hidden", "");
  if (atBottom) logScroll.scrollTop = logScroll.scrollHeight;
}
pauseButton?.addEventListener("click", () => {
  paused = !paused;
  pauseButton.textContent = paused ? "Resume" : "Pause";
  pauseButton.setAttribute("aria-pressed", String(paused));
  if (!paused && held.length > 0) {
    appendLogs(held.join("\n"));
    held = [];
  }
  showLogCount();
});
if (logScroll !== null) logScroll.scrollTop = logScroll.scrollHeight;
showLogCount();

// Metrics: filter the tables by name as one types; the URL keeps the filter. The filter is a
// case-insensitive regular expression run by RE2 (re2js, served as an asset), as the server runs
// it: linear time, so a link carrying a pathological filter cannot freeze the page. Until the
// engine has loaded, and for a filter that is not a regular expression, names are matched as text.
const metricFilter = document.getElementById("metric-filter") as HTMLInputElement | null;
interface Re2 {
  readonly RE2JS: {
    readonly CASE_INSENSITIVE: number;
    compile(pattern: string, flags: number): { test(text: string): boolean; programSize(): number };
  };
}
let re2: Re2 | undefined;
const RE2_ASSET: string = "/assets/re2js.js";
/** As the server's MAX_REGEX_PROGRAM: a larger pattern is matched as text. */
const MAX_REGEX_PROGRAM = 1_000;
function nameFilter(filter: string): (name: string) => boolean {
  if (filter === "") return () => true;
  try {
    const re = re2?.RE2JS.compile(filter, re2.RE2JS.CASE_INSENSITIVE);
    if (re !== undefined && re.programSize() <= MAX_REGEX_PROGRAM) return (name) => re.test(name);
  } catch {
    // not a regular expression: plain text
  }
  return (name) => name.toLowerCase().includes(filter.toLowerCase());
}
if (metricFilter !== null) {
  import(RE2_ASSET).then(
    (m: Re2) => {
      re2 = m;
      filterMetrics();
    },
    () => {},
  );
}
function filterMetrics(): void {
  if (metricFilter === null) return;
  const filter = metricFilter.value;
  const matches = nameFilter(filter);
  let shown = 0;
  const sections = document.querySelectorAll<HTMLElement>("section.metric[data-metric]");
  for (const s of sections) {
    const ok = matches(s.dataset["metric"] ?? "");
    s.hidden = !ok;
    if (ok) shown++;
  }
  document.getElementById("metric-none")?.toggleAttribute("hidden", shown > 0 || sections.length === 0);
  const count = document.getElementById("metric-shown");
  if (count !== null) count.textContent = sections.length === 0 ? "" : `${shown} of ${sections.length} metrics`;
  const url = new URL(location.href);
  if (filter === "") url.searchParams.delete("filter");
  else url.searchParams.set("filter", filter);
  history.replaceState(null, "", url);
}
metricFilter?.addEventListener("input", filterMetrics);

// Metrics: the all-zero rows toggle (the stylesheet hides them unless #metrics-wrap says
// show-zeros); its label counts them, and the URL keeps the choice.
const zerosToggle = document.getElementById("metric-zeros") as HTMLInputElement | null;
function showZeros(): void {
  if (zerosToggle === null) return;
  document.getElementById("metrics-wrap")?.classList.toggle("show-zeros", zerosToggle.checked);
  const n = document.getElementById("metric-zero-count")?.dataset["zeroRows"] ?? "0";
  const label = document.getElementById("metric-zeros-label");
  if (label !== null) label.textContent = `Show ${n} all-zero row${n === "1" ? "" : "s"}`;
  const url = new URL(location.href);
  if (zerosToggle.checked) url.searchParams.set("zeros", "1");
  else url.searchParams.delete("zeros");
  history.replaceState(null, "", url);
}
zerosToggle?.addEventListener("change", showZeros);
showZeros();
metricFilter?.closest("form")?.addEventListener("submit", (e) => e.preventDefault());
filterMetrics();

// The live connection.
interface CardUpdate {
  readonly html: string;
  readonly hash: string;
}
type Message =
  | { readonly t: "cards"; readonly cards: Readonly<Record<string, CardUpdate>> }
  | { readonly t: "logs"; readonly html: string; readonly next: number; readonly missed: number }
  | { readonly t: "gone"; readonly message: string }
  | { readonly t: "ended"; readonly message: string }
  | { readonly t: "error"; readonly message: string };

let next = logTable?.dataset["next"];
let delay = RECONNECT_MIN_MS;
let gone = false;

function banner(text: string, cls: string): void {
  let el = document.getElementById("live-banner");
  if (el === null) {
    el = document.createElement("p");
    el.id = "live-banner";
    el.setAttribute("role", "status");
    document.querySelector("main")?.prepend(el);
  }
  el.className = `banner ${cls}`;
  el.textContent = text;
}

function onMessage(m: Message): void {
  switch (m.t) {
    case "cards":
      for (const [name, update] of Object.entries(m.cards)) {
        const el = document.querySelector<HTMLElement>(`[data-card="${CSS.escape(name)}"]`);
        if (el === null || el.dataset["hash"] === update.hash) continue;
        // What the user opened stays open: <details data-key> found again in the new content.
        const open = new Set([...el.querySelectorAll<HTMLElement>("details[open][data-key]")].map((d) => d.dataset["key"]));
        el.innerHTML = update.html;
        el.dataset["hash"] = update.hash;
        for (const d of el.querySelectorAll<HTMLDetailsElement>("details[data-key]")) if (open.has(d.dataset["key"])) d.open = true;
      }
      tickAges();
      filterMetrics();
      showZeros();
      document.getElementById("live-banner")?.remove();
      return;
    case "logs":
      next = String(m.next);
      missed += m.missed;
      if (m.html !== "") {
        if (paused) held.push(m.html);
        else appendLogs(m.html);
      }
      showLogCount();
      return;
    case "gone":
      gone = true;
      setState("ended", "off");
      banner(m.message, "bad");
      return;
    case "ended":
      // Nothing will change: no reconnecting, and no alarm either. A page drawn while the
      // deployment ran loads again, as the page of what it stored.
      gone = true;
      setState("ended", "off");
      if (document.querySelector(".banner.ended") === null) location.reload();
      return;
    case "error":
      banner(m.message, "warn");
      return;
  }
}

function connect(): void {
  const query = new URLSearchParams(location.search);
  if (next !== undefined) query.set("after", next);
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/live${location.pathname}?${query}`);
  ws.addEventListener("open", () => {
    delay = RECONNECT_MIN_MS;
    setState("live", "on");
  });
  ws.addEventListener("message", (e) => onMessage(JSON.parse(String(e.data)) as Message));
  ws.addEventListener("close", () => {
    if (gone) return;
    setState("reconnecting…", "off");
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  });
}
connect();
