package export_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
)

// FuzzEncodeNames puts arbitrary text in an entity's name and id and a
// relationship's role: every format must still parse back with the
// values intact where the format keeps them.
func FuzzEncodeNames(f *testing.F) {
	for _, h := range hostile {
		f.Add(h, "id-"+h)
	}
	f.Add("", "x")
	f.Add("\x00\x01\ufffe", "a\"b")
	f.Fuzz(func(t *testing.T, name, ref string) {
		if !utf8.ValidString(name) || !utf8.ValidString(ref) || ref == "" || ref == "rec-a" {
			return
		}
		sg := testSubgraph(false)
		e := entity(ref, "Person", name, nil)
		sg.Nodes = append(sg.Nodes, &export.Node{Entity: e, Records: []*graph.Entity{e}})
		party := sg.Nodes[0].Entity
		for _, n := range sg.Nodes {
			if n.Entity.Ref == "rec-a" {
				party = n.Entity
			}
		}
		sg.Relationships = append(sg.Relationships, &graph.Relationship{ID: graph.KeyFor("fuzz-rel"), Ref: "fuzz-rel", Kind: graph.RelLinkedTo,
			Source: e.ID, Target: party.ID, SourceRef: ref, TargetRef: "rec-a", Props: map[string][]string{"role": {name}}})
		sg.Finish()

		var doc struct{}
		for _, f := range []export.Format{export.GraphML, export.HTML} {
			out := encode(t, f, sg)
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("%s does not parse with name %q id %q: %v", f, name, ref, err)
			}
		}
		stmts, err := lexCypher(string(encode(t, export.Cypher, sg)))
		if err != nil || len(stmts) != 1+len(sg.Nodes)+len(sg.Relationships) {
			t.Fatalf("cypher with name %q: %d statements, %v", name, len(stmts), err)
		}
		if _, err := lexDOT(string(encode(t, export.DOT, sg))); err != nil {
			t.Fatalf("dot with name %q: %v", name, err)
		}
		lines := bytes.Split(bytes.TrimSpace(encode(t, export.FTM, sg)), []byte("\n"))
		found := false
		for _, l := range lines {
			var x struct {
				ID         string
				Properties map[string][]string
			}
			if err := json.Unmarshal(l, &x); err != nil {
				t.Fatalf("ftm line %q: %v", l, err)
			}
			found = found || x.ID == ref && strings.Join(x.Properties["name"], "") == name
		}
		if !found {
			t.Fatalf("ftm lost entity %q named %q", ref, name)
		}
	})
}
