// The alert queue of the watchlists (Query.alerts): the alerts of a
// watchlist by status and kind, each opened with its evidence (the hit
// and its explanation, the path with every hop's sources, the ownership
// chain, before and after) and the decision buttons (Mutation.decideAlert,
// with a write token). main.js shows it only when the server has watchlists.
import { gql, SOURCE } from "./api.js";
import { h, fill, link, message } from "./dom.js";

const ENT = "id uuid name kind";
const DESIGNATION = "authority programme listedOn reference lists";
const STEP = `from { ${ENT} } to { ${ENT} } kind forward role sources { ${SOURCE} }`;
const EVIDENCE = `
  hit { entity { ${ENT} } score matched explanation designated designations { ${DESIGNATION} } names }
  path { target { ${ENT} } start { ${ENT} } via hops steps { ${STEP} } designations { ${DESIGNATION} } }
  exposure { entity { ${ENT} } blocked possiblyBlocked percentage maxPercentage explanation chains { steps { ${STEP} } } }`;
const ALERT = `id watchlist party partyName kind subject reason lists cause created status
  decisions { status reason by at }
  before { ${EVIDENCE} } after { ${EVIDENCE} }`;

const WATCHLISTS = `{ watchlists { name partyCount threshold hops authority } }`;
const ALERTS = `query Alerts($watchlist: String, $status: AlertStatus, $kinds: [AlertKind!], $first: Int) {
  alerts(watchlist: $watchlist, status: $status, kinds: $kinds, first: $first) {
    hasMore alerts { id watchlist party partyName kind reason created status }
  }
}`;
const ALERT_ONE = `query Alert($id: ID!) { alert(id: $id) { ${ALERT} } }`;
const DECIDE = `mutation Decide($id: ID!, $decision: AlertStatus!, $reason: String!) {
  decideAlert(id: $id, decision: $decision, reason: $reason) { ${ALERT} }
}`;

const KIND_WORDS = {
  NEW_HIT: "new hit",
  HIT_GONE: "hit gone",
  HIT_CHANGED: "hit changed",
  NEW_PATH: "new path",
  PATH_BROKEN: "path broken",
  PATH_CHANGED: "path changed",
  BECAME_BLOCKED: "became blocked",
  NO_LONGER_BLOCKED: "no longer blocked",
};

const TOKEN_KEY = "sanctionsgraph.writeToken";

function entityLink(e, onOpen) {
  return h("a", { href: "#entity=" + encodeURIComponent(e.id), class: "ent", onclick: (ev) => (ev.preventDefault(), onOpen(e.id)) }, e.name);
}

function kindBadge(kind) {
  const bad = kind === "NEW_HIT" || kind === "NEW_PATH" || kind === "BECAME_BLOCKED" || kind === "HIT_CHANGED" || kind === "PATH_CHANGED";
  return h("span", { class: "badge " + (bad ? "designated" : "clear"), dataset: { kind } }, KIND_WORDS[kind] || kind);
}

function designations(ds) {
  if (!ds || ds.length === 0) return null;
  return h(
    "ul",
    { class: "plain small designations" },
    ds.map((d) =>
      h("li", {}, `${d.authority}${d.programme ? " / " + d.programme : ""}${d.listedOn ? ", listed " + d.listedOn : ""}`, d.lists.length ? h("span", { class: "muted" }, ` (${d.lists.join(", ")})`) : null),
    ),
  );
}

function sources(ss) {
  if (!ss || ss.length === 0) return h("p", { class: "small muted" }, "no source recorded");
  return h(
    "ul",
    { class: "sources" },
    ss.map((s) =>
      h(
        "li",
        { class: "source" },
        h("span", { class: "dataset" }, s.dataset),
        s.recordId ? ` ${s.recordId}` : "",
        s.date ? ` (${s.date})` : "",
        s.url ? [" ", link(s.url)] : "",
        s.document ? ` ${s.document}` : "",
        s.quote ? h("blockquote", {}, s.quote) : null,
      ),
    ),
  );
}

