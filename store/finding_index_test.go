package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

var testSource = graph.Source{URL: "https://example.org/pr", Date: "2019-06-19", Quote: "stated"}

// The in-memory graph index follows every finding mutation: adds,
// updates that move an edge, retractions (with their cascade), imports.
func TestIndexFollowsFindings(t *testing.T) {
	s := openIn(t, "", Options{Index: true})
	ctx := context.Background()
	apply(t, s, company("a", "A", nil), company("b", "B", nil), link("a-b", graph.RelOwns, "a", "b"))
	e, _, err := s.AddEntity(ctx, "t", &graph.Entity{Schema: "Person", Props: map[string][]string{"name": {"P"}}}, testSource)
	if err != nil {
		t.Fatal(err)
	}
	r1, _, err := s.AddRelationship(ctx, "t", &graph.Relationship{Kind: graph.RelDirectorOf, SourceRef: e.Ref, TargetRef: "a"}, testSource)
	if err != nil {
		t.Fatal(err)
	}
	r2, _, err := s.AddRelationship(ctx, "t", &graph.Relationship{Kind: graph.RelFamily, SourceRef: "b", TargetRef: e.Ref}, testSource)
	if err != nil {
		t.Fatal(err)
	}
	assertIndexAgrees(t, s, "after adds")
	_, _, err = s.UpdateRelationship(ctx, "t", r1.Ref, testSource, func(r *graph.Relationship) error {
		r.Kind, r.TargetRef = graph.RelControls, "b"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertIndexAgrees(t, s, "after moving an edge")
	_, _, err = s.UpdateEntity(ctx, "t", e.Ref, testSource, func(x *graph.Entity) error {
		x.Schema = "Company"
		x.Props["name"] = []string{"P Ltd"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertIndexAgrees(t, s, "after an entity update")
	if hits, _ := s.SearchNames(ctx, graph.SearchQuery{Text: "P Ltd"}); len(hits) == 0 || hits[0].ID != e.ID {
		t.Errorf("search after rename = %v", hits)
	}
	refs, _, err := s.Retract(ctx, "t", e.Ref, "wrong person", testSource)
	if err != nil || len(refs) != 3 {
		t.Fatalf("Retract = %v, %v (want the entity and %s, %s)", refs, err, r1.Ref, r2.Ref)
	}
	assertIndexAgrees(t, s, "after a cascading retraction")
	recs := []graph.Record{
		{Ref: "f:x", Entity: &graph.Entity{Ref: "f:x", Schema: "Company", Props: map[string][]string{"name": {"X"}}}},
		{Ref: "f:x-a", Relationships: []graph.Relationship{{Ref: "f:x-a", Kind: graph.RelOwns, SourceRef: "f:x", TargetRef: "a"}}},
	}
	if _, _, err := s.ImportFindings(ctx, "t", recs); err != nil {
		t.Fatal(err)
	}
	assertIndexAgrees(t, s, "after an import")
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("check: %+v %v", rep, err)
	}
}

// BenchmarkAddEntity measures one acknowledged mutation on disk: a
// transaction with the finding, its graph keys and the audit entry, then
// a sync.
func BenchmarkAddEntity(b *testing.B) {
	s := openIn(b, b.TempDir(), Options{Index: true, GCInterval: -1})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := &graph.Entity{Schema: "Company", Props: map[string][]string{"name": {fmt.Sprintf("Company %d", i)}}}
		if _, _, err := s.AddEntity(ctx, "bench", e, testSource); err != nil {
			b.Fatal(err)
		}
	}
}

// The largest import the API takes (256 KiB of CSV, short rows: the most
// records) fits in one transaction of a server's store.
func TestImportFindingsLargest(t *testing.T) {
	s := openIn(t, t.TempDir(), Options{Index: true, RandomAccess: true, GCInterval: -1})
	var recs []graph.Record
	for size := 0; size < 256<<10; {
		ref := fmt.Sprintf("f:%d", len(recs))
		row := "entity," + ref + ",Company,Company " + ref + "\n" // the CSV row it comes from
		size += len(row)
		recs = append(recs, graph.Record{Ref: ref, Entity: &graph.Entity{Ref: ref, Schema: "Company", Props: map[string][]string{"name": {"Company " + ref}},
			Sources: []graph.Source{{Dataset: FindingsDataset, RecordID: ref}}}})
	}
	outs, _, err := s.ImportFindings(context.Background(), "t", recs)
	if err != nil {
		t.Fatalf("import of %d records: %v", len(recs), err)
	}
	if len(outs) != len(recs) || outs[len(outs)-1] != graph.Added {
		t.Errorf("outcomes: %d, last %v", len(outs), outs[len(outs)-1])
	}
	t.Logf("%d records in one import", len(recs))
}

// CheckFindings notices a finding out of step with the graph or the audit
// log.
func TestCheckFindingsFindsProblems(t *testing.T) {
	ctx := context.Background()
	// build makes a store with three entity findings, the third retracted.
	build := func(t *testing.T) (*Store, []string) {
		s := openIn(t, "", Options{Index: true})
		var refs []string
		for i := 0; i < 3; i++ {
			e, _, err := s.AddEntity(ctx, "t", &graph.Entity{Schema: "Company", Props: map[string][]string{"name": {fmt.Sprintf("C%d", i)}}}, testSource)
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, e.Ref)
		}
		if _, _, err := s.Retract(ctx, "t", refs[2], "test", testSource); err != nil {
			t.Fatal(err)
		}
		return s, refs
	}
	s, _ := build(t)
	rep, err := s.CheckFindings(ctx)
	if err != nil || !rep.OK() || rep.Findings != 3 || rep.Active != 2 || rep.Retracted != 1 || rep.AuditEntries != 4 {
		t.Fatalf("CheckFindings = %+v, %v", rep, err)
	}
	tests := []struct {
		name  string
		spoil func(txn *badger.Txn, refs []string) error
		want  string
	}{
		{"graph record gone", func(txn *badger.Txn, refs []string) error { return txn.Delete(manifestKey(refs[0])) }, "is not in the graph"},
		{"audit entry gone", func(txn *badger.Txn, refs []string) error { return txn.Delete(auditKey(2)) }, "follows entry"},
		{"retracted still projected", func(txn *badger.Txn, refs []string) error {
			return txn.Set(manifestKey(refs[2]), encodeManifest([]item{{tag: tagNode, id: graph.KeyFor(refs[2])}}))
		}, "still in the graph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, refs := build(t)
			if err := s.db.Update(func(txn *badger.Txn) error { return tt.spoil(txn, refs) }); err != nil {
				t.Fatal(err)
			}
			rep, err := s.CheckFindings(ctx)
			if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), tt.want) {
				t.Errorf("CheckFindings = %+v, %v; want a problem %q", rep, err, tt.want)
			}
		})
	}
}
