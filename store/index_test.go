package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// graphOf is what the in-memory index must agree with, read from Badger.
func graphOf(t *testing.T, tx *Tx) (map[uuid.UUID]string, map[[2]uuid.UUID]map[graph.RelType]int) {
	t.Helper()
	nodes := map[uuid.UUID]string{}
	links := map[[2]uuid.UUID]map[graph.RelType]int{}
	if err := tx.ScanEntities(func(e *graph.Entity) error { nodes[e.ID] = e.Schema; return nil }); err != nil {
		t.Fatal(err)
	}
	err := tx.ScanRelationships(func(r *graph.Relationship) error {
		k := [2]uuid.UUID{r.Source, r.Target}
		if links[k] == nil {
			links[k] = map[graph.RelType]int{}
		}
		links[k][r.Kind]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return nodes, links
}

// assertIndexAgrees checks that the index, the snapshot queries read with
// it, and the latest state of the store all hold the same graph.
func assertIndexAgrees(t *testing.T, s *Store, when string) {
	t.Helper()
	var gotN map[uuid.UUID]string
	var gotL map[[2]uuid.UUID]map[graph.RelType]int
	sn, err := s.pin(func(ix *index.Index) error {
		gotN, gotL = ix.Contents()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sn.release()
	snapN, snapL := graphOf(t, sn.tx(context.Background()))
	var wantN map[uuid.UUID]string
	var wantL map[[2]uuid.UUID]map[graph.RelType]int
	s.View(context.Background(), func(tx *Tx) error {
		wantN, wantL = graphOf(t, tx)
		return nil
	})
	if !reflect.DeepEqual(gotN, wantN) || !reflect.DeepEqual(snapN, wantN) {
		t.Errorf("%s: index entities = %v, its snapshot %v, store has %v", when, gotN, snapN, wantN)
	}
	if !reflect.DeepEqual(gotL, wantL) || !reflect.DeepEqual(snapL, wantL) {
		t.Errorf("%s: index links = %v, its snapshot %v, store has %v", when, gotL, snapL, wantL)
	}
}

func TestIndexFollowsWrites(t *testing.T) {
	dir := t.TempDir()
	s := openIn(t, dir, Options{Index: true})
	var recs []graph.Record
	for i := 0; i < 3000; i++ { // several batches, committed asynchronously
		recs = append(recs, company(fmt.Sprintf("c%d", i), fmt.Sprintf("Company %d", i), nil))
		if i > 0 {
			recs = append(recs, link(fmt.Sprintf("l%d", i), graph.RelOwns, fmt.Sprintf("c%d", i-1), fmt.Sprintf("c%d", i)))
		}
	}
	apply(t, s, recs...)
	assertIndexAgrees(t, s, "after ingest")
	// Update, retarget, delete, and a relationship to an entity not stored.
	apply(t, s,
		company("c1", "Renamed", nil),
		link("l5", graph.RelControls, "c5", "c900"),
		graph.Record{Ref: "c7", Delete: true},
		graph.Record{Ref: "l9", Delete: true},
		link("pending", graph.RelLinkedTo, "c3", "nobody"),
	)
	assertIndexAgrees(t, s, "after updates")
	// A rolled-back run leaves the index as the store.
	ctx := context.Background()
	run, _ := s.BeginRun(ctx, "bad")
	run.Apply(ctx, []graph.Record{company("c8", "Gone", nil), {Ref: "l10", Delete: true}, link("new", graph.RelOwns, "c1", "c2")})
	run.Rollback(ctx, errors.New("test"))
	assertIndexAgrees(t, s, "after rollback")
	res, err := s.Paths(ctx, graph.PathQuery{From: graph.KeyFor("c0"), To: graph.KeyFor("c4"), K: 1})
	if err != nil || len(res.Paths) != 1 || len(res.Paths[0].Entities) != 5 {
		t.Errorf("Paths c0..c4 = %+v, %v", res, err)
	}
	s.Close()
	// Reopened (loaded from the file Close wrote): still the same.
	s = openIn(t, dir, Options{Index: true})
	assertIndexAgrees(t, s, "after reopen")
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("check: %+v %v", rep, err)
	}
}

func TestRandomAccessServerOptions(t *testing.T) {
	dir := t.TempDir()
	s := openIn(t, dir, Options{})
	var recs []graph.Record
	for i := 0; i < 2000; i++ {
		recs = append(recs, company(fmt.Sprintf("c%d", i), fmt.Sprintf("Company %d", i), nil), link(fmt.Sprintf("l%d", i), graph.RelOwns, fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", (i*7+1)%2000)))
	}
	apply(t, s, recs...)
	s.Close()
	s = openIn(t, dir, Options{Index: true, RandomAccess: true, MaxMapped: 1 << 20})
	if n, err := adviseMappings(dir, true, false); err != nil || n == 0 {
		t.Errorf("adviseMappings found %d mappings (%v)", n, err)
	}
	res, err := s.Paths(context.Background(), graph.PathQuery{From: graph.KeyFor("c0"), To: graph.KeyFor("c8"), K: 1})
	if err != nil || len(res.Paths) != 1 {
		t.Errorf("Paths after madvise = %+v, %v", res, err)
	}
	e, err := s.Entity(context.Background(), graph.KeyFor("c1999"))
	if err != nil || e.Caption != "Company 1999" {
		t.Errorf("Entity after madvise = %v, %v", e, err)
	}
}

// With KeepPageCache (an ingest), the bound unmaps the pages from the
// process and they read back the same.
func TestKeepPageCacheOptions(t *testing.T) {
	dir := t.TempDir()
	s := openIn(t, dir, Options{MaxMapped: 1 << 20, KeepPageCache: true, GCInterval: -1})
	var recs []graph.Record
	for i := 0; i < 2000; i++ {
		recs = append(recs, company(fmt.Sprintf("c%d", i), fmt.Sprintf("Company %d", i), nil))
	}
	apply(t, s, recs...)
	s.dropMapped()
	if n, err := adviseMappings(dir, false, true); err != nil || n == 0 {
		t.Errorf("adviseMappings found %d mappings (%v)", n, err)
	}
	for _, i := range []int{0, 1999} {
		e, err := s.Entity(context.Background(), graph.KeyFor(fmt.Sprintf("c%d", i)))
		if err != nil || e.Caption != fmt.Sprintf("Company %d", i) {
			t.Errorf("Entity after unmapping = %v, %v", e, err)
		}
	}
}