// steps lists the hops of a path or chain, each with its sources.
function steps(ss, onOpen) {
  return h(
    "ol",
    { class: "steps" },
    ss.map((s) =>
      h(
        "li",
        { class: "step" },
        h(
          "p",
          { class: "hop" },
          entityLink(s.from, onOpen),
          " ",
          h("span", { class: "dir" + (s.forward ? "" : " back") }, s.forward ? `—${s.kind}→` : `←${s.kind}—`),
          " ",
          entityLink(s.to, onOpen),
          s.role ? h("span", { class: "muted" }, ` (${s.role})`) : null,
        ),
        sources(s.sources),
      ),
    ),
  );
}

// evidence shows one side (before or after) of an alert.
function evidence(title, ev, onOpen) {
  if (!ev) return null;
  const parts = [h("h3", {}, title)];
  if (ev.hit) {
    const x = ev.hit;
    parts.push(
      h(
        "div",
        { class: "alert-hit" },
        h("p", {}, "Hit: ", entityLink(x.entity, onOpen), " ", h("span", { class: "score" }, `score ${x.score.toFixed(2)}`), x.designated ? h("span", { class: "badge designated" }, "designated") : null),
        h("p", { class: "small explanation" }, x.explanation),
        x.names.length ? h("p", { class: "small muted" }, "Names: " + x.names.join("; ")) : null,
        designations(x.designations),
      ),
    );
  }
  if (ev.path) {
    const p = ev.path;
    parts.push(
      h(
        "div",
        { class: "alert-path path" },
        h("p", {}, `Path of ${p.hops} hop(s) from `, entityLink(p.start, onOpen), p.via === "hit" ? " (a hit)" : " (the party's entity)", " to ", entityLink(p.target, onOpen)),
        designations(p.designations),
        steps(p.steps, onOpen),
      ),
    );
  }
  if (ev.exposure) {
    const x = ev.exposure;
    parts.push(
      h(
        "div",
        { class: "alert-exposure" },
        h("p", {}, entityLink(x.entity, onOpen), x.blocked ? h("span", { class: "badge blocked" }, "blocked") : x.possiblyBlocked ? h("span", { class: "badge possibly" }, "possibly blocked") : null),
        h("p", { class: "small" }, x.explanation),
        x.chains.map((c) => steps(c.steps, onOpen)),
      ),
    );
  }
  return h("div", { class: "alert-evidence" }, parts);
}

// alertView is the evidence panel of one alert with its decision form.
function alertView(a, onOpen, onDecided) {
  const reason = h("textarea", { id: "alert-reason", rows: 3, placeholder: "Why (required; recorded with who and when)" });
  const token = h("input", { id: "alert-token", type: "password", placeholder: "Write token", autocomplete: "off", value: sessionStorage.getItem(TOKEN_KEY) || "" });
  const out = h("div", { class: "decision-msg", "aria-live": "polite" });
  const decide = async (decision) => {
    fill(out);
    if (!reason.value.trim()) {
      fill(out, message("error", "Give a reason for the decision."));
      reason.focus();
      return;
    }
    if (!token.value.trim()) {
      fill(out, message("error", "Decisions need a write token (the server's --write-token-file)."));
      token.focus();
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token.value.trim());
    try {
      const data = await gql(DECIDE, { id: a.id, decision, reason: reason.value }, token.value.trim());
      onDecided(data.decideAlert);
    } catch (err) {
      fill(out, message("error", err.message));
    }
  };
  return h(
    "div",
    { class: "alert-view evidence", dataset: { id: a.id, status: a.status } },
    h("h2", {}, `Alert #${a.id} `, kindBadge(a.kind)),
    h("p", {}, h("strong", {}, a.partyName || a.party), h("span", { class: "muted" }, ` (${a.party}, watchlist ${a.watchlist})`)),
    h("p", { class: "alert-reason" }, a.reason),
    h(
      "dl",
      { class: "props" },
      h("dt", {}, "status"),
      h("dd", { class: "alert-status" }, a.status.toLowerCase()),
      h("dt", {}, "raised"),
      h("dd", {}, a.created),
      h("dt", {}, "cause"),
      h("dd", {}, a.cause),
      a.lists.length ? [h("dt", {}, "lists"), h("dd", {}, a.lists.join(", "))] : null,
    ),
    evidence("Before", a.before, onOpen),
    evidence(a.after ? "Now" : "Now: gone", a.after, onOpen),
    a.decisions.length
      ? [h("h3", {}, "Decisions"), h("ul", { class: "plain decisions" }, a.decisions.map((d) => h("li", {}, `${d.status.toLowerCase()} by ${d.by} at ${d.at}: `, h("em", {}, d.reason))))]
      : null,
    h(
      "form",
      { class: "decide", onsubmit: (ev) => ev.preventDefault() },
      h("h3", {}, "Decide"),
      reason,
      h(
        "div",
        { class: "inline" },
        token,
        h("button", { type: "button", id: "alert-confirm", onclick: () => decide("CONFIRMED") }, "Confirm"),
        h("button", { type: "button", id: "alert-dismiss", onclick: () => decide("DISMISSED") }, "Dismiss"),
      ),
      out,
    ),
  );
}

