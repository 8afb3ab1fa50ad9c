// The investigator's page: search, entity panel, graph view, path finder
// with evidence, screening and exposure (when the server has them), and
// exports of the current view. Deep links: #entity=ID, #path=FROM,TO.
import "./app.css";
import { gql, queryFields, limitWords, ENTITY, EXPAND, PATHS, LINKS, ENTITY_BRIEF } from "./api.js";
import { h, fill, message } from "./dom.js";
import { attachSuggest } from "./suggest.js";
import { GraphView, kindColour, kindWords } from "./graphview.js";
import { entityPanel, evidencePanel } from "./panels.js";
import { screenPanel, exposureView } from "./screening.js";
import { alertsPanel } from "./alerts.js";

const $ = (sel) => document.querySelector(sel);
// pageSize is the number of relationships added per click on a node or on
// "+N more": supernodes grow page by page.
const pageSize = () => parseInt($("#page-size").value, 10) || 25;

const el = {
  notice: $("#notice"),
  entity: $("#entity-panel"),
  evidence: $("#evidence-panel"),
  status: $("#graph-status"),
  kinds: $("#kind-filters"),
  hubOn: $("#hub-on"),
  hubLimit: $("#hub-limit"),
  from: $("#path-from"),
  to: $("#path-to"),
  k: $("#path-k"),
  maxHops: $("#path-hops"),
  exportMsg: $("#export-msg"),
  screen: $("#screen-section"),
  alerts: $("#alerts-section"),
};

const graph = new GraphView($("#cy"));
const state = {
  entity: null, // the entity in the panel
  paths: null, // { title, result, query, active }: what the evidence panel shows
  api: new Map(), // Query fields the server has
  busy: 0,
};

// ---- notices ---------------------------------------------------------

// notify shows a notice at the foot of the window (over the page, so that
// it never moves the graph under the mouse); information fades after 10 s,
// errors and warnings stay until closed or replaced.
let noticeTimer;
function notify(kind, text) {
  clearTimeout(noticeTimer);
  if (!text) {
    fill(el.notice);
    return;
  }
  const m = message(kind, text);
  m.append(h("button", { type: "button", class: "close", title: "Close", "aria-label": "Close", onclick: () => fill(el.notice) }, "×"));
  fill(el.notice, m);
  if (kind === "info") noticeTimer = setTimeout(() => fill(el.notice), 10000);
}

async function guarded(what, fn) {
  state.busy++;
  document.body.classList.add("busy");
  try {
    return await fn();
  } catch (err) {
    notify("error", `${what}: ${err.message}`);
    return undefined;
  } finally {
    if (--state.busy === 0) document.body.classList.remove("busy");
  }
}

// ---- deep links ------------------------------------------------------

function setHash(h) {
  if (location.hash !== h) history.replaceState(null, "", h || location.pathname);
}

function route() {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.has("path")) {
    const [from, to] = p.get("path").split(",");
    if (from && to) {
      pathLink(from, to);
      return;
    }
    notify("error", "The link #path= needs two ids or names: #path=FROM,TO.");
  } else if (p.has("entity")) {
    openEntity(p.get("entity"));
  }
}

// pathLink runs the path finder for a #path=FROM,TO link.
async function pathLink(from, to) {
  const data = await guarded("Opening the link", () => gql(`query Ends($ids: [ID!]!) { entities(ids: $ids) { ${ENTITY_BRIEF} } }`, { ids: [from, to] }));
  if (!data) return;
  const [a, b] = data.entities;
  const missing = [a ? null : from, b ? null : to].filter(Boolean);
  if (missing.length > 0) {
    notify("error", `No entity has the id or name ${missing.map((x) => `“${x}”`).join(" or ")}.`);
    return;
  }
  fromPick.set(a);
  toPick.set(b);
  await findPaths(a, b);
}

// ---- entity panel and expansion -----------------------------------------

