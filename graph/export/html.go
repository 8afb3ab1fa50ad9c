package export

import (
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

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

// reportFonts are the fonts the report asks for: a Latin sans with wide
// coverage, and for Arabic and Hangul/CJK letters the Noto fonts, picked
// by unicode-range (reportFontFaces) so that Arabic is set in a font made
// for it even though DejaVu Sans has Arabic glyphs too. Installed fonts
// only (local()): the report fetches nothing.
const reportFonts = `"Report Arabic","Report CJK","DejaVu Sans","Noto Sans","Noto Sans CJK KR","Noto Sans Arabic",system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif`

const reportFontFaces = `@font-face{font-family:"Report Arabic";src:local("Noto Sans Arabic"),local("NotoSansArabic-Regular"),local("Noto Naskh Arabic");unicode-range:U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF}
@font-face{font-family:"Report CJK";src:local("Noto Sans CJK KR"),local("NotoSansCJKkr-Regular"),local("Noto Sans CJK SC");unicode-range:U+1100-11FF,U+2E80-2FDF,U+3000-303F,U+3130-318F,U+3400-4DBF,U+4E00-9FFF,U+AC00-D7AF,U+F900-FAFF,U+FF00-FFEF}
`

// reportCSS styles the report on screen and on paper. On paper the
// diagram's labels lose their white halo (a stroke): printed, it is a
// second copy of the text, which PDF readers then read twice. Small
// blocks (a hop, a designation, a heading with what follows) are not
// split, but table rows and whole paths may be: a block kept whole that
// does not fit the rest of a page would leave half of it blank. The
// diagram is kept whole and made to fit one page (A4 landscape, 12 mm
// margins: 186 mm high).
const reportCSS = reportFontFaces + `body{font:13px/1.45 ` + reportFonts + `;color:#222;margin:1.5em auto;max-width:1200px;padding:0 1em}
h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .5em;border-bottom:1px solid #ccc}h3{font-size:1.05em;margin:1em 0 .3em}
.meta,.note{color:#555}.truncated{background:#fde8e6;border:1px solid #c00;padding:.5em 1em}
dl.fields{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:.5em 0}dl.fields dt{font-weight:bold}dl.fields dd{margin:0}
.blank{display:inline-block;min-width:18em;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td ul{margin:0;padding-left:1.1em}.sanctioned{color:#a00;font-weight:bold}.sanctioned .note{color:#555;font-weight:normal}
ol.hops{padding-left:1.6em}ol.hops>li{margin:.4em 0 .8em}.hop-line{font-weight:bold}.kind{color:#1a4d8f}
.url{word-break:break-all;font-family:"DejaVu Sans Mono",monospace;font-size:.9em}q{font-style:italic}
#diagram{max-width:100%;height:auto;border:1px solid #ddd}#diagram text{font-size:12px;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
#diagram .kind{font-size:10px;fill:#666}#diagram .rel-label{font-size:11px;fill:#1a4d8f;font-style:italic}
#diagram .rel{stroke:#888;stroke-width:1.2}code{font-size:.95em}a{color:#1a4d8f}
@media print{body{margin:0;max-width:none;font-size:10px}#diagram text{stroke:none}h2,h3{break-after:avoid}
ol.hops>li,.designation>ul>li,dl.fields,#diagram{break-inside:avoid}#diagram{max-height:170mm}tr,td,.path,.designation{break-inside:auto}
p,li{orphans:3;widows:3}thead{display:table-header-group}a{color:inherit;text-decoration:none}
@page{size:A4 landscape;margin:12mm}}`

// name is the name of entity id in s, or its id when s has no such node.
func (s *Subgraph) name(id uuid.UUID) string {
	if n := s.Node(id); n != nil {
		return n.Entity.Name()
	}
	return id.String()
}

// title is the report's title: the user's, else the question.
func (s *Subgraph) title() string {
	if t := strings.TrimSpace(s.Report.Title); t != "" {
		return t
	}
	if s.PathExport && len(s.Resolved) == 2 {
		return "How " + s.name(s.Resolved[0].ID) + " is linked to " + s.name(s.Resolved[1].ID)
	}
	var names []string
	for _, r := range s.Resolved {
		names = append(names, s.name(r.ID))
	}
	if len(names) == 0 {
		for _, n := range s.Nodes {
			if n.Seed {
				names = append(names, n.Entity.Name())
			}
		}
	}
	if len(names) == 0 {
		return "Entities and relationships"
	}
	return "The network of " + strings.Join(names, "; ")
}

// encodeHTML writes a self-contained report an investigator can hand on:
// the title (the question, or the user's), when it was made, the case and
// the author, what the names given resolved to, the versions of the lists
// it rests on, each path written out hop by hop with the sources of each
// hop, a diagram with full names and labelled edges, the designations of
// every designated entity, and tables of every entity and relationship.
// No scripts, no external stylesheets, images or fonts; print CSS for a
// clean PDF; source URLs printed as text, not only linked. Everything from
// the data is escaped, and the page is also well-formed XML.
func encodeHTML(w io.Writer, s *Subgraph) error {
	ew := &errWriter{w: w}
	title := s.title()
	ew.str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
	ew.str(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"/>` + "\n")
	ew.str("<title>" + esc(title) + "</title>\n<style>" + reportCSS + "</style>\n</head>\n<body>\n")
	ew.str(`<h1 id="title">` + esc(title) + "</h1>\n")
	writeFields(ew, s)
	if s.Query != "" {
		ew.str(`<p class="meta" id="question">` + esc(s.Query) + "</p>\n")
	}
	ew.str(fmt.Sprintf(`<p class="meta">%d entities, %d relationships.</p>`+"\n", len(s.Nodes), len(s.Relationships)))
	if note := s.truncationNote(); note != "" {
		ew.str(`<p class="truncated" id="truncated">` + esc(note) + "</p>\n")
	}
	writeResolved(ew, s)
	writeLists(ew, s)
	if s.PathExport {
		writePaths(ew, s)
	}
	ew.str("<h2>Diagram</h2>\n")
	writeSVG(ew, s)
	writeDesignations(ew, s)
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
		ew.str(esc(strings.Join(relDetails(r), "; ")) + "</td><td>")
		writeSources(ew, r.Sources)
		ew.str("</td></tr>\n")
	}
	ew.str("</tbody>\n</table>\n</body>\n</html>\n")
	return ew.err
}

// writeFields writes when the report was made, the case and the author;
// a field not given is a line to fill in by hand on paper.
func writeFields(ew *errWriter, s *Subgraph) {
	ew.str(`<dl class="fields" id="fields">`)
	field := func(id, label, v string) {
		ew.str(`<dt>` + esc(label) + `</dt><dd id="` + id + `">`)
		if v == "" {
			ew.str(`<span class="blank"></span>`)
		} else {
			ew.str(esc(v))
		}
		ew.str("</dd>")
	}
	gen := ""
	if !s.Generated.IsZero() {
		gen = s.Generated.UTC().Format("2006-01-02 15:04 UTC")
	}
	field("generated", "Generated", gen)
	field("case", "Case reference", s.Report.Case)
	field("author", "Author", s.Report.Author)
	ew.str("</dl>\n")
}

// writeResolved says what each name, identifier or id given named.
func writeResolved(ew *errWriter, s *Subgraph) {
	if len(s.Resolved) == 0 {
		return
	}
	ew.str("<h2>What the question names</h2>\n<ul id=\"resolved\">\n")
	for _, r := range s.Resolved {
		ref := s.nodeRef(r.ID)
		ew.str("<li>" + esc(fmt.Sprintf("%q: %s (%s), by %s", r.Query, s.name(r.ID), ref, r.How)))
		if r.Matched != "" && r.How != graph.ResolvedByID {
			ew.str(esc(fmt.Sprintf(", matching %q", r.Matched)))
			if r.How == graph.ResolvedByName {
				ew.str(esc(fmt.Sprintf(" (score %.2f)", r.Score)))
			}
		}
		ew.str("</li>\n")
	}
	ew.str("</ul>\n")
}

// writeLists writes the versions of the official lists the answer rests on.
func writeLists(ew *errWriter, s *Subgraph) {
	ew.str("<h2>Lists this report rests on</h2>\n")
	if len(s.Lists) == 0 {
		ew.str(`<p class="note" id="lists">No official list versions are recorded for these entities (demo or investigators' data only).</p>` + "\n")
		return
	}
	ew.str("<table id=\"lists\">\n<thead><tr><th>List</th><th>Version</th><th>File</th><th>Entries</th><th>Ingested</th></tr></thead>\n<tbody>\n")
	for _, l := range s.Lists {
		name := l.Title
		if name == "" {
			name = l.Dataset
		} else {
			name += " (" + l.Dataset + ")"
		}
		date := l.Date
		switch {
		case date == "":
			date = "not stated"
		case l.DateFrom == graph.ListDateStated:
			date += " (stated in the file)"
		case l.DateFrom == graph.ListDateGiven:
			date += " (given at ingest)"
		}
		ingested := ""
		if !l.Ingested.IsZero() {
			ingested = l.Ingested.UTC().Format("2006-01-02 15:04 UTC")
		}
		ew.str("<tr><td>" + esc(name))
		if u := safeURL(l.URL); u != "" {
			ew.str(`<br/><a class="url" href="` + esc(u) + `">` + esc(u) + "</a>")
		}
		ew.str("</td><td>" + esc(date) + "</td><td>" + esc(l.File) + "</td><td>" + fmt.Sprint(l.Entries) + "</td><td>" + esc(ingested) + "</td></tr>\n")
	}
	ew.str("</tbody>\n</table>\n")
}

// writePaths writes each path as an ordered sequence of hops: the two
// entities, the kind and direction of each relationship between them,
// its dates and its sources.
func writePaths(ew *errWriter, s *Subgraph) {
	ew.str("<h2>Paths</h2>\n")
	if len(s.Paths) == 0 {
		ew.str(`<p id="paths">No path was found within the limits of the search.</p>` + "\n")
		return
	}
	ew.str(`<div id="paths">` + "\n")
	for i, p := range s.Paths {
		hops := "hops"
		if p.Hops() == 1 {
			hops = "hop"
		}
		var names []string
		for _, id := range p.Entities {
			names = append(names, s.name(id))
		}
		ew.str(fmt.Sprintf(`<div class="path" data-path="%d"><h3>Path %d: %d %s</h3>`+"\n", i+1, i+1, p.Hops(), hops))
		ew.str(`<p class="meta">` + esc(strings.Join(names, " → ")) + "</p>\n<ol class=\"hops\">\n")
		for j, st := range p.Steps {
			ew.str(fmt.Sprintf(`<li class="hop" data-hop="%d">`, j+1))
			ew.str(`<div class="hop-line">` + esc(s.name(st.From)+" — "+s.name(st.To)) + "</div>\n")
			if len(st.Relationships) == 0 {
				ew.str("<ul>")
				for _, l := range st.Links {
					a, b := st.From, st.To
					if !l.Forward {
						a, b = b, a
					}
					ew.str("<li>" + esc(s.name(a)+" ") + `<span class="kind">` + esc(l.Kind.Label()) + "</span>" + esc(" "+s.name(b)) + "</li>")
				}
				ew.str("</ul>")
			} else {
				ew.str("<ul>")
				for _, r := range st.Relationships {
					dir := "along the path"
					if r.Source != st.From {
						dir = "against the path: stated from " + s.name(r.Source) + " to " + s.name(r.Target)
					}
					ew.str(`<li data-rel="` + esc(r.Ref) + `">` + esc(s.name(r.Source)+" ") + `<span class="kind">` + esc(r.Kind.Label()) + "</span>" + esc(" "+s.name(r.Target)))
					det := append([]string{"direction: " + dir}, relDetails(r)...)
					if r.StartDate() == "" && r.EndDate() == "" {
						det = append(det, "dates not stated")
					}
					ew.str(`<br/><span class="note">` + esc(strings.Join(det, "; ")) + "</span>")
					if len(r.Sources) == 0 {
						ew.str(`<br/><span class="note">No source recorded.</span>`)
					} else {
						ew.str("<br/>Sources:")
						writeSources(ew, r.Sources)
					}
					ew.str("</li>")
				}
				ew.str("</ul>")
			}
			ew.str("</li>\n")
		}
		ew.str("</ol>\n</div>\n")
	}
	ew.str("</div>\n")
}

// writeDesignations lists every designated entity with its designations,
// each with its reason and sources.
func writeDesignations(ew *errWriter, s *Subgraph) {
	var des []*Node
	for _, n := range s.Nodes {
		if len(n.Designations) > 0 && !n.Entity.IsDesignator() {
			des = append(des, n)
		}
	}
	ew.str("<h2>Designations</h2>\n")
	if len(des) == 0 {
		ew.str(`<p class="note" id="designations">No entity of this report is designated.</p>` + "\n")
		return
	}
	ew.str(`<div id="designations">` + "\n")
	for _, n := range des {
		ew.str(`<div class="designation" data-id="` + esc(n.Entity.Ref) + `"><h3>` + esc(n.Entity.Name()+" ("+n.Entity.Ref+")") + "</h3>")
		writeList(ew, n.Designations, func(d graph.Designation) {
			ew.str(esc(designationText(d)))
			if d.Reason != "" {
				ew.str(`<br/><span class="note">` + esc(d.Reason) + "</span>")
			}
			writeSources(ew, d.Sources)
		})
		ew.str("</div>\n")
	}
	ew.str("</div>\n")
}

// relDetails describes a relationship's percentage, role and dates.
func relDetails(r *graph.Relationship) []string {
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
	return det
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
		ew.str(esc(text))
		if s.Document != "" {
			ew.str(": " + esc(s.Document))
		}
		// The URL is printed, not only linked: on paper a link is lost.
		if u := safeURL(s.URL); u != "" {
			ew.str(`<br/><a class="url" href="` + esc(u) + `">` + esc(u) + "</a>")
		} else if s.URL != "" {
			ew.str(`<br/><span class="url">` + esc(s.URL) + "</span>")
		}
		if s.Quote != "" {
			ew.str(`<br/><q>` + esc(s.Quote) + "</q>")
		}
	})
}
