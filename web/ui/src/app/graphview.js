// The graph view: Cytoscape.js holding the entities and relationships the
// investigator has opened. Supernodes grow page by page through a "+N more"
// node; kinds of relationship are coloured and can be hidden; designated
// entities are red; hubs above a degree can be hidden; paths are
// highlighted.
import cytoscape from "cytoscape";

// KIND_COLOURS colours each RelationshipKind; kinds not listed are grey.
export const KIND_COLOURS = {
  OWNS: "#1f6fb4",
  CONTROLS: "#7b4fb8",
  OPENED_ACCOUNTS_FOR: "#e07b00",
  DESIGNATED_BY: "#c62828",
  PROGRAMME_OF: "#e57373",
  DIRECTOR_OF: "#2e8b3a",
  REPRESENTS: "#0f9fb0",
  EMPLOYEE_OF: "#5c9c8c",
  MEMBER_OF: "#a8a21b",
  FAMILY: "#8c564b",
  ASSOCIATE: "#d0579e",
  LINKED_TO: "#6d6d6d",
  HAS_ADDRESS: "#9e9e9e",
  PAID: "#3d7d3d",
  OWES: "#7d3d3d",
};

export function kindColour(kind) {
  return KIND_COLOURS[kind] || "#8a8a8a";
}

// kindWords is how a kind reads in a sentence: OPENED_ACCOUNTS_FOR -> opened accounts for.
export function kindWords(kind) {
  return String(kind || "").toLowerCase().replace(/_/g, " ");
}

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "font-size": 10,
      "font-family": "system-ui, sans-serif",
      "text-wrap": "wrap",
      "text-max-width": 120,
      "text-valign": "bottom",
      "text-margin-y": 4,
      color: "#222",
      "text-background-color": "#fff",
      "text-background-opacity": 0.8,
      "text-background-padding": 1,
      width: 26,
      height: 26,
      "background-color": "#7fa7d0",
      "border-width": 1,
      "border-color": "#3b5f86",
    },
  },
  { selector: "node[kind = 'Person']", style: { shape: "ellipse", "background-color": "#9cc3a8", "border-color": "#3d7a50" } },
  { selector: "node[kind = 'Company'], node[kind = 'Organization'], node[kind = 'LegalEntity']", style: { shape: "round-rectangle" } },
  { selector: "node[kind = 'Vessel'], node[kind = 'Airplane']", style: { shape: "triangle", "background-color": "#c9b27c" } },
  { selector: "node[kind = 'Address']", style: { shape: "tag", "background-color": "#ddd", "border-color": "#999", width: 18, height: 18 } },
  { selector: "node[kind = 'Programme'], node[kind = 'Authority']", style: { shape: "diamond", "background-color": "#f3d9d9", "border-color": "#b55" } },
  {
    selector: "node.designated",
    style: { "background-color": "#e53935", "border-color": "#8e0000", "border-width": 3, color: "#8e0000", "font-weight": "bold" },
  },
  { selector: "node.expanded", style: { "border-style": "double", "border-width": 4 } },
  {
    selector: "node.more",
    style: {
      shape: "round-rectangle",
      width: "label",
      height: 18,
      padding: 4,
      "background-color": "#fff3c4",
      "border-color": "#c79100",
      "border-width": 2,
      "border-style": "dashed",
      "text-valign": "center",
      "text-margin-y": 0,
      "font-size": 12,
      "font-weight": "bold",
      color: "#5d4300",
    },
  },
  { selector: "node:selected", style: { "overlay-color": "#1565c0", "overlay-opacity": 0.25, "overlay-padding": 6 } },
  {
    selector: "edge",
    style: {
      width: 2,
      "curve-style": "bezier",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.9,
      "line-color": "data(colour)",
      "target-arrow-color": "data(colour)",
      label: "data(label)",
      "font-size": 8,
      "text-rotation": "autorotate",
      color: "#555",
      "text-background-color": "#fff",
      "text-background-opacity": 0.7,
    },
  },
  { selector: "edge[kind = 'LINKED_TO'], edge[kind = 'ASSOCIATE']", style: { "line-style": "dashed" } },
  { selector: "edge[kind = 'DESIGNATED_BY'], edge[kind = 'PROGRAMME_OF']", style: { "line-style": "dotted" } },
  { selector: "edge.more-edge", style: { "line-style": "dashed", "line-color": "#bbb", "target-arrow-shape": "none", label: "" } },
  { selector: ".kind-hidden, .hub-hidden", style: { display: "none" } },
  { selector: ".faded", style: { opacity: 0.18 } },
  { selector: "edge.on-path", style: { width: 4 } },
  { selector: "node.on-path", style: { "border-width": 3, "border-color": "#f9a825" } },
  { selector: "edge.path-active", style: { width: 6, "z-index": 10, "underlay-color": "#ffd54f", "underlay-opacity": 0.7, "underlay-padding": 3 } },
  { selector: "node.path-active", style: { "underlay-color": "#ffd54f", "underlay-opacity": 0.8, "underlay-padding": 8, "z-index": 10 } },
];