async function openEntity(id, { expand = true } = {}) {
  notify(null);
  const data = await guarded("Opening the entity", () => gql(ENTITY, { id }));
  if (data === undefined) return;
  const e = data.entity;
  if (!e) {
    notify("error", `No entity has the id or name “${id}”.`);
    return;
  }
  state.entity = e;
  setHash("#entity=" + encodeURIComponent(e.id));
  const actions = {
    expand: () => expandEntity(e.id),
    pathFrom: () => {
      fromPick.set(e);
      el.from.focus();
    },
    pathTo: () => {
      toPick.set(e);
      el.to.focus();
    },
    links: () => nearestDesignated(e),
    // Ownership exposure is about parties; programmes and authorities own nothing.
    exposure: state.api.has("ownershipExposure") && e.kind !== "Programme" && e.kind !== "Authority" ? () => showExposure(e) : null,
  };
  fill(el.entity, entityPanel(e, actions));
  graph.keep.clear();
  graph.keep.add(e.id);
  const node = graph.addEntity(e);
  graph.cy.elements().unselect();
  node.select();
  if (expand && !node.hasClass("expanded")) {
    await expandEntity(e.id);
  } else {
    graph.applyFilters();
    if (graph.cy.nodes().length === 1) graph.layout();
  }
}

// expanding holds the entities whose next page is on its way: a second
// click must not ask for the same page again.
const expanding = new Set();

// expandEntity adds the next page of an entity's relationships.
async function expandEntity(id) {
  if (expanding.has(id)) return;
  expanding.add(id);
  try {
    await expandPage(id);
  } finally {
    expanding.delete(id);
  }
}

async function expandPage(id) {
  const node = graph.cy.getElementById(id);
  const after = node.nonempty() && node.hasClass("expanded") ? node.data("cursor") : null;
  if (node.nonempty() && node.hasClass("expanded") && !node.data("hasMore")) {
    notify("info", `All ${node.data("total")} relationships of ${node.data("name")} are shown.`);
    return;
  }
  const data = await guarded("Expanding", () => gql(EXPAND, { id, first: pageSize(), after }));
  if (!data) return;
  if (!data.entity) {
    notify("error", `No entity has the id or name “${id}”.`);
    return;
  }
  graph.addPage(data.entity);
  graph.layout();
  const n = graph.cy.getElementById(id);
  const rest = n.data("total") - n.data("loaded");
  if (rest > 0) notify("info", `${n.data("name")}: ${n.data("loaded")} of ${n.data("total")} relationships shown; click “+${rest} more” for the next ${Math.min(pageSize(), rest)}.`);
}


graph.cy.on("tap", "node", (ev) => {
  const n = ev.target;
  if (n.hasClass("more")) {
    expandEntity(n.data("owner"));
    return;
  }
  openEntity(n.id());
});

// ---- kinds, hubs, status ------------------------------------------------

function renderKinds() {
  const kinds = graph.kinds();
  fill(
    el.kinds,
    kinds.length === 0 ? h("span", { class: "muted" }, "Relationship kinds appear here.") : null,
    kinds.map((k) =>
      h(
        "label",
        { class: "kind-filter", title: `Show or hide ${kindWords(k)} relationships` },
        h("input", {
          type: "checkbox",
          value: k,
          checked: !graph.hiddenKinds.has(k),
          onchange: (ev) => graph.setKindHidden(k, !ev.target.checked),
        }),
        h("span", { class: "swatch", style: `background:${kindColour(k)}` }),
        kindWords(k),
      ),
    ),
  );
}

function renderStatus() {
  const nodes = graph.cy.nodes().filter((n) => !n.hasClass("more"));
  const edges = graph.cy.edges().filter((e) => !e.hasClass("more-edge"));
  const shownN = nodes.filter((n) => n.visible()).length;
  const shownE = edges.filter((e) => e.visible()).length;
  const hubs = graph.hiddenHubs();
  fill(
    el.status,
    `${shownN} entities, ${shownE} relationships shown`,
    hubs > 0 ? ` · ${hubs} hub${hubs === 1 ? "" : "s"} hidden (more than ${graph.hubLimit} relationships)` : "",
    shownN < nodes.length || shownE < edges.length ? ` · ${nodes.length - shownN} entities and ${edges.length - shownE} relationships filtered out` : "",
  );
}

