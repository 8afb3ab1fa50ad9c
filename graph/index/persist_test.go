package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// randomIndex builds an index of n entities with links, names, designators,
// aliases and removals (so that the file holds the state after updates, not
// only after a bulk build).
func randomIndex(r *rand.Rand, n int) *Index {
	ix := New()
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = nodeID(fmt.Sprintf("e%d", i))
	}
	alias := map[uuid.UUID]uuid.UUID{ids[1]: ids[0], ids[2]: ids[0]}
	ix.SetAliases(alias)
	words := []string{"bank", "trade", "korea", "foreign", "dandong", "zhongsheng", "russian", "financial", "society", "ivan", "petrov"}
	for i, id := range ids {
		switch {
		case i%17 == 5:
			ix.SetNode(id, graph.SchemaProgramme, &graph.DesignatorInfo{Authority: "UN", Programme: fmt.Sprint(i), Name: "UN / " + fmt.Sprint(i)})
		case i%13 == 7:
			// left unstored: the end of pending relationships
		default:
			ix.SetNode(id, []string{"Company", "Person", "Vessel"}[i%3], nil)
		}
		var keys []string
		for range r.IntN(3) {
			keys = append(keys, words[r.IntN(len(words))]+" "+words[r.IntN(len(words))])
		}
		ix.AddNames(id, keys)
	}
	for range 3 * n {
		a, b := ids[r.IntN(n)], ids[r.IntN(n)]
		from, to := graph.DayMin, graph.DayMax
		if r.IntN(4) == 0 {
			from = graph.Day(r.IntN(20000))
			to = from + graph.Day(r.IntN(5000))
		}
		ix.AddLink(a, b, graph.RelType(1+r.IntN(10)), from, to)
	}
	for i := 0; i < n; i += 11 {
		ix.DeleteNode(ids[i])
	}
	ix.RemoveNames(ids[n-1], []string{"bank trade"})
	ix.Compact()
	return ix
}

// same reports the first difference between two indexes' contents.
func same(a, b *Index) error {
	eq := func(name string, x, y any) error {
		empty := func(v any) bool {
			rv := reflect.ValueOf(v)
			return (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0
		}
		if !(empty(x) && empty(y)) && !reflect.DeepEqual(x, y) {
			return fmt.Errorf("%s differ:\n %v\n %v", name, x, y)
		}
		return nil
	}
	norm := func(l [][]Link) [][]Link {
		out := make([][]Link, len(l))
		for i, x := range l {
			out[i] = append([]Link{}, x...)
		}
		return out
	}
	normP := func(l [][]Posting) [][]Posting {
		out := make([][]Posting, len(l))
		for i, x := range l {
			out[i] = append([]Posting{}, x...)
		}
		return out
	}
	for _, err := range []error{
		eq("ids", a.ids, b.ids), eq("schema", a.schema, b.schema), eq("flags", a.flags, b.flags),
		eq("schemaNames", a.schemaNames, b.schemaNames), eq("codes", a.codes, b.codes), eq("desig", a.desig, b.desig),
		eq("alias", len(a.alias), len(b.alias)), eq("stored", a.stored, b.stored), eq("links", a.links, b.links),
		eq("adj", norm(a.adj), norm(b.adj)), eq("strs", a.names.strs, b.names.strs), eq("tokens", a.names.tokens, b.names.tokens),
		eq("postings", normP(a.names.postings), normP(b.names.postings)), eq("count", a.names.count, b.names.count),
		eq("sorted", a.names.sortedWords(), b.names.sortedWords()),
	} {
		if err != nil {
			return err
		}
	}
	for k, v := range a.alias {
		if b.alias[k] != v {
			return fmt.Errorf("alias %s: %s vs %s", k, v, b.alias[k])
		}
	}
	for i, id := range a.ids {
		if n, ok := b.lookupNum(id); !ok || n != int32(i) {
			return fmt.Errorf("id %s: number %d, %v; want %d", id, n, ok, i)
		}
	}
	return nil
}

func TestWriteReadRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 4, 40, 3000} {
		ix := randomIndex(r, max(n, 4))
		if n == 0 {
			ix = New()
		}
		var buf bytes.Buffer
		written, err := ix.WriteTo(&buf, []byte("stamp-1"))
		if err != nil {
			t.Fatal(err)
		}
		if written != int64(buf.Len()) {
			t.Errorf("WriteTo says %d bytes, wrote %d", written, buf.Len())
		}
		got, err := Read(buf.Bytes(), []byte("stamp-1"))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if err := same(ix, got); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		// The loaded index answers as the original, and takes updates.
		if n >= 40 {
			ctx := context.Background()
			for i := range 50 {
				q := graph.PathQuery{From: ix.ids[r.IntN(len(ix.ids))], To: ix.ids[r.IntN(len(ix.ids))], K: 3, MaxHops: 4}
				a, err1 := ix.Paths(ctx, q)
				b, err2 := got.Paths(ctx, q)
				if (err1 == nil) != (err2 == nil) || (err1 == nil && !reflect.DeepEqual(a, b)) {
					t.Fatalf("query %d: paths differ: %v %v / %v %v", i, a, err1, b, err2)
				}
			}
			for _, q := range []string{"bank", "korea trade", "ivan petrov", "zhong"} {
				a, _ := ix.SearchNames(ctx, graph.SearchQuery{Text: q})
				b, _ := got.SearchNames(ctx, graph.SearchQuery{Text: q})
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("search %q: %v vs %v", q, a, b)
				}
			}
			id := nodeID("new")
			for _, x := range []*Index{ix, got} {
				x.SetNode(id, "Company", nil)
				x.AddLink(id, x.ids[5], graph.RelOwns, graph.DayMin, graph.DayMax)
				x.AddNames(id, []string{"new bank"})
			}
			if err := same(ix, got); err != nil {
				t.Fatalf("after updates: %v", err)
			}
		}
	}
}

func TestReadRejects(t *testing.T) {
	ix := randomIndex(rand.New(rand.NewPCG(1, 1)), 200)
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf, []byte("v42")); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if _, err := Read(data, []byte("v43")); !errors.Is(err, ErrStale) {
		t.Errorf("another stamp: %v, want ErrStale", err)
	}
	// Every single flipped byte and every cut is refused, never accepted
	// as some other index, and never panics.
	r := rand.New(rand.NewPCG(3, 3))
	for i := 0; i < 300; i++ {
		bad := slices.Clone(data)
		p := r.IntN(len(bad))
		bad[p] ^= byte(1 + r.IntN(255))
		if _, err := Read(bad, []byte("v42")); err == nil {
			t.Fatalf("byte %d flipped: accepted", p)
		}
		cut := r.IntN(len(data))
		if _, err := Read(data[:cut], []byte("v42")); err == nil {
			t.Fatalf("cut at %d of %d: accepted", cut, len(data))
		}
	}
	// A checksum that matches a damaged body (a bug, not a disk error)
	// still fails on structure, with the section named.
	if _, err := Read(append([]byte("SGIX"), 0, 0, 0, 0), nil); err == nil {
		t.Error("empty body accepted")
	}
}

func FuzzRead(f *testing.F) {
	ix := randomIndex(rand.New(rand.NewPCG(2, 2)), 20)
	var buf bytes.Buffer
	ix.WriteTo(&buf, nil)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(data, nil)
		if err == nil {
			// What is accepted must be usable.
			got.Counts()
			got.Paths(context.Background(), graph.PathQuery{From: nodeID("e1"), To: nodeID("e2"), K: 1, MaxHops: 3})
		}
	})
}
