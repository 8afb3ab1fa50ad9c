package export

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// entityKind is a coarse kind for styling and filtering: person,
// organization, vessel, authority, programme, ... (the schema otherwise).
func entityKind(e *graph.Entity) string {
	switch {
	case e.Schema == graph.SchemaAuthority:
		return "authority"
	case e.Schema == graph.SchemaProgramme:
		return "programme"
	case e.Is("Person"):
		return "person"
	case e.Is("Vessel"):
		return "vessel"
	case e.Is("Airplane"):
		return "airplane"
	case e.Is("Address"):
		return "address"
	case e.Is("LegalEntity"):
		return "organization"
	}
	return strings.ToLower(e.Schema)
}

// graphmlKey is one declared attribute.
type graphmlKey struct{ id, target, name, typ string }

var graphmlKeys = []graphmlKey{
	{"g_truncated", "graph", "truncated", "boolean"},
	{"g_limits", "graph", "limits", "string"},
	{"n_name", "node", "name", "string"},
	{"n_kind", "node", "kind", "string"},
	{"n_schema", "node", "schema", "string"},
	{"n_sanctioned", "node", "sanctioned", "boolean"},
	{"n_countries", "node", "countries", "string"},
	{"n_designations", "node", "designations", "string"},
	{"n_aliases", "node", "aliases", "string"},
	{"n_datasets", "node", "datasets", "string"},
	{"n_records", "node", "records", "string"},
	{"n_seed", "node", "seed", "boolean"},
	{"e_id", "edge", "id", "string"},
	{"e_kind", "edge", "kind", "string"},
	{"e_label", "edge", "label", "string"},
	{"e_schema", "edge", "schema", "string"},
	{"e_percentage", "edge", "percentage", "double"},
	{"e_role", "edge", "role", "string"},
	{"e_startDate", "edge", "startDate", "string"},
	{"e_endDate", "edge", "endDate", "string"},
	{"e_sources", "edge", "sources", "string"},
}

// xmlText escapes s for XML text and attribute values; characters XML 1.0
// does not allow become U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// encodeGraphML writes GraphML 1.0 (http://graphml.graphdrawing.org/) with
// typed keys, as Gephi, yEd and networkx read it. Lists (countries,
// designations, sources) are joined with "; ".
func encodeGraphML(w io.Writer, s *Subgraph) error {
	ew := &errWriter{w: w}
	ew.str(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	ew.str(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	if note := s.truncationNote(); note != "" {
		ew.str("<!-- " + strings.ReplaceAll(note, "--", "- -") + " -->\n")
	}
	for _, k := range graphmlKeys {
		ew.str(fmt.Sprintf(`  <key id="%s" for="%s" attr.name="%s" attr.type="%s"/>`+"\n", k.id, k.target, k.name, k.typ))
	}
	ew.str(`  <graph id="G" edgedefault="directed">` + "\n")
	data := func(indent, key, v string) {
		if v != "" {
			ew.str(indent + `<data key="` + key + `">` + xmlText(v) + "</data>\n")
		}
	}
	data("    ", "g_truncated", strconv.FormatBool(s.Truncated()))
	data("    ", "g_limits", strings.Join(s.Limits, "; "))
	for _, n := range s.Nodes {
		e := n.Entity
		ew.str(`    <node id="` + xmlText(e.Ref) + `">` + "\n")
		data("      ", "n_name", e.Name())
		data("      ", "n_kind", entityKind(e))
		data("      ", "n_schema", e.Schema)
		data("      ", "n_sanctioned", strconv.FormatBool(n.sanctioned()))
		data("      ", "n_countries", strings.Join(e.Countries(), "; "))
		var ds []string
		for _, d := range n.Designations {
			ds = append(ds, designationText(d))
		}
		data("      ", "n_designations", strings.Join(ds, "; "))
		data("      ", "n_aliases", strings.Join(e.Aliases(), "; "))
		data("      ", "n_datasets", strings.Join(e.Datasets(), "; "))
		var recs []string
		for _, r := range n.Records {
			recs = append(recs, r.Ref)
		}
		data("      ", "n_records", strings.Join(recs, "; "))
		data("      ", "n_seed", strconv.FormatBool(n.Seed))
		ew.str("    </node>\n")
	}
	for i, r := range s.Relationships {
		ew.str(fmt.Sprintf(`    <edge id="e%d" source="%s" target="%s">`+"\n", i, xmlText(s.nodeRef(r.Source)), xmlText(s.nodeRef(r.Target))))
		data("      ", "e_id", r.Ref)
		data("      ", "e_kind", r.Kind.String())
		data("      ", "e_label", r.Kind.Label())
		data("      ", "e_schema", r.Schema)
		if p, ok := r.Percentage(); ok {
			data("      ", "e_percentage", strconv.FormatFloat(p, 'g', -1, 64))
		}
		data("      ", "e_role", r.Role())
		data("      ", "e_startDate", r.StartDate())
		data("      ", "e_endDate", r.EndDate())
		data("      ", "e_sources", strings.Join(sourceText(r.Sources), "; "))
		ew.str("    </edge>\n")
	}
	ew.str("  </graph>\n</graphml>\n")
	return ew.err
}

// errWriter keeps the first write error, so encoders can write on and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) str(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}