function shortLabel(name) {
  return name.length > 40 ? name.slice(0, 38) + "…" : name;
}

export class GraphView {
  constructor(container) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 4,
      boxSelectionEnabled: false,
    });
    this.hiddenKinds = new Set();
    this.hubLimit = 0; // 0: show hubs
    this.keep = new Set(); // ids never hidden as hubs (selected entity, path ends)
    this.onChange = () => {};
  }

  has(id) {
    return this.cy.getElementById(id).nonempty();
  }

  // addEntity adds an entity node (or refreshes its data) near `near`.
  addEntity(e, near) {
    const n = this.cy.getElementById(e.id);
    if (n.nonempty()) {
      n.data({ name: e.name, label: shortLabel(e.name), kind: e.kind, degree: e.degree });
      n.toggleClass("designated", !!e.sanctioned);
      return n;
    }
    const pos = near
      ? { x: near.x + (Math.random() - 0.5) * 160, y: near.y + (Math.random() - 0.5) * 160 }
      : { x: (Math.random() - 0.5) * 200, y: (Math.random() - 0.5) * 200 };
    const added = this.cy.add({
      group: "nodes",
      data: { id: e.id, name: e.name, label: shortLabel(e.name), kind: e.kind, degree: e.degree, loaded: 0 },
      position: pos,
      classes: e.sanctioned ? "designated" : "",
    });
    return added;
  }

  // addRelationship adds an edge; both ends must be in the graph.
  addRelationship(r) {
    if (this.has(r.id) || !this.has(r.sourceId) || !this.has(r.targetId)) return;
    this.cy.add({
      group: "edges",
      data: { id: r.id, source: r.sourceId, target: r.targetId, kind: r.kind, label: r.label || kindWords(r.kind), colour: kindColour(r.kind) },
    });
  }

  // addPage adds one page of an entity's relationships (an Entity with a
  // relationships connection) and keeps a "+N more" node while pages remain.
  addPage(entity) {
    const conn = entity.relationships;
    const centre = this.addEntity(entity);
    const near = centre.position();
    for (const edge of conn.edges) {
      if (!edge.other) continue; // the other end is not in the graph yet
      this.addEntity(edge.other, near);
      this.addRelationship(edge.node);
    }
    const loaded = (centre.data("loaded") || 0) + conn.edges.length;
    centre.data({ loaded, cursor: conn.pageInfo.endCursor, hasMore: conn.pageInfo.hasNextPage, total: conn.totalCount });
    centre.addClass("expanded");
    const moreId = "more:" + entity.id;
    this.cy.remove(this.cy.getElementById(moreId));
    if (conn.pageInfo.hasNextPage) {
      this.cy.add({
        group: "nodes",
        data: { id: moreId, label: `+${conn.totalCount - loaded} more`, owner: entity.id },
        position: { x: near.x + 40, y: near.y - 50 },
        classes: "more",
      });
      this.cy.add({ group: "edges", data: { id: "more-edge:" + entity.id, source: entity.id, target: moreId }, classes: "more-edge" });
    }
    this.applyFilters();
  }

  // kinds lists the relationship kinds in the graph, sorted.
  kinds() {
    const s = new Set();
    this.cy.edges().forEach((e) => {
      if (e.data("kind")) s.add(e.data("kind"));
    });
    return [...s].sort();
  }

  setKindHidden(kind, hidden) {
    if (hidden) this.hiddenKinds.add(kind);
    else this.hiddenKinds.delete(kind);
    this.applyFilters();
  }

  setHubLimit(n) {
    this.hubLimit = n;
    this.applyFilters();
  }

  applyFilters() {
    this.cy.batch(() => {
      this.cy.edges().forEach((e) => e.toggleClass("kind-hidden", this.hiddenKinds.has(e.data("kind"))));
      this.cy.nodes().forEach((n) => {
        const d = n.data("degree");
        const hub = this.hubLimit > 0 && d > this.hubLimit && !this.keep.has(n.id());
        n.toggleClass("hub-hidden", hub);
      });
    });
    this.onChange();
  }

  // visibleEntities lists the ids of the entities shown (not hidden, not
  // "more" nodes), the seeds of an export of the current view.
  visibleEntities() {
    return this.cy
      .nodes()
      .filter((n) => !n.hasClass("more") && n.visible())
      .map((n) => n.id());
  }

  hiddenHubs() {
    return this.cy.nodes(".hub-hidden").length;
  }

  layout(fitTo) {
    const real = this.cy.elements().filter((el) => !el.hasClass("kind-hidden") && !el.hasClass("hub-hidden"));
    if (real.nodes().length === 0) return;
    real
      .layout({
        name: "cose",
        animate: false,
        randomize: false,
        fit: true,
        padding: 40,
        nodeRepulsion: () => 20000,
        idealEdgeLength: () => 110,
        nodeOverlap: 20,
        nodeDimensionsIncludeLabels: true,
        numIter: 1500,
      })
      .run();
    if (fitTo && fitTo.nonempty()) this.cy.fit(fitTo, 60);
    // A few nodes fitted to the whole view would be drawn huge.
    if (this.cy.zoom() > 1.3) {
      this.cy.zoom(1.3);
      this.cy.center(real);
    }
  }

  // layoutPaths lays paths out from left (start) to right (end), one row
  // per path, and the other entities around them.
  layoutPaths(paths) {
    if (!paths || paths.length === 0) return this.layout();
    const cy = this.cy;
    const W = 190;
    const H = 110;
    const width = Math.max(...paths.map((p) => p.hops), 1) * W;
    // Ends shared by every path (the path finder's) sit on the middle row;
    // the ends of linksToSanctioned's paths differ and get a row each.
    const oneStart = paths.every((p) => p.start.id === paths[0].start.id);
    const oneEnd = paths.every((p) => p.end.id === paths[0].end.id);
    const placed = new Map();
    paths.forEach((p, i) => {
      const ids = [p.start.id, ...p.steps.map((s) => s.to.id)];
      ids.forEach((id, j) => {
        if (placed.has(id)) return;
        const middle = (j === 0 && oneStart) || (j === ids.length - 1 && j > 0 && oneEnd);
        const row = (i - (paths.length - 1) / 2) * H;
        placed.set(id, { x: (j / Math.max(p.hops, 1)) * width, y: middle ? 0 : row });
      });
    });
    const onPath = cy.collection();
    for (const [id, pos] of placed) {
      const n = cy.getElementById(id);
      if (n.empty()) continue;
      n.position(pos);
      onPath.merge(n);
    }
    onPath.lock();
    // Start the others above and below the paths; cose then settles them.
    cy.nodes().not(onPath).forEach((n) => {
      const side = Math.random() < 0.5 ? -1 : 1;
      n.position({ x: width / 2 + (Math.random() - 0.5) * width, y: side * ((paths.length * H) / 2 + 60 + Math.random() * 120) });
    });
    this.layout();
    onPath.unlock();
    cy.fit(onPath.union(onPath.edgesWith(onPath)), 50);
    if (cy.zoom() > 1.3) {
      cy.zoom(1.3);
      cy.center(onPath);
    }
  }

  // highlightPaths marks the elements of paths; active is the index of the
  // path drawn strongest, -1 for none.
  highlightPaths(paths, active) {
    const cy = this.cy;
    cy.batch(() => {
      cy.elements().removeClass("on-path path-active faded");
      if (!paths || paths.length === 0) return;
      const on = cy.collection();
      const act = cy.collection();
      paths.forEach((p, i) => {
        for (const s of p.steps) {
          const els = cy.getElementById(s.from.id).union(cy.getElementById(s.to.id)).union(cy.getElementById(s.relationship.id));
          on.merge(els);
          if (i === active) act.merge(els);
        }
      });
      on.addClass("on-path");
      act.addClass("path-active");
      cy.elements().difference(on).addClass("faded");
    });
  }

  clear() {
    this.cy.elements().remove();
    this.keep.clear();
    this.onChange();
  }

  png() {
    return this.cy.png({ full: true, scale: 2, bg: "#ffffff" });
  }
}
