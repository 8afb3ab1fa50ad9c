package export

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// MaxDiagramNodes bounds the entities drawn in the HTML report's diagram;
// its tables list every entity and relationship whatever the number.
const MaxDiagramNodes = 300

// esc escapes text for HTML (and XML: the report is well-formed XML too,
// so it can be checked with an XML parser).
func esc(s string) string { return xmlText(s) }

// safeURL returns u if it is an http(s) URL, else "" (no javascript: or
// data: links in the report).
func safeURL(u string) string {
	l := strings.ToLower(strings.TrimSpace(u))
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return strings.TrimSpace(u)
	}
	return ""
}

// layout places nodes in columns by their distance (over relationships
// in either direction) from the seeds, or from the first node of each
// component without a seed; in a column by ref. It is deterministic: the
// same subgraph gives the same picture.
func layout(s *Subgraph, nodes []*Node) (map[uuid.UUID][2]float64, float64, float64) {
	adj := map[uuid.UUID][]uuid.UUID{}
	in := map[uuid.UUID]bool{}
	for _, n := range nodes {
		in[n.Entity.ID] = true
	}
	for _, r := range s.Relationships {
		if in[r.Source] && in[r.Target] {
			adj[r.Source] = append(adj[r.Source], r.Target)
			adj[r.Target] = append(adj[r.Target], r.Source)
		}
	}
	// Authorities and programmes are hubs: they go in a column of their
	// own on the right, and distances are not counted through them.
	designator := map[uuid.UUID]bool{}
	for _, n := range nodes {
		designator[n.Entity.ID] = n.Entity.IsDesignator() && !n.Seed
	}
	layer := map[uuid.UUID]int{}
	bfs := func(start []uuid.UUID, base int) {
		q := start
		for _, id := range start {
			layer[id] = base
		}
		for len(q) > 0 {
			u := q[0]
			q = q[1:]
			for _, v := range adj[u] {
				if _, ok := layer[v]; !ok && !designator[v] {
					layer[v] = layer[u] + 1
					q = append(q, v)
				}
			}
		}
	}
	var seeds []uuid.UUID
	for _, n := range nodes {
		if n.Seed {
			seeds = append(seeds, n.Entity.ID)
		}
	}
	bfs(seeds, 0)
	for _, n := range nodes { // components without a seed
		if _, ok := layer[n.Entity.ID]; !ok && !designator[n.Entity.ID] {
			bfs([]uuid.UUID{n.Entity.ID}, 0)
		}
	}
	last := 0
	for _, l := range layer {
		last = max(last, l)
	}
	cols := map[int][]*Node{}
	maxLayer, maxRows := 0, 0
	for _, n := range nodes {
		l := layer[n.Entity.ID]
		if designator[n.Entity.ID] {
			l = last + 1
		}
		cols[l] = append(cols[l], n)
		maxLayer = max(maxLayer, l)
		maxRows = max(maxRows, len(cols[l]))
	}
	const colW, rowH, padX, padY = 220.0, 56.0, 110.0, 40.0
	pos := map[uuid.UUID][2]float64{}
	height := padY*2 + float64(max(maxRows-1, 0))*rowH
	for l := 0; l <= maxLayer; l++ {
		col := cols[l]
		sort.SliceStable(col, func(i, j int) bool { return col[i].Entity.Ref < col[j].Entity.Ref })
		off := (height - padY*2 - float64(max(len(col)-1, 0))*rowH) / 2
		for i, n := range col {
			pos[n.Entity.ID] = [2]float64{padX + float64(l)*colW, padY + off + float64(i)*rowH}
		}
	}
	return pos, padX*2 + float64(maxLayer)*colW, height
}

