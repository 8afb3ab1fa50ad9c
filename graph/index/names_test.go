package index

import (
	"context"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

func TestSearchNames(t *testing.T) {
	ix := New()
	add := func(id, schema string, names ...string) {
		ix.SetNode(nodeID(id), schema, nil)
		e := &graph.Entity{Schema: schema, Caption: names[0], Props: map[string][]string{"name": names[:1], "alias": names[1:]}}
		ix.AddNames(nodeID(id), graph.NameKeys(e))
	}
	add("ftb", "Company", "Foreign Trade Bank of the Democratic People's Republic of Korea", "Mooyokbank", "Korea Trade Bank")
	add("dandong", "Company", "Dandong Zhongsheng Industry & Trade Co., Ltd.")
	add("putin", "Person", "PUTIN, Vladimir Vladimirovich", "Vladimir Putin")
	add("trade", "Company", "Trade LLC")
	ctx := context.Background()
	search := func(q string, schemas ...string) []graph.SearchHit {
		t.Helper()
		hits, err := ix.SearchNames(ctx, graph.SearchQuery{Text: q, Schemas: schemas})
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	tests := []struct {
		q     string
		first string
		score float64
		n     int
	}{
		{"Vladimir PUTIN", "putin", 1, 1},
		{"putin, vladimir", "putin", 1, 1},
		{"DANDONG ZHONGSHENG INDUSTRY AND TRADE", "dandong", 1, 1},
		{"korea trade bank", "ftb", 1, 1},
		{"trade", "trade", 1, 3},
		{"mooyok", "ftb", 0.6, 1},  // a prefix of the last word
		{"zhongsh dand", "", 0, 0}, // only the last word may be a prefix
		{"nothing like it", "", 0, 0},
	}
	for _, tt := range tests {
		hits := search(tt.q)
		if len(hits) != tt.n {
			t.Errorf("search %q: %d hits, want %d", tt.q, len(hits), tt.n)
			continue
		}
		if tt.n > 0 && (hits[0].ID != nodeID(tt.first) || hits[0].Score < tt.score-0.01 || hits[0].Score > tt.score+0.01) {
			t.Errorf("search %q: first %v score %.2f, want %s %.2f", tt.q, hits[0].ID, hits[0].Score, tt.first, tt.score)
		}
	}
	if hits := search("vladimir", "Company"); len(hits) != 0 {
		t.Errorf("schema filter: %v", hits)
	}
	if hits := search("vladimir", "LegalEntity"); len(hits) != 1 {
		t.Errorf("schema filter by ancestor: %v", hits)
	}
	// Renaming replaces the names.
	ix.RemoveNames(nodeID("trade"), []string{graph.NameKey("Trade LLC")})
	ix.AddNames(nodeID("trade"), []string{graph.NameKey("Commerce LLC")})
	if hits := search("trade"); len(hits) != 2 {
		t.Errorf("after rename, %d hits for trade", len(hits))
	}
	if s, ok := MatchName("mooyok", "Mooyokbank"); !ok || s < 0.5 {
		t.Errorf("MatchName = %v %v", s, ok)
	}
}
