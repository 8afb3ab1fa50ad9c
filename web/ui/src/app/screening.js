// Name screening (Query.screen) and ownership exposure under the OFAC 50
// Percent Rule (Query.ownershipExposure). main.js shows these only when the
// server's schema has them.
import { gql, ENTITY_BRIEF, PATH, PATH_FIELDS, limitWords } from "./api.js";
import { h, fill, message } from "./dom.js";

const SCREEN = `query Screen($name: String!, $country: String, $birthDate: String, $first: Int) {
  screen(name: $name, country: $country, birthDate: $birthDate, first: $first) {
    score matched
    entity { ${ENTITY_BRIEF} }
    explanation {
      summary nameScore
      words { query name similarity how }
      fields { field query value outcome effect }
    }
    exposure(maxHops: 3, first: 3) { ${PATH_FIELDS} }
  }
}`;

const EXPOSURE = `query Exposure($id: ID!) {
  ownershipExposure(id: $id) {
    blocked possiblyBlocked designated percentage maxPercentage complete
    explanation authority asOf visited truncated limits dataErrors
    owners { owner { ${ENTITY_BRIEF} } ownerId percentage stated counted ownerBlocked ownerReason note }
    controlledBy { controller { ${ENTITY_BRIEF} } controllerId blocked reason }
    controlledByBlocked
    chains { ${PATH} }
  }
}`;

function pct(x) {
  return `${Math.round(x * 100) / 100}%`;
}

function entityLink(e, id, onOpen) {
  if (!e) return h("code", {}, id);
  return h(
    "a",
    { href: "#entity=" + encodeURIComponent(e.id), class: e.sanctioned ? "ent designated" : "ent", onclick: (ev) => (ev.preventDefault(), onOpen(e.id)) },
    e.name,
  );
}

// screenPanel is a form that screens a name and lists the hits, each with
// its explanation and the nearest designated entities.
// onPaths(title, pathResult) shows paths in the evidence panel.
export function screenPanel(onOpen, onPaths) {
  const name = h("input", { type: "text", id: "screen-name", placeholder: "Name to screen", spellcheck: "false" });
  const country = h("input", { type: "text", id: "screen-country", placeholder: "Country (optional)", size: 12 });
  const born = h("input", { type: "text", id: "screen-born", placeholder: "Born YYYY[-MM-DD]", size: 14 });
  const out = h("div", { class: "screen-result", "aria-live": "polite" });

  const render = (q, hits) => {
    if (hits.length === 0) return message("info", `No listed party matches “${q}” at the default threshold.`);
    return h(
      "ul",
      { class: "hits" },
      hits.map((hit) => {
        const x = hit.exposure;
        const near = x.paths.filter((p) => p.hops > 0);
        return h(
          "li",
          { class: "hit", dataset: { id: hit.entity.id } },
          entityLink(hit.entity, hit.entity.id, onOpen),
          " ",
          h("span", { class: "badge kind" }, hit.entity.kind),
          hit.entity.sanctioned ? h("span", { class: "badge designated" }, "designated") : null,
          " ",
          h("span", { class: "score" }, `score ${hit.score.toFixed(2)}`),
          h("div", { class: "small" }, hit.explanation.summary),
          h(
            "div",
            { class: "small muted words" },
            hit.explanation.words
              .map((w) => `${w.query || "—"} ↔ ${w.name || "—"} (${w.how})`)
              .join(" · "),
          ),
          hit.explanation.fields.length > 0
            ? h(
                "div",
                { class: "small fields" },
                hit.explanation.fields.map((f) =>
                  h("div", {}, `${f.field}: ${f.query} vs ${f.value || "—"}: ${f.outcome} (${f.effect >= 0 ? "+" : ""}${f.effect.toFixed(2)})`),
                ),
              )
            : null,
          near.length > 0
            ? h(
                "div",
                { class: "small exposure-line" },
                `Linked to ${near.length} designated entit${near.length === 1 ? "y" : "ies"} within 3 hops: `,
                near.map((p) => `${p.end.name} (${p.hops} hop${p.hops === 1 ? "" : "s"})`).join(", "),
                " ",
                h("button", { type: "button", class: "show-links", onclick: () => onPaths(`Designated entities linked to ${hit.entity.name}`, x) }, "Show paths"),
              )
            : h("div", { class: "small muted" }, hit.entity.sanctioned ? "Designated itself." : "No designated entity within 3 hops."),
          x.truncated ? h("div", { class: "small muted" }, `(cut by ${limitWords(x.limits)})`) : null,
        );
      }),
    );
  };

  const form = h(
    "form",
    {
      id: "screen-form",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const q = name.value.trim();
        if (!q) {
          fill(out, message("error", "Type a name to screen."));
          return;
        }
        fill(out, h("p", { class: "muted" }, "Screening…"));
        const vars = { name: q, first: 10 };
        if (country.value.trim()) vars.country = country.value.trim();
        if (born.value.trim()) vars.birthDate = born.value.trim();
        try {
          const data = await gql(SCREEN, vars);
          fill(out, render(q, data.screen));
        } catch (err) {
          fill(out, message("error", `Screening: ${err.message}`));
        }
      },
    },
    h("div", { class: "field" }, name),
    h("div", { class: "inline" }, country, born, h("button", { type: "submit", id: "screen-go" }, "Screen")),
  );
  return h("div", {}, form, out);
}