// A notice, an export message or a new row of kind filters moves the graph
// on the page. Cytoscape keeps where its canvas is and notices a move only
// after a delay; tell it at once, so that a click lands on the node under
// the mouse.
const moved = new MutationObserver(() => graph.cy.resize());
for (const e of [el.notice, $("#toolbar")]) moved.observe(e, { childList: true, subtree: true });

graph.onChange = () => {
  renderKinds();
  renderStatus();
};

function hubChanged() {
  const n = parseInt(el.hubLimit.value, 10);
  if (el.hubOn.checked && !(n > 0)) {
    notify("error", "Hide hubs: the number of relationships must be a whole number above 0.");
    return;
  }
  graph.setHubLimit(el.hubOn.checked ? n : 0);
}
el.hubOn.addEventListener("change", hubChanged);
el.hubLimit.addEventListener("change", hubChanged);

$("#btn-layout").addEventListener("click", () => graph.layout());
$("#btn-fit").addEventListener("click", () => graph.cy.fit(undefined, 40));
$("#btn-clear").addEventListener("click", () => {
  graph.clear();
  state.paths = null;
  fill(el.evidence, h("p", { class: "muted" }, "Pick two entities and find the paths between them."));
  setHash("");
});

// ---- search ----------------------------------------------------------

attachSuggest($("#search"), (e) => openEntity(e.id));
$("#search-form").addEventListener("submit", (ev) => ev.preventDefault());

// ---- path finder -----------------------------------------------------

const fromPick = attachSuggest(el.from, () => {});
const toPick = attachSuggest(el.to, () => {});

// resolve returns the entity picked in a path-finder input or, when
// nothing was picked, the text typed there: the server resolves an id,
// identifier or name by the rules screening uses, and says what it named
// (or that it is ambiguous, with the candidates).
function resolve(input, pick, label) {
  const picked = pick.picked();
  if (picked) return picked;
  const q = input.value.trim();
  if (!q) throw new Error(`type or pick the ${label} entity`);
  return { id: q, name: q, typed: true };
}

function intField(input, name, min, max) {
  const v = input.value.trim();
  if (v === "") return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not “${v}”`);
  return n;
}

$("#path-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  notify(null);
  await guarded("Path finder", async () => {
    const first = intField(el.k, "Paths (k)", 1, 20);
    const maxHops = intField(el.maxHops, "Max hops", 1, 10);
    const from = resolve(el.from, fromPick, "from");
    const to = resolve(el.to, toPick, "to");
    await findPaths(from, to, { first, maxHops });
  });
});

async function findPaths(from, to, { first = 3, maxHops = null } = {}) {
  notify(null);
  const vars = { from: from.id, to: to.id, first: first || 3 };
  if (maxHops) vars.maxHops = maxHops;
  if (graph.hubLimit > 0) vars.maxDegree = graph.hubLimit;
  const data = await guarded("Path finder", () => gql(PATHS, vars));
  if (!data) return;
  const res = data.paths;
  // What the names typed named: the ends from here on, and said.
  if (res.resolved && res.resolved.length === 2) {
    [from, to] = res.resolved.map((r) => r.entity);
    fromPick.set(from);
    toPick.set(to);
    const said = res.resolved
      .filter((r) => r.how !== "id")
      .map((r) => `“${r.query}” is ${r.entity.name} (${r.entity.id}), by ${r.how}${r.matched && r.matched !== r.entity.name ? ` matching “${r.matched}”` : ""}${r.how === "name" ? `, score ${r.score.toFixed(2)}` : ""}`);
    if (said.length > 0) notify("info", said.join("; ") + ".");
  }
  setHash(`#path=${encodeURIComponent(from.id)},${encodeURIComponent(to.id)}`);
  if (res.paths.length > 0) {
    fromPick.set(res.paths[0].start);
    toPick.set(res.paths[0].end);
  } else if (from.kind && to.kind) {
    // No path: show the two ends, to be expanded by hand.
    graph.addEntity(from);
    graph.addEntity(to);
    graph.applyFilters();
    graph.layout();
  }
  const fromName = res.paths.length ? res.paths[0].start.name : from.name;
  const toName = res.paths.length ? res.paths[0].end.name : to.name;
  showPaths(`Paths from ${fromName} to ${toName}`, res, { from: from.id, to: to.id, first: vars.first, fromName, toName });
}

