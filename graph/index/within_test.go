package index

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestWithin(t *testing.T) {
	// a - b - c - d - e, and b, d designated by programme PX; f alone.
	g := newTestGraph("a b c d e f PX", "a-b", "b-c", "c-d", "d-e", "b>PX:designated-by", "d>PX:designated-by")
	ctx := context.Background()
	names := func(from []string, hops, max int) ([]string, bool) {
		t.Helper()
		var ids = nodeIDs(from)
		got, cut, err := g.ix.Within(ctx, ids, hops, max)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, id := range got {
			out = append(out, g.name(id))
		}
		slices.Sort(out)
		return out, cut
	}
	tests := []struct {
		name      string
		from      []string
		hops, max int
		want      []string
		cut       bool
	}{
		{"one hop", []string{"c"}, 1, 0, []string{"b", "c", "d"}, false},
		{"two hops", []string{"c"}, 2, 0, []string{"a", "b", "c", "d", "e"}, false},
		{"zero hops is the seeds", []string{"a", "e"}, 0, 0, []string{"a", "e"}, false},
		// The programme is neither a seed nor a way through: b and d are
		// two hops apart through it, but within one hop of a only b is.
		{"programme not walked", []string{"a"}, 1, 0, []string{"a", "b"}, false},
		{"programme not a seed", []string{"PX"}, 3, 0, nil, false},
		{"unknown id left out", []string{"zz", "f"}, 2, 0, []string{"f"}, false},
		{"bounded", []string{"c"}, 3, 2, []string{"b", "c"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := names(tt.from, tt.hops, tt.max)
			if !slices.Equal(got, tt.want) || cut != tt.cut {
				t.Errorf("Within(%v, %d, %d) = %v, %v, want %v, %v", tt.from, tt.hops, tt.max, got, cut, tt.want, tt.cut)
			}
		})
	}
}

func nodeIDs(names []string) []uuid.UUID {
	out := make([]uuid.UUID, len(names))
	for i, n := range names {
		out[i] = nodeID(n)
	}
	return out
}