// exposureView fetches and renders the ownership exposure of an entity.
// onPaths shows the ownership chains in the evidence panel.
export async function exposureView(e, onOpen, onPaths) {
  const data = await gql(EXPOSURE, { id: e.id });
  const x = data.ownershipExposure;
  const status = x.blocked
    ? h("span", { class: "badge blocked" }, x.designated ? "blocked: designated" : "blocked: 50% rule")
    : x.possiblyBlocked
      ? h("span", { class: "badge possibly" }, "possibly blocked")
      : h("span", { class: "badge clear" }, "not blocked");
  return h(
    "div",
    { class: "exposure", dataset: { blocked: String(x.blocked) } },
    h("h3", {}, `Ownership exposure (${x.authority}, 50% rule, as of ${x.asOf})`),
    h(
      "p",
      {},
      status,
      " ",
      x.complete ? `${pct(x.percentage)} owned by blocked persons` : `between ${pct(x.percentage)} and ${pct(x.maxPercentage)} owned by blocked persons (some stakes unknown)`,
    ),
    h("p", { class: "small" }, x.explanation),
    x.owners.length > 0
      ? h(
          "table",
          { class: "owners" },
          h("thead", {}, h("tr", {}, h("th", {}, "Owner"), h("th", {}, "Stake"), h("th", {}, "Owner blocked?"))),
          h(
            "tbody",
            {},
            x.owners.map((o) =>
              h(
                "tr",
                { class: o.counted ? "counted" : "" },
                h("td", {}, entityLink(o.owner, o.ownerId, onOpen)),
                h("td", {}, o.percentage !== null ? pct(o.percentage) : o.stated || "unknown", o.note ? h("div", { class: "small muted" }, o.note) : null),
                h("td", {}, o.ownerBlocked ? "yes" : "no", h("div", { class: "small muted" }, o.ownerReason)),
              ),
            ),
          ),
        )
      : h("p", { class: "small muted" }, "No owner recorded."),
    x.controlledBy.length > 0
      ? h(
          "p",
          { class: "small" },
          "Controlled by (not counted in the percentage): ",
          x.controlledBy.map((c, i) => [i > 0 ? "; " : "", entityLink(c.controller, c.controllerId, onOpen), c.blocked ? " (blocked)" : ""]),
        )
      : null,
    x.chains.length > 0
      ? h(
          "button",
          {
            type: "button",
            class: "show-chains",
            onclick: () => onPaths(`Ownership chains to ${e.name}`, { paths: x.chains, truncated: x.truncated, visited: x.visited, limits: x.limits }),
          },
          `Show ${x.chains.length} ownership chain${x.chains.length === 1 ? "" : "s"}`,
        )
      : null,
    x.truncated ? message("warn", `The search was cut by a limit (${x.limits.join(", ")}): the answer may be incomplete.`) : null,
    x.dataErrors.length > 0 ? message("warn", `Data errors not used: ${x.dataErrors.join("; ")}`) : null,
  );
}