function addPathsToGraph(result) {
  graph.keep.clear();
  for (const p of result.paths) {
    graph.keep.add(p.start.id);
    graph.keep.add(p.end.id);
    for (const s of p.steps) {
      graph.addEntity(s.from);
      graph.addEntity(s.to);
      graph.addRelationship(s.relationship);
    }
  }
  graph.applyFilters();
}

// drawAlertPath draws the path of a watchlist alert (a WatchPath, whose
// steps name the kind and direction of the link but not its record) in
// the graph, laid out from the party's side to the designated end.
function drawAlertPath(p) {
  const ent = (e, designated) => ({ id: e.id, name: e.name, kind: e.kind, sanctioned: designated, degree: 0 });
  const kind = (k) => k.toUpperCase().replace(/-/g, "_");
  const path = { hops: p.hops, start: { id: p.start.id }, end: { id: p.target.id }, steps: [] };
  graph.keep.clear();
  graph.keep.add(p.start.id);
  graph.keep.add(p.target.id);
  for (const s of p.steps) {
    graph.addEntity(ent(s.from, s.from.id === p.target.id));
    graph.addEntity(ent(s.to, s.to.id === p.target.id));
    const [src, dst] = s.forward ? [s.from.id, s.to.id] : [s.to.id, s.from.id];
    const id = `alert:${src}:${kind(s.kind)}:${dst}`;
    graph.addRelationship({ id, sourceId: src, targetId: dst, kind: kind(s.kind) });
    path.steps.push({ from: { id: s.from.id }, to: { id: s.to.id }, relationship: { id } });
  }
  graph.applyFilters();
  graph.layoutPaths([path]);
  graph.highlightPaths([path], 0);
}

// showPaths shows a PathResult in the graph and the evidence panel; query
// (from, to, first) is set for the path finder's results, which can be
// exported.
function showPaths(title, result, query = null) {
  // Highlight the first path that goes somewhere (not an entity designated itself).
  const firstReal = result.paths.findIndex((p) => p.hops > 0);
  state.paths = { title, result, query, active: firstReal >= 0 ? firstReal : result.paths.length > 0 ? 0 : -1 };
  if (result.paths.length > 0) {
    addPathsToGraph(result);
    graph.layoutPaths(result.paths);
  }
  renderEvidence();
  if (result.truncated) {
    notify("warn", `The search was cut by a limit (${limitWords(result.limits)}) after visiting ${result.visited} entities: there may be other or shorter paths.`);
  }
}

function renderEvidence() {
  const p = state.paths;
  if (!p) return;
  graph.highlightPaths(p.result.paths, p.active);
  fill(
    el.evidence,
    evidencePanel(
      p.title,
      p.result,
      p.active,
      (i) => {
        p.active = i;
        renderEvidence();
      },
      (id) => openEntity(id, { expand: false }),
      p.query && p.result.paths.length > 0
        ? h(
            "p",
            { class: "path-export" },
            "Export these paths: ",
            ["html", "graphml", "ftm", "dot"].map((f) =>
              h("button", { type: "button", dataset: { pathFormat: f }, onclick: () => exportPaths(f) }, FORMAT_NAMES[f]),
            ),
          )
        : null,
    ),
    h(
      "p",
      { class: "muted small" },
      `${p.result.visited} entities visited`,
      p.result.truncated ? ` · cut by ${limitWords(p.result.limits)}` : "",
    ),
  );
}