func unit(x, y float64) (float64, float64) {
	d := math.Hypot(x, y)
	if d == 0 {
		return 0, 0
	}
	return x / d, y / d
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

var kindColours = map[string]string{
	"person": "#cfe2f3", "organization": "#d9ead3", "vessel": "#fff2cc", "airplane": "#fff2cc",
	"authority": "#e6e6e6", "programme": "#efefef", "address": "#f3f3f3",
}

// writeSVG draws the diagram: a circle per entity (red outline when
// designated, thick for seeds), a line with an arrow per relationship.
func writeSVG(ew *errWriter, s *Subgraph) {
	nodes := s.Nodes
	if len(nodes) > MaxDiagramNodes {
		// Seeds first, then by ref: the diagram shows the seeds' side.
		sorted := append([]*Node(nil), nodes...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Seed && !sorted[j].Seed })
		nodes = sorted[:MaxDiagramNodes]
		ew.str(fmt.Sprintf(`<p class="note">The diagram shows %d of the %d entities; the tables list all of them.</p>`+"\n", MaxDiagramNodes, len(s.Nodes)))
	}
	pos, w, h := layout(s, nodes)
	ew.str(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" id="diagram" role="img" aria-label="diagram of the subgraph" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f">`+"\n", w, h, w, h))
	ew.str(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>` + "\n")
	const r = 9.0
	for _, rel := range s.Relationships {
		a, okA := pos[rel.Source]
		b, okB := pos[rel.Target]
		if !okA || !okB || rel.Source == rel.Target {
			continue
		}
		dx, dy := b[0]-a[0], b[1]-a[1]
		d := math.Hypot(dx, dy)
		if d == 0 {
			continue
		}
		title := esc(s.nodeRef(rel.Source) + " " + rel.Kind.Label() + " " + s.nodeRef(rel.Target))
		if dx == 0 {
			// In one column a straight line would cross the entities
			// between: bow out to the right, more the longer it is.
			cx, cy := a[0]+30+math.Abs(dy)/4, (a[1]+b[1])/2
			ux1, uy1 := unit(cx-a[0], cy-a[1])
			ux2, uy2 := unit(b[0]-cx, b[1]-cy)
			ew.str(fmt.Sprintf(`<path class="rel" d="M %.1f %.1f Q %.1f %.1f %.1f %.1f" fill="none" marker-end="url(#arrow)"><title>%s</title></path>`+"\n",
				a[0]+ux1*r, a[1]+uy1*r, cx, cy, b[0]-ux2*(r+1), b[1]-uy2*(r+1), title))
			continue
		}
		x1, y1 := a[0]+dx/d*r, a[1]+dy/d*r
		x2, y2 := b[0]-dx/d*(r+1), b[1]-dy/d*(r+1)
		ew.str(fmt.Sprintf(`<line class="rel" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" marker-end="url(#arrow)"><title>%s</title></line>`+"\n",
			x1, y1, x2, y2, title))
	}
	for _, n := range nodes {
		p := pos[n.Entity.ID]
		fill := kindColours[entityKind(n.Entity)]
		if fill == "" {
			fill = "#ffffff"
		}
		stroke, sw := "#555", 1.0
		if n.sanctioned() {
			stroke = "#c00"
			sw = 2
		}
		if n.Seed {
			sw += 1.5
		}
		ew.str(fmt.Sprintf(`<g class="entity" data-id="%s"><circle cx="%.1f" cy="%.1f" r="%.0f" fill="%s" stroke="%s" stroke-width="%.1f"/>`,
			esc(n.Entity.Ref), p[0], p[1], r, fill, stroke, sw))
		ew.str(fmt.Sprintf(`<text x="%.1f" y="%.1f" text-anchor="middle">%s</text><title>%s</title></g>`+"\n",
			p[0], p[1]+r+12, esc(shorten(n.Entity.Name(), 30)), esc(n.Entity.Name()+" ("+n.Entity.Schema+")")))
	}
	ew.str("</svg>\n")
}

const reportCSS = `body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:1.5em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.2em;margin:1.5em 0 .5em;border-bottom:1px solid #ccc}
.meta,.note{color:#555}.truncated{background:#fde8e6;border:1px solid #c00;padding:.5em 1em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td ul{margin:0;padding-left:1.1em}.sanctioned{color:#a00;font-weight:bold}.sanctioned .note{color:#555;font-weight:normal}
#diagram{max-width:100%;height:auto;border:1px solid #ddd}#diagram text{font-size:10px;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
#diagram .rel{stroke:#888;stroke-width:1}code{font-size:.95em}a{color:#1a4d8f}
@media print{body{margin:0;max-width:none;font-size:10px}h2{break-after:avoid}tr,#diagram{break-inside:avoid}
thead{display:table-header-group}a{color:inherit;text-decoration:none}
@page{size:A4 landscape;margin:12mm}}`

