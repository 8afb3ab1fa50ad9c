// The entity panel and the evidence panel: plain DOM built from API answers.
import { h, link } from "./dom.js";
import { kindColour, kindWords } from "./graphview.js";

export function sourceList(sources) {
  if (!sources || sources.length === 0) return h("p", { class: "muted" }, "No source recorded.");
  return h(
    "ul",
    { class: "sources" },
    sources.map((s) =>
      h(
        "li",
        { class: "source" },
        h("span", { class: "dataset" }, s.dataset),
        s.recordId ? [" · record ", h("code", {}, s.recordId)] : null,
        s.url ? [" · ", link(s.url, s.document || hostOf(s.url))] : s.document ? [" · ", s.document] : null,
        s.date ? ` · ${s.date}` : null,
        s.quote ? h("blockquote", {}, s.quote) : null,
      ),
    ),
  );
}

function hostOf(url) {
  try {
    const u = new URL(url);
    return u.host + (u.pathname.length > 1 ? u.pathname : "");
  } catch (e) {
    return url;
  }
}

// list renders a titled list; past 8 items the rest fold away.
function list(title, items, cls) {
  if (!items || items.length === 0) return null;
  const ul = (xs) => h("ul", { class: cls || "plain" }, xs.map((x) => h("li", {}, x)));
  if (items.length <= 8) return [h("h3", {}, title), ul(items)];
  return [
    h("h3", {}, `${title} (${items.length})`),
    ul(items.slice(0, 8)),
    h("details", { class: "more-items" }, h("summary", {}, `${items.length - 8} more`), ul(items.slice(8))),
  ];
}

// entityPanel renders an entity. actions: { expand, pathFrom, pathTo, links, exposure? }.
export function entityPanel(e, actions) {
  const desig = e.designations || [];
  return h(
    "div",
    { class: "entity", dataset: { id: e.id } },
    h(
      "h2",
      {},
      e.name,
      " ",
      h("span", { class: "badge kind" }, e.kind),
      e.sanctioned ? h("span", { class: "badge designated" }, "designated") : null,
    ),
    h(
      "p",
      { class: "ids" },
      h("code", {}, e.id),
      " · ",
      h("a", { href: "#entity=" + encodeURIComponent(e.id), title: "Link to this entity" }, "link"),
      ` · ${e.degree} relationship${e.degree === 1 ? "" : "s"}`,
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "act-expand", onclick: actions.expand }, "Expand in graph"),
      h("button", { type: "button", class: "act-from", onclick: actions.pathFrom }, "Path from here"),
      h("button", { type: "button", class: "act-to", onclick: actions.pathTo }, "Path to here"),
      h("button", { type: "button", class: "act-links", onclick: actions.links }, "Nearest designated"),
      actions.exposure ? h("button", { type: "button", class: "act-exposure", onclick: actions.exposure }, "Ownership exposure") : null,
    ),
    h("div", { class: "exposure-result" }),
    list("Aliases", e.aliases, "aliases"),
    e.weakAliases && e.weakAliases.length > 0
      ? [
          list("Weak aliases", e.weakAliases, "weak-aliases"),
          h("p", { class: "muted" }, "Nicknames, single given names and acronyms the list marks as weak: screening never matches one alone."),
        ]
      : null,
    e.identifiers && e.identifiers.length > 0
      ? [
          h("h3", {}, "Identifiers"),
          h(
            "table",
            { class: "identifiers" },
            h("tbody", {}, e.identifiers.map((i) => h("tr", {}, h("th", {}, i.scheme), h("td", {}, h("code", {}, i.value))))),
          ),
        ]
      : null,
    list("Countries", e.countries),
    list("Birth dates", e.birthDates),
    list("Addresses", e.addresses),
    h("h3", {}, `Designations (${desig.length})`),
    desig.length === 0
      ? h("p", { class: "muted" }, "No designation recorded.")
      : h(
          "table",
          { class: "designations" },
          h("thead", {}, h("tr", {}, h("th", {}, "Authority"), h("th", {}, "Programme"), h("th", {}, "Listed"), h("th", {}, "Reference"))),
          h(
            "tbody",
            {},
            desig.map((d) => [
              h(
                "tr",
                { class: d.active ? "designation active" : "designation ended" },
                h("td", {}, d.authority),
                h("td", {}, d.programme || "—"),
                h("td", {}, d.listedOn || "—", d.endedOn ? ` – ${d.endedOn} (ended)` : ""),
                h("td", {}, d.reference || "—"),
              ),
              d.reason || (d.sources && d.sources.length)
                ? h("tr", { class: "designation-detail" }, h("td", { colspan: 4 }, d.reason ? h("p", { class: "reason" }, d.reason) : null, sourceList(d.sources)))
                : null,
            ]),
          ),
        ),
    e.merge && e.merge.records.length > 0
      ? [
          h("h3", {}, `Merged records (${e.merge.records.length})`),
          h(
            "ul",
            { class: "plain" },
            e.merge.records.map((r) => h("li", {}, h("code", {}, r.id), ` ${r.name} (${r.datasets.join(", ")})`)),
          ),
        ]
      : null,
    h("h3", {}, "Sources"),
    sourceList(e.sources),
    h("div", { class: "links-result" }),
  );
}

