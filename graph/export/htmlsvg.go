package export

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// MaxDiagramNodes bounds the entities drawn in the HTML report's diagram;
// its tables list every entity and relationship whatever the number.
const MaxDiagramNodes = 300

// The diagram's geometry, in SVG units (CSS pixels when printed at full
// width): columns wide enough for a name of four lines of labelLine
// characters, and rows tall enough for the lines and the kind.
const (
	colW, rowH   = 300.0, 110.0
	padX, padY   = 150.0, 60.0
	nodeR        = 10.0
	labelLine    = 30 // characters per line of an entity's name
	labelLines   = 4  // lines of a name at most; the rest is in the tables
	edgeLabelMax = 48 // characters of an edge label
)

// layout places nodes in columns. The entities of a path export's paths
// go first, in path order: the start in the first column, each hop one
// column on, one row per path (entities shared by paths keep their first
// place). The others go in columns by their distance (over relationships
// in either direction) from the seeds, or from the first node of their
// component, in rows below; in a column by ref. Authorities and programmes
// go in a column of their own on the right. It is deterministic: the same
// subgraph gives the same picture.
func layout(s *Subgraph, nodes []*Node) (map[uuid.UUID][2]float64, float64, float64) {
	in := map[uuid.UUID]bool{}
	for _, n := range nodes {
		in[n.Entity.ID] = true
	}
	type cell struct{ col, row int }
	placed := map[uuid.UUID]cell{}
	rows := 0
	for _, p := range s.Paths {
		used := false
		for j, id := range p.Entities {
			if _, ok := placed[id]; ok || !in[id] {
				continue
			}
			placed[id] = cell{j, rows}
			used = true
		}
		if used {
			rows++
		}
	}
	adj := map[uuid.UUID][]uuid.UUID{}
	for _, r := range s.Relationships {
		if in[r.Source] && in[r.Target] {
			adj[r.Source] = append(adj[r.Source], r.Target)
			adj[r.Target] = append(adj[r.Target], r.Source)
		}
	}
	designator := map[uuid.UUID]bool{}
	for _, n := range nodes {
		designator[n.Entity.ID] = n.Entity.IsDesignator() && !n.Seed
	}
	layer := map[uuid.UUID]int{}
	bfs := func(start []uuid.UUID) {
		q := start
		for _, id := range start {
			layer[id] = 0
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
	bfs(seeds)
	for _, n := range nodes { // components without a seed
		if _, ok := layer[n.Entity.ID]; !ok && !designator[n.Entity.ID] {
			bfs([]uuid.UUID{n.Entity.ID})
		}
	}
	last := 0
	for _, c := range placed {
		last = max(last, c.col)
	}
	for id, l := range layer {
		if _, ok := placed[id]; !ok {
			last = max(last, l)
		}
	}
	cols := map[int][]*Node{}
	for _, n := range nodes {
		if _, ok := placed[n.Entity.ID]; ok {
			continue
		}
		l := layer[n.Entity.ID]
		if designator[n.Entity.ID] {
			l = last + 1
		}
		cols[l] = append(cols[l], n)
	}
	maxCol, maxRow := 0, max(rows-1, 0)
	for _, c := range placed {
		maxCol = max(maxCol, c.col)
	}
	for l, col := range cols {
		sort.SliceStable(col, func(i, j int) bool { return col[i].Entity.Ref < col[j].Entity.Ref })
		for i, n := range col {
			placed[n.Entity.ID] = cell{l, rows + i}
			maxRow = max(maxRow, rows+i)
		}
		maxCol = max(maxCol, l)
	}
	pos := make(map[uuid.UUID][2]float64, len(placed))
	for id, c := range placed {
		pos[id] = [2]float64{padX + float64(c.col)*colW, padY + float64(c.row)*rowH}
	}
	return pos, padX*2 + float64(maxCol)*colW, padY*2 + float64(maxRow)*rowH + 40
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

// wrap breaks s into lines of at most width characters at spaces (a word
// longer than a line is cut), at most maxLines, the last ending in "…"
// when s does not fit.
func wrap(s string, width, maxLines int) []string {
	var lines []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			lines = append(lines, string(cur))
			cur = cur[:0]
		}
	}
	for _, w := range strings.FieldsFunc(s, unicode.IsSpace) {
		rw := []rune(w)
		for len(rw) > width {
			flush()
			lines = append(lines, string(rw[:width]))
			rw = rw[width:]
		}
		if len(cur) > 0 && len(cur)+1+len(rw) > width {
			flush()
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, rw...)
	}
	flush()
	if len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = shorten(lines[maxLines-1]+" …", width)
		if !strings.HasSuffix(lines[maxLines-1], "…") {
			lines[maxLines-1] += "…"
		}
	}
	return lines
}