// encodeHTML writes a self-contained report: no scripts, no external
// stylesheets, images or fonts; an inline SVG diagram; a table of every
// entity with its designations and one of every relationship with its
// sources; print CSS for a clean PDF. Everything from the data is escaped.
// The page is also well-formed XML.
func encodeHTML(w io.Writer, s *Subgraph) error {
	ew := &errWriter{w: w}
	ew.str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
	ew.str(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/>` + "\n")
	ew.str("<title>" + esc("sanctionsgraph export: "+s.Query) + "</title>\n<style>" + reportCSS + "</style>\n</head>\n<body>\n")
	ew.str("<h1>sanctionsgraph export</h1>\n")
	ew.str(fmt.Sprintf(`<p class="meta">%s<br/>%d entities, %d relationships.</p>`+"\n", esc(s.Query), len(s.Nodes), len(s.Relationships)))
	if note := s.truncationNote(); note != "" {
		ew.str(`<p class="truncated" id="truncated">` + esc(note) + "</p>\n")
	}
	ew.str("<h2>Diagram</h2>\n")
	writeSVG(ew, s)
	ew.str("<h2>Entities</h2>\n<table id=\"entities\">\n<thead><tr><th>Name</th><th>Id</th><th>Schema</th><th>Countries</th><th>Designations</th><th>Sources</th></tr></thead>\n<tbody>\n")
	for _, n := range s.Nodes {
		e := n.Entity
		cls := ""
		if n.sanctioned() {
			cls = ` class="sanctioned"`
		}
		ew.str(`<tr data-id="` + esc(e.Ref) + `"><td` + cls + ">" + esc(e.Name()))
		if a := e.Aliases(); len(a) > 0 {
			ew.str(`<br/><span class="note">a.k.a. ` + esc(strings.Join(a, "; ")) + "</span>")
		}
		ew.str("</td><td><code>" + esc(e.Ref) + "</code>")
		for _, r := range n.Records {
			if r.Ref != e.Ref {
				ew.str("<br/><code>" + esc(r.Ref) + "</code>")
			}
		}
		ew.str("</td><td>" + esc(e.Schema) + "</td><td>" + esc(strings.Join(e.Countries(), ", ")) + "</td><td>")
		writeList(ew, n.Designations, func(d graph.Designation) {
			ew.str(esc(designationText(d)))
			if d.Reason != "" {
				ew.str(`<br/><span class="note">` + esc(d.Reason) + "</span>")
			}
		})
		ew.str("</td><td>")
		writeSources(ew, e.Sources)
		ew.str("</td></tr>\n")
	}
	ew.str("</tbody>\n</table>\n")
	ew.str("<h2>Relationships</h2>\n<table id=\"relationships\">\n<thead><tr><th>From</th><th>Relationship</th><th>To</th><th>Details</th><th>Sources</th></tr></thead>\n<tbody>\n")
	for _, r := range s.Relationships {
		src, dst := s.Node(r.Source), s.Node(r.Target)
		ew.str(`<tr data-id="` + esc(r.Ref) + `" data-source="` + esc(src.Entity.Ref) + `" data-target="` + esc(dst.Entity.Ref) + `">`)
		ew.str("<td>" + esc(src.Entity.Name()) + "</td><td>" + esc(r.Kind.Label()) + "</td><td>" + esc(dst.Entity.Name()) + "</td><td>")
		var det []string
		if p, ok := r.Percentage(); ok {
			det = append(det, formatPct(p))
		}
		if role := r.Role(); role != "" {
			det = append(det, role)
		}
		if a, b := r.StartDate(), r.EndDate(); a != "" || b != "" {
			det = append(det, strings.TrimSpace(a+" – "+b))
		}
		ew.str(esc(strings.Join(det, "; ")) + "</td><td>")
		writeSources(ew, r.Sources)
		ew.str("</td></tr>\n")
	}
	ew.str("</tbody>\n</table>\n</body>\n</html>\n")
	return ew.err
}

func writeList[T any](ew *errWriter, items []T, each func(T)) {
	if len(items) == 0 {
		return
	}
	ew.str("<ul>")
	for _, it := range items {
		ew.str("<li>")
		each(it)
		ew.str("</li>")
	}
	ew.str("</ul>")
}

func writeSources(ew *errWriter, src []graph.Source) {
	writeList(ew, src, func(s graph.Source) {
		text := s.Dataset
		if s.RecordID != "" {
			text += " " + s.RecordID
		}
		if s.Date != "" {
			text += " (" + s.Date + ")"
		}
		if u := safeURL(s.URL); u != "" {
			ew.str(`<a href="` + esc(u) + `">` + esc(text) + "</a>")
		} else {
			ew.str(esc(text))
			if s.Document != "" {
				ew.str(": " + esc(s.Document))
			}
		}
		if s.Quote != "" {
			ew.str(`<br/><q>` + esc(s.Quote) + "</q>")
		}
	})
}