function props(p) {
  if (!p) return null;
  const out = [];
  if (p.role) out.push(["role", p.role]);
  if (p.percentage !== null && p.percentage !== undefined) out.push(["share", `${p.percentage}%`]);
  if (p.shares) out.push(["shares", p.shares]);
  if (p.startDate || p.endDate) out.push(["dates", `${p.startDate || "?"} – ${p.endDate || "today"}`]);
  if (p.programme) out.push(["programme", p.programme]);
  if (p.authority) out.push(["authority", p.authority]);
  if (p.listingDate) out.push(["listed", p.listingDate]);
  if (p.reference) out.push(["reference", p.reference]);
  if (p.reason) out.push(["reason", p.reason]);
  if (out.length === 0) return null;
  return h(
    "dl",
    { class: "props" },
    out.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
  );
}

function entityRef(e, onOpen) {
  return h(
    "a",
    { href: "#entity=" + encodeURIComponent(e.id), class: e.sanctioned ? "ent designated" : "ent", onclick: (ev) => (ev.preventDefault(), onOpen(e.id)) },
    e.name,
  );
}

// evidencePanel renders a PathResult: every path, every hop with its
// direction, kind, properties and sources. onSelect(i) activates path i.
export function evidencePanel(title, result, active, onSelect, onOpen, tools) {
  return h(
    "div",
    { class: "evidence" },
    h("h2", {}, title),
    tools,
    result.paths.length === 0
      ? h("p", { class: "msg msg-info" }, result.truncated
            ? "No path found before a limit cut the search."
            : "No path within the limits (max hops, hidden hubs). Paths never pass through an authority or a programme.")
      : null,
    result.paths.map((p, i) =>
      h(
        "div",
        { class: i === active ? "path active" : "path", dataset: { index: i } },
        h(
          "h3",
          { class: "path-head", onclick: () => onSelect(i), title: "Highlight this path in the graph" },
          `Path ${i + 1} · ${p.hops} hop${p.hops === 1 ? "" : "s"}: `,
          [p.start, ...p.steps.map((s) => s.to)].map((e) => e.name).join(" → "),
          p.hops === 0 ? " (designated itself)" : "",
        ),
        h(
          "ol",
          { class: "steps" },
          p.steps.map((s) => {
            const r = s.relationship;
            const src = s.forward ? s.from : s.to;
            const dst = s.forward ? s.to : s.from;
            const others = (s.relationships || []).filter((x) => x.id !== r.id);
            return h(
              "li",
              { class: "step", dataset: { rel: r.id, forward: String(s.forward) } },
              h(
                "p",
                { class: "hop" },
                entityRef(s.from, onOpen),
                h(
                  "span",
                  { class: "rel", style: `color:${kindColour(r.kind)}` },
                  s.forward ? ` —${kindWords(r.kind)}→ ` : ` ←${kindWords(r.kind)}— `,
                ),
                entityRef(s.to, onOpen),
              ),
              h(
                "p",
                { class: "reads" },
                h("span", { class: s.forward ? "dir fwd" : "dir back" }, s.forward ? "forward" : "backward"),
                ` ${src.name} ${r.label} ${dst.name}`,
              ),
              props(r.properties),
              others.length > 0 ? h("p", { class: "also" }, "also: ", others.map((x) => x.label).join(", ")) : null,
              sourceList(r.sources),
            );
          }),
        ),
      ),
    ),
  );
}