async function nearestDesignated(e) {
  notify(null);
  const data = await guarded("Nearest designated entities", () => gql(LINKS, { id: e.id, first: 5 }));
  if (!data) return;
  showPaths(`Designated entities nearest to ${e.name}`, data.linksToSanctioned);
}

// ---- screening and exposure (when the server has them) ----------------------

async function showExposure(e) {
  const box = el.entity.querySelector(".exposure-result");
  await guarded("Ownership exposure", async () => {
    fill(box, h("p", { class: "muted" }, "Computing ownership exposure…"));
    const view = await exposureView(e, (id) => openEntity(id, { expand: false }), showPaths);
    fill(box, view);
  }).then(() => {
    if (box.textContent === "Computing ownership exposure…") fill(box);
  });
}

// ---- export ----------------------------------------------------------

const FORMAT_NAMES = { ftm: "FtM", graphml: "GraphML", csv: "CSV", cypher: "Cypher", dot: "DOT", html: "HTML" };
const EXT = { ftm: "ftm.json", graphml: "graphml", csv: "zip", cypher: "cypher", dot: "dot", html: "html" };

// exportURL is the GET /export request for the entities shown now.
// reportFields are what the HTML report says of itself (title, case
// reference, author), as typed under "Report details"; empty ones are left
// out (the report then titles itself from the question).
function reportFields(format) {
  const out = {};
  if (format.toLowerCase() !== "html") return out;
  for (const k of ["title", "case", "author"]) {
    const v = $(`#report-${k}`).value.trim();
    if (v) out[k] = v;
  }
  return out;
}

function exportURL(format) {
  const q = new URLSearchParams();
  for (const id of graph.visibleEntities()) q.append("seed", id);
  q.set("hops", "0");
  const hidden = graph.hiddenKinds;
  if (hidden.size > 0) {
    for (const k of graph.kinds()) if (!hidden.has(k)) q.append("via", k);
  }
  q.set("format", format);
  for (const [k, v] of Object.entries(reportFields(format))) q.set(k, v);
  return "/export?" + q.toString();
}

function download(blob, name) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

// saveExport downloads what GET /export answered, or says in words why not.
// It returns false when the server has no GET /export.
async function saveExport(url, what) {
  el.exportMsg.dataset.lastUrl = url;
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    fill(el.exportMsg, message("error", "Export failed: the server cannot be reached."));
    return true;
  }
  if (res.status === 404 && !(res.headers.get("Content-Type") || "").includes("json")) return false;
  if (!res.ok) {
    let why = `HTTP ${res.status}`;
    try {
      const body = await res.json();
      if (body.errors && body.errors[0]) why = body.errors[0].message;
    } catch (e) {
      /* not JSON */
    }
    fill(el.exportMsg, message("error", `Export of ${what} failed: ${why}.`));
    return true;
  }
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(cd);
  const name = m ? m[1] : `sanctionsgraph-export.${EXT[new URL(url, location.href).searchParams.get("format")] || "txt"}`;
  download(blob, name);
  // The server names the limits that cut the export, or says "false".
  const t = res.headers.get("X-Sanctionsgraph-Truncated");
  const cut = t && t !== "false" ? t : "";
  fill(el.exportMsg, message(cut ? "warn" : "info", `Exported ${what} as ${name}.` + (cut ? ` A limit cut it (${cut}).` : "")));
  return true;
}