// alertsPanel is the queue: filters and the list of alerts. show(node)
// puts an alert's view in the evidence panel; onOpen(id) opens an entity;
// onPath(path) draws the path of an alert (now, else before) in the graph.
export function alertsPanel(show, onOpen, onPath) {
  const list = h("select", { id: "alerts-watchlist", "aria-label": "Watchlist" }, h("option", { value: "" }, "every watchlist"));
  const status = h(
    "select",
    { id: "alerts-status", "aria-label": "Status" },
    h("option", { value: "OPEN" }, "open"),
    h("option", { value: "" }, "any status"),
    h("option", { value: "CONFIRMED" }, "confirmed"),
    h("option", { value: "DISMISSED" }, "dismissed"),
  );
  const kind = h("select", { id: "alerts-kind", "aria-label": "Kind" }, h("option", { value: "" }, "every kind"), Object.entries(KIND_WORDS).map(([k, w]) => h("option", { value: k }, w)));
  const out = h("div", { class: "alerts-result", "aria-live": "polite" });
  let current = null;

  const load = async () => {
    let data;
    try {
      data = await gql(ALERTS, { watchlist: list.value || null, status: status.value || null, kinds: kind.value ? [kind.value] : null, first: 200 });
    } catch (err) {
      fill(out, message("error", err.message));
      return;
    }
    const as = data.alerts.alerts;
    if (as.length === 0) {
      fill(out, message("info", "No alerts match."));
      return;
    }
    fill(
      out,
      h("p", { class: "small muted" }, `${as.length}${data.alerts.hasMore ? "+" : ""} alert(s), newest first`),
      h(
        "ul",
        { class: "hits alert-list" },
        as.map((a) =>
          h(
            "li",
            { class: "alert-item" + (a.id === current ? " active" : ""), dataset: { id: a.id, status: a.status } },
            h("a", { href: "#", onclick: (ev) => (ev.preventDefault(), open(a.id)) }, `#${a.id} ${a.partyName || a.party}`),
            " ",
            kindBadge(a.kind),
            a.status !== "OPEN" ? h("span", { class: "badge kind" }, a.status.toLowerCase()) : null,
            h("div", { class: "small muted" }, a.reason),
          ),
        ),
      ),
    );
  };

  const open = async (id) => {
    current = id;
    for (const li of out.querySelectorAll("li.alert-item")) li.classList.toggle("active", li.dataset.id === id);
    let data;
    try {
      data = await gql(ALERT_ONE, { id });
    } catch (err) {
      show(message("error", err.message));
      return;
    }
    if (!data.alert) {
      show(message("error", `Alert #${id} not found.`));
      return;
    }
    const a = data.alert;
    const p = (a.after && a.after.path) || (a.before && a.before.path);
    if (p && onPath) onPath(p);
    const render = (a) =>
      show(
        alertView(a, onOpen, (decided) => {
          render(decided);
          load();
        }),
      );
    render(a);
  };

  const init = async () => {
    try {
      const data = await gql(WATCHLISTS);
      for (const w of data.watchlists) list.append(h("option", { value: w.name }, `${w.name} (${w.partyCount})`));
    } catch (err) {
      fill(out, message("error", err.message));
      return;
    }
    await load();
  };
  for (const s of [list, status, kind]) s.addEventListener("change", load);
  init();
  return h("div", { class: "alerts" }, h("div", { class: "inline alert-filters" }, list, status, kind, h("button", { type: "button", id: "alerts-reload", onclick: load }, "Reload")), out);
}