var kindColours = map[string]string{
	"person": "#cfe2f3", "organization": "#d9ead3", "vessel": "#fff2cc", "airplane": "#fff2cc",
	"authority": "#e6e6e6", "programme": "#efefef", "address": "#f3f3f3",
}

// writeSVG draws the diagram: a circle per entity (red outline when
// designated, thick for seeds) with its full name below (wrapped), a line
// with an arrow per relationship and, once per pair of entities, the
// kinds of the relationships between them written along the line.
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
	ew.str(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" id="diagram" role="img" aria-label="diagram of the entities and relationships" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f">`+"\n", w, h, w, h))
	ew.str(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>` + "\n")
	// The kinds between each pair of entities, for one label per pair.
	type pair struct{ a, b uuid.UUID }
	labels := map[pair][]string{}
	var order []pair
	for _, rel := range s.Relationships {
		k := pair{rel.Source, rel.Target}
		if k.b.String() < k.a.String() {
			k = pair{k.b, k.a}
		}
		if _, ok := labels[k]; !ok {
			order = append(order, k)
		}
		l := rel.Kind.Label()
		if !containsString(labels[k], l) {
			labels[k] = append(labels[k], l)
		}
	}
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
			cx, cy := a[0]+40+math.Abs(dy)/4, (a[1]+b[1])/2
			ux1, uy1 := unit(cx-a[0], cy-a[1])
			ux2, uy2 := unit(b[0]-cx, b[1]-cy)
			ew.str(fmt.Sprintf(`<path class="rel" d="M %.1f %.1f Q %.1f %.1f %.1f %.1f" fill="none" marker-end="url(#arrow)"><title>%s</title></path>`+"\n",
				a[0]+ux1*nodeR, a[1]+uy1*nodeR, cx, cy, b[0]-ux2*(nodeR+1), b[1]-uy2*(nodeR+1), title))
			continue
		}
		x1, y1 := a[0]+dx/d*nodeR, a[1]+dy/d*nodeR
		x2, y2 := b[0]-dx/d*(nodeR+1), b[1]-dy/d*(nodeR+1)
		ew.str(fmt.Sprintf(`<line class="rel" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" marker-end="url(#arrow)"><title>%s</title></line>`+"\n",
			x1, y1, x2, y2, title))
	}
	for _, k := range order {
		a, okA := pos[k.a]
		b, okB := pos[k.b]
		if !okA || !okB || k.a == k.b {
			continue
		}
		x, y := (a[0]+b[0])/2, (a[1]+b[1])/2-6
		if a[0] == b[0] {
			x += 20 + math.Abs(b[1]-a[1])/8
		}
		ew.str(fmt.Sprintf(`<text class="rel-label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
			x, y, esc(shorten(strings.Join(labels[k], "; "), edgeLabelMax))))
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
			sw = 2.5
		}
		if n.Seed {
			sw += 1.5
		}
		ew.str(fmt.Sprintf(`<g class="entity" data-id="%s"><circle cx="%.1f" cy="%.1f" r="%.0f" fill="%s" stroke="%s" stroke-width="%.1f"/>`,
			esc(n.Entity.Ref), p[0], p[1], nodeR, fill, stroke, sw))
		ew.str(fmt.Sprintf(`<text x="%.1f" y="%.1f" text-anchor="middle">`, p[0], p[1]+nodeR+14))
		for i, line := range wrap(n.Entity.Name(), labelLine, labelLines) {
			dy := "0"
			if i > 0 {
				dy = "1.2em"
			}
			ew.str(fmt.Sprintf(`<tspan x="%.1f" dy="%s">%s</tspan>`, p[0], dy, esc(line)))
		}
		ew.str(fmt.Sprintf(`<tspan class="kind" x="%.1f" dy="1.2em">%s</tspan></text><title>%s</title></g>`+"\n",
			p[0], esc(n.Entity.Schema+" · "+n.Entity.Ref), esc(n.Entity.Name()+" ("+n.Entity.Schema+")")))
	}
	ew.str("</svg>\n")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
