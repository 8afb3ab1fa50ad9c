package export

import (
	"io"
	"strconv"
	"strings"
)

// DOTString quotes s as a Graphviz double-quoted string: backslash and
// double quote are escaped, line breaks become \n and other control
// characters a space, so no value can end the string.
func DOTString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// dotShapes styles nodes by kind.
var dotShapes = map[string]string{
	"person": "ellipse", "organization": "box", "vessel": "cds", "airplane": "cds",
	"authority": "house", "programme": "note", "address": "plaintext",
}

// encodeDOT writes a Graphviz digraph: every id and label quoted (see
// DOTString), designated entities filled red, seeds drawn bold.
func encodeDOT(w io.Writer, s *Subgraph) error {
	ew := &errWriter{w: w}
	ew.str("// sanctionsgraph export: " + strings.NewReplacer("\n", " ", "\r", " ").Replace(s.Query) + "\n")
	if note := s.truncationNote(); note != "" {
		ew.str("// " + note + "\n")
	}
	ew.str("digraph sanctionsgraph {\n  graph [rankdir=LR, fontname=\"Helvetica\"];\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n")
	for _, n := range s.Nodes {
		e := n.Entity
		label := e.Name() + "\n" + e.Schema
		attrs := "label=" + DOTString(label) + ", tooltip=" + DOTString(e.Ref)
		if shape := dotShapes[entityKind(e)]; shape != "" {
			attrs += ", shape=" + shape
		}
		if n.sanctioned() {
			attrs += `, style="filled", fillcolor="#f4c7c3"`
		}
		if n.Seed {
			attrs += ", penwidth=2.5"
		}
		ew.str("  " + DOTString(e.Ref) + " [" + attrs + "];\n")
	}
	for _, r := range s.Relationships {
		label := r.Kind.Label()
		if p, ok := r.Percentage(); ok {
			label += " " + formatPct(p)
		}
		ew.str("  " + DOTString(s.nodeRef(r.Source)) + " -> " + DOTString(s.nodeRef(r.Target)) +
			" [label=" + DOTString(label) + ", tooltip=" + DOTString(r.Ref) + "];\n")
	}
	ew.str("}\n")
	return ew.err
}

func formatPct(p float64) string { return strconv.FormatFloat(p, 'g', -1, 64) + "%" }
