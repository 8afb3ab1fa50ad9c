package export_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
)

// bigSubgraph is an export at the HTTP default limit: 5000 entities and
// 20000 relationships.
func bigSubgraph() *export.Subgraph {
	sg := &export.Subgraph{Query: "benchmark"}
	for i := range 5000 {
		e := entity(fmt.Sprintf("e-%d", i), "Company", fmt.Sprintf("Company %d Trading & Co. <Ltd>", i),
			map[string][]string{"country": {"kp"}, "alias": {fmt.Sprintf("Alias %d", i)}})
		sg.Nodes = append(sg.Nodes, &export.Node{Entity: e, Records: []*graph.Entity{e}, Seed: i == 0})
	}
	for i := range 20000 {
		a, b := sg.Nodes[i%5000].Entity, sg.Nodes[(i*7+1)%5000].Entity
		ref := fmt.Sprintf("r-%d", i)
		sg.Relationships = append(sg.Relationships, &graph.Relationship{ID: graph.KeyFor(ref), Ref: ref, Kind: graph.RelOwns, Schema: "Ownership",
			Source: a.ID, Target: b.ID, SourceRef: a.Ref, TargetRef: b.Ref,
			Props:   map[string][]string{"percentage": {"51"}, "role": {"shareholder"}},
			Sources: []graph.Source{{Dataset: "test", URL: "https://example.org/" + ref}}})
	}
	sg.Finish()
	return sg
}

// countWriter counts what an encoder writes.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

func BenchmarkEncode(b *testing.B) {
	sg := bigSubgraph()
	for _, f := range export.Formats() {
		b.Run("format="+string(f), func(b *testing.B) {
			b.ReportAllocs()
			var w countWriter
			for b.Loop() {
				if err := export.Encode(&w, f, sg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(w.n)/float64(b.N)/1e6, "MB/op")
		})
	}
}
