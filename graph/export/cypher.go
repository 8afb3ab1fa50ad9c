package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CypherString quotes s as a Cypher string literal: single quotes, with
// backslash, quotes and control characters escaped, so that no value can
// end the literal or the statement.
func CypherString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// cypherIdent quotes a label or relationship type with backticks (a
// backtick inside is doubled).
func cypherIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

func cypherList(vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = CypherString(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// encodeCypher writes a Cypher script: a uniqueness constraint on
// Entity.id, one MERGE per entity and one MATCH ... MERGE per relationship,
// each on one line ending with ";". Every value is a quoted literal (see
// CypherString) and every label a backtick-quoted identifier, so running
// the script with cypher-shell creates exactly the exported graph, and
// running it twice changes nothing.
func encodeCypher(w io.Writer, s *Subgraph) error {
	ew := &errWriter{w: w}
	ew.str("// sanctionsgraph export: " + strings.NewReplacer("\n", " ", "\r", " ").Replace(s.Query) + "\n")
	if note := s.truncationNote(); note != "" {
		ew.str("// " + note + "\n")
	}
	ew.str("// Run with: cypher-shell -f FILE\n")
	ew.str("CREATE CONSTRAINT sanctionsgraph_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;\n")
	for _, n := range s.Nodes {
		e := n.Entity
		var ds, recs []string
		for _, d := range n.Designations {
			ds = append(ds, designationText(d))
		}
		for _, r := range n.Records {
			recs = append(recs, r.Ref)
		}
		labels := ""
		for _, l := range nodeLabels(n)[1:] {
			labels += ":" + cypherIdent(l)
		}
		ew.str("MERGE (n:Entity {id: " + CypherString(e.Ref) + "}) SET n" + labels + ", n += {" +
			"name: " + CypherString(e.Name()) +
			", schema: " + CypherString(e.Schema) +
			", kind: " + CypherString(entityKind(e)) +
			", sanctioned: " + strconv.FormatBool(n.sanctioned()) +
			", seed: " + strconv.FormatBool(n.Seed) +
			", countries: " + cypherList(e.Countries()) +
			", aliases: " + cypherList(e.Aliases()) +
			", designations: " + cypherList(ds) +
			", datasets: " + cypherList(e.Datasets()) +
			", records: " + cypherList(recs) + "};\n")
	}
	for _, r := range s.Relationships {
		props := "kind: " + CypherString(r.Kind.String()) + ", schema: " + CypherString(r.Schema)
		if p, ok := r.Percentage(); ok {
			props += ", percentage: " + strconv.FormatFloat(p, 'f', -1, 64)
		}
		for _, kv := range [][2]string{{"role", r.Role()}, {"startDate", r.StartDate()}, {"endDate", r.EndDate()}} {
			if kv[1] != "" {
				props += ", " + kv[0] + ": " + CypherString(kv[1])
			}
		}
		props += ", sources: " + cypherList(sourceText(r.Sources))
		ew.str("MATCH (a:Entity {id: " + CypherString(s.nodeRef(r.Source)) + "}), (b:Entity {id: " + CypherString(s.nodeRef(r.Target)) +
			"}) MERGE (a)-[r:" + cypherIdent(r.Kind.EnumName()) + " {id: " + CypherString(r.Ref) + "}]->(b) SET r += {" + props + "};\n")
	}
	return ew.err
}
