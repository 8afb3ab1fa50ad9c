// Suggestions as you type: a text input, a list of search hits under it,
// arrows and Enter to pick one. Used by the main search box and by both
// ends of the path finder.
import { gql, SEARCH } from "./api.js";
import { h, fill, debounce, message } from "./dom.js";

// attachSuggest wires input to a suggestion list. onPick(entity) is called
// with the entity picked. It returns { set(entity) } to fill the input
// from elsewhere, and picked() for the entity last picked (null when the
// text was edited since).
export function attachSuggest(input, onPick, { first = 8 } = {}) {
  const list = h("ul", { class: "suggestions", role: "listbox", hidden: true });
  input.after(list);
  input.setAttribute("autocomplete", "off");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-expanded", "false");
  let hits = [];
  let active = -1;
  let seq = 0;
  let chosen = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };
  const pick = (i) => {
    const hit = hits[i];
    if (!hit) return;
    chosen = hit.entity;
    input.value = hit.entity.name;
    close();
    onPick(hit.entity);
  };
  const render = () => {
    fill(
      list,
      hits.map((hit, i) =>
        h(
          "li",
          {
            role: "option",
            class: i === active ? "active" : "",
            "aria-selected": i === active ? "true" : "false",
            dataset: { id: hit.entity.id },
            onmousedown: (ev) => {
              ev.preventDefault(); // keep focus; pick before blur closes the list
              pick(i);
            },
          },
          h("span", { class: "s-name" }, hit.entity.name),
          h("span", { class: "badge kind" }, hit.entity.kind),
          hit.entity.sanctioned ? h("span", { class: "badge designated" }, "designated") : null,
          hit.matched && hit.matched !== hit.entity.name ? h("span", { class: "s-matched" }, `matched “${hit.matched}”`) : null,
        ),
      ),
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const lookup = debounce(async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) {
      close();
      return;
    }
    try {
      const data = await gql(SEARCH, { q, first });
      if (mine !== seq) return; // a newer keystroke won
      if (document.activeElement !== input) return; // the user has moved on
      hits = data.search;
      active = hits.length > 0 ? 0 : -1;
      if (hits.length === 0) {
        fill(list, h("li", { class: "none" }, `Nothing found for “${q}”.`));
        list.hidden = false;
        return;
      }
      render();
    } catch (err) {
      if (mine !== seq) return;
      hits = [];
      fill(list, h("li", { class: "none" }, message("error", err.message)));
      list.hidden = false;
    }
  }, 150);

  input.addEventListener("input", () => {
    chosen = null;
    lookup();
  });
  input.addEventListener("keydown", (ev) => {
    if (list.hidden || hits.length === 0) return;
    if (ev.key === "ArrowDown") {
      active = (active + 1) % hits.length;
      render();
      ev.preventDefault();
    } else if (ev.key === "ArrowUp") {
      active = (active - 1 + hits.length) % hits.length;
      render();
      ev.preventDefault();
    } else if (ev.key === "Enter" && active >= 0) {
      pick(active);
      ev.preventDefault();
    } else if (ev.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));

  return {
    set(entity) {
      chosen = entity;
      input.value = entity ? entity.name : "";
    },
    picked: () => chosen,
  };
}