// saveExportGraphQL is the same through Query.exportSubgraph, for servers
// that have it but not GET /export.
async function saveExportGraphQL(vars, what) {
  const q = `query Export($seeds: [ID!]!, $hops: Int, $via: [RelationshipKind!], $from: ID, $to: ID, $first: Int, $format: ExportFormat!, $title: String, $case: String, $author: String) {
    exportSubgraph(seeds: $seeds, hops: $hops, via: $via, from: $from, to: $to, first: $first, format: $format, title: $title, case: $case, author: $author) {
      contentType filename content encoding truncated limits entities relationships
    }
  }`;
  let x;
  try {
    x = (await gql(q, { ...vars, ...reportFields(vars.format) })).exportSubgraph;
  } catch (err) {
    fill(el.exportMsg, message("error", `Export of ${what} failed: ${err.message}`));
    return;
  }
  let body = x.content;
  if (x.encoding === "base64") {
    const bin = atob(x.content);
    body = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) body[i] = bin.charCodeAt(i);
  }
  download(new Blob([body], { type: x.contentType }), x.filename);
  fill(
    el.exportMsg,
    message(
      x.truncated ? "warn" : "info",
      `Exported ${x.entities} entities and ${x.relationships} relationships as ${x.filename}.` + (x.truncated ? ` A limit cut it (${x.limits.join(", ")}).` : ""),
    ),
  );
}

async function exportView(format) {
  fill(el.exportMsg);
  const seeds = graph.visibleEntities();
  if (seeds.length === 0) {
    fill(el.exportMsg, message("error", "Nothing to export: open an entity or find a path first."));
    return;
  }
  const what = `the ${seeds.length} entities shown`;
  if (await saveExport(exportURL(format), what)) return;
  if (state.api.has("exportSubgraph")) {
    const via = graph.hiddenKinds.size > 0 ? graph.kinds().filter((k) => !graph.hiddenKinds.has(k)) : null;
    await saveExportGraphQL({ seeds, hops: 0, via, format: format.toUpperCase() }, what);
    return;
  }
  fill(el.exportMsg, message("error", `Export as ${format} failed: this server has no export endpoint (GET /export).`));
}

// exportPaths exports the paths of the path finder: GET /export with from
// and to, else Query.exportSubgraph.
async function exportPaths(format) {
  fill(el.exportMsg);
  const p = state.paths;
  if (!p || !p.query) return;
  const what = `the paths from ${p.query.fromName} to ${p.query.toName}`;
  const q = new URLSearchParams({ from: p.query.from, to: p.query.to, first: String(p.query.first), format, ...reportFields(format) });
  if (await saveExport("/export?" + q.toString(), what)) return;
  if (state.api.has("exportSubgraph")) {
    await saveExportGraphQL({ seeds: [], from: p.query.from, to: p.query.to, first: p.query.first, format: format.toUpperCase() }, what);
    return;
  }
  fill(el.exportMsg, message("error", `Export as ${format} failed: this server has no export endpoint (GET /export).`));
}

for (const b of document.querySelectorAll("button[data-format]")) {
  b.addEventListener("click", () => exportView(b.dataset.format));
}
$("#btn-png").addEventListener("click", () => {
  if (graph.cy.nodes().length === 0) {
    fill(el.exportMsg, message("error", "Nothing to export: open an entity or find a path first."));
    return;
  }
  const a = h("a", { href: graph.png(), download: "sanctionsgraph-view.png", hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  fill(el.exportMsg, message("info", "Saved the graph as sanctionsgraph-view.png."));
});

// ---- start ------------------------------------------------------------

async function start() {
  try {
    state.api = await queryFields();
  } catch (err) {
    notify("error", `The API cannot be read: ${err.message}`);
  }
  if (state.api.has("screen")) {
    el.screen.hidden = false;
    fill(el.screen.querySelector(".body"), screenPanel((id) => openEntity(id), showPaths));
  }
  if (state.api.has("watchlists")) {
    try {
      const data = await gql("{ watchlists { name } }");
      if (data.watchlists.length > 0) {
        el.alerts.hidden = false;
        fill(
          el.alerts.querySelector(".body"),
          alertsPanel(
            (node) => fill(el.evidence, node),
            (id) => openEntity(id),
            drawAlertPath,
          ),
        );
      }
    } catch (err) {
      notify("error", `The watchlists cannot be read: ${err.message}`);
    }
  }
  renderKinds();
  renderStatus();
  window.addEventListener("hashchange", route);
  route();
  document.body.dataset.ready = "true";
}

// For the browser tests and the curious: the graph and the app state.
window.sanctionsgraph = { graph, state, exportURL };

start();
