package store

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	return openIn(tb, "", Options{})
}

// openIn opens the store in dir ("": in memory) with opt, closed when the
// test ends (a test may close it earlier, to reopen dir). It is
// storetest.OpenDir for the store's own tests, which cannot import
// storetest (it imports store).
func openIn(tb testing.TB, dir string, opt Options) *Store {
	tb.Helper()
	opt.InMemory = dir == ""
	s, err := Open(context.Background(), dir, opt)
	if err != nil {
		tb.Fatalf("open store %q: %v", dir, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func company(ref, name string, props map[string][]string) graph.Record {
	p := map[string][]string{"name": {name}}
	for k, v := range props {
		p[k] = v
	}
	return graph.Record{Ref: ref, Entity: &graph.Entity{Ref: ref, Schema: "Company", Caption: name, Props: p,
		Sources: []graph.Source{{Dataset: "test", RecordID: ref}}}}
}

func link(ref string, kind graph.RelType, from, to string) graph.Record {
	return graph.Record{Ref: ref, Relationships: []graph.Relationship{{Ref: ref, Kind: kind, SourceRef: from, TargetRef: to,
		Props: map[string][]string{"role": {"test"}}, Sources: []graph.Source{{Dataset: "test", RecordID: ref}}}}}
}

func apply(t *testing.T, s *Store, recs ...graph.Record) []graph.Outcome {
	t.Helper()
	ctx := context.Background()
	run, err := s.BeginRun(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	outs, err := run.Apply(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return outs
}

// dump returns every key and value in the store except run bookkeeping, as
// a comparable map.
func dump(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.View(context.Background(), func(tx *Tx) error {
		return tx.values(nil, func(k, v []byte) error {
			if k[0] != tagRun {
				out[string(k)] = string(v)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestApplyOutcomes(t *testing.T) {
	s := mustOpen(t)
	recs := []graph.Record{
		company("c1", "Foreign Trade Bank", map[string][]string{"swiftBic": {"FTBDKPPY"}}),
		company("c2", "Dandong Zhongsheng Industry & Trade Co., Ltd.", nil),
		link("l1", graph.RelOwns, "c1", "c2"),
	}
	if got, want := apply(t, s, recs...), []graph.Outcome{graph.Added, graph.Added, graph.Added}; !reflect.DeepEqual(got, want) {
		t.Fatalf("first apply = %v, want %v", got, want)
	}
	before := dump(t, s)
	if got, want := apply(t, s, recs...), []graph.Outcome{graph.Unchanged, graph.Unchanged, graph.Unchanged}; !reflect.DeepEqual(got, want) {
		t.Fatalf("second apply = %v, want %v", got, want)
	}
	if after := dump(t, s); !reflect.DeepEqual(before, after) {
		t.Fatalf("re-applying the same records changed the store")
	}
	// Rename c2: the old name key goes, the new one comes.
	if got := apply(t, s, company("c2", "Dandong Zhongsheng", nil)); got[0] != graph.Updated {
		t.Fatalf("rename = %v, want updated", got)
	}
	ctx := context.Background()
	s.View(ctx, func(tx *Tx) error {
		if ids, _ := entitiesByName(tx, "DANDONG ZHONGSHENG INDUSTRY AND TRADE CO LTD"); len(ids) != 0 {
			t.Errorf("old name still indexed: %v", ids)
		}
		if ids, _ := entitiesByName(tx, "zhongsheng dandong"); len(ids) != 1 || ids[0] != graph.KeyFor("c2") {
			t.Errorf("new name lookup = %v", ids)
		}
		if ids, _ := tx.entitiesByIdentifier("ftbd-kppy"); len(ids) != 1 || ids[0] != graph.KeyFor("c1") {
			t.Errorf("identifier lookup = %v", ids)
		}
		return nil
	})
	// Move the link to a new target: the old edge keys go.
	if got := apply(t, s, link("l1", graph.RelOwns, "c1", "c3")); got[0] != graph.Updated {
		t.Fatalf("retarget = %v", got)
	}
	s.View(ctx, func(tx *Tx) error {
		p, err := tx.Relationships(graph.KeyFor("c2"), graph.RelQuery{})
		if err != nil || len(p.Relationships) != 0 {
			t.Errorf("c2 still has relationships %v %v", p, err)
		}
		p, err = tx.Relationships(graph.KeyFor("c1"), graph.RelQuery{})
		if err != nil || len(p.Relationships) != 1 || p.Relationships[0].TargetRef != "c3" {
			t.Errorf("c1 relationships = %+v, %v", p, err)
		}
		return nil
	})
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities != 2 || st.Relationships != 1 || st.Unresolved != 1 || st.BySchema["Company"] != 2 || st.ByKind["owns"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	// The pending endpoint arrives: the relationship resolves.
	apply(t, s, company("c3", "Third", nil))
	if st, _ := s.Stats(ctx); st.Unresolved != 0 {
		t.Errorf("after c3 arrived, unresolved = %d", st.Unresolved)
	}
	// Delete and delete again.
	if got := apply(t, s, graph.Record{Ref: "l1", Delete: true}, graph.Record{Ref: "l1", Delete: true}); got[0] != graph.Deleted || got[1] != graph.Missing {
		t.Errorf("delete = %v", got)
	}
	if st, _ := s.Stats(ctx); st.Relationships != 0 {
		t.Errorf("after delete, relationships = %d", st.Relationships)
	}
}

func TestResolve(t *testing.T) {
	s := mustOpen(t)
	r := company("NK-1", "Bank", nil)
	r.Entity.Referents = []string{"ofac-15603", "shared"}
	r2 := company("NK-2", "Other", nil)
	r2.Entity.Referents = []string{"shared"}
	apply(t, s, r, r2)
	ctx := context.Background()
	for _, ref := range []string{"NK-1", "ofac-15603", graph.KeyFor("NK-1").String()} {
		if id, err := s.Resolve(ctx, ref); err != nil || id != graph.KeyFor("NK-1") {
			t.Errorf("Resolve(%q) = %v, %v", ref, id, err)
		}
	}
	if _, err := s.Resolve(ctx, "nope"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("Resolve(nope) err = %v, want ErrNotFound", err)
	}
	if _, err := s.Resolve(ctx, "shared"); !errors.Is(err, graph.ErrAmbiguous) {
		t.Errorf("Resolve(shared) err = %v, want ErrAmbiguous", err)
	}
}

func TestRollbackRestoresExactly(t *testing.T) {
	s := mustOpen(t)
	apply(t, s, company("c1", "One", nil), company("c2", "Two", nil), link("l1", graph.RelOwns, "c1", "c2"))
	before := dump(t, s)
	ctx := context.Background()
	run, err := s.BeginRun(ctx, "bad")
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Apply(ctx, []graph.Record{
		company("c1", "One renamed", map[string][]string{"country": {"ru"}}),
		{Ref: "c2", Delete: true},
		company("c4", "Four", nil),
		link("l1", graph.RelControls, "c4", "c1"),
		company("c1", "One renamed twice", nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Rollback(ctx, errors.New("test")); err != nil {
		t.Fatal(err)
	}
	if after := dump(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("rollback left %d keys, want %d; differ", len(after), len(before))
		for k := range after {
			if _, ok := before[k]; !ok {
				t.Errorf("extra key %q", k)
			}
		}
		for k := range before {
			if after[k] != before[k] {
				t.Errorf("key %q changed or missing", k)
			}
		}
	}
	runs, _ := s.Runs(ctx)
	if last := runs[len(runs)-1]; last.State != RunRolledBack || last.Error != "test" {
		t.Errorf("last run = %+v", last)
	}
}

// A process killed in the middle of a run leaves it "applying"; the next
// Open rolls it back.
func TestOpenRollsBackInterruptedRun(t *testing.T) {
	dir := t.TempDir()
	s := openIn(t, dir, Options{})
	apply(t, s, company("c1", "One", nil))
	before := dump(t, s)
	ctx := context.Background()
	run, _ := s.BeginRun(ctx, "killed")
	if _, err := run.Apply(ctx, []graph.Record{company("c1", "Changed", nil), company("c2", "New", nil)}); err != nil {
		t.Fatal(err)
	}
	s.db.Close() // no Commit, no Rollback: as if killed
	s = openIn(t, dir, Options{})
	if after := dump(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("interrupted run not rolled back: %d keys, want %d", len(after), len(before))
	}
	runs, _ := s.Runs(ctx)
	if runs[len(runs)-1].State != RunRolledBack {
		t.Errorf("run state = %v", runs[len(runs)-1].State)
	}
}

func TestReadOnlyRefusesUnfinishedRun(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(context.Background(), dir, Options{})
	run, _ := s.BeginRun(context.Background(), "x")
	run.Apply(context.Background(), []graph.Record{company("c1", "One", nil)})
	s.db.Close()
	if _, err := Open(context.Background(), dir, Options{ReadOnly: true}); err == nil {
		t.Fatal("read-only open of a store with an unfinished run succeeded")
	}
}

func TestRelationshipPaging(t *testing.T) {
	s := mustOpen(t)
	recs := []graph.Record{company("hub", "Hub", nil)}
	for i := 0; i < 25; i++ {
		ref := "c" + string(rune('a'+i))
		recs = append(recs, company(ref, ref, nil), link("o"+ref, graph.RelOwns, "hub", ref), link("i"+ref, graph.RelLinkedTo, ref, "hub"))
	}
	apply(t, s, recs...)
	hub := graph.KeyFor("hub")
	seen := map[string]bool{}
	var after []byte
	pages := 0
	for {
		var p *graph.RelPage
		err := s.View(context.Background(), func(tx *Tx) (err error) {
			p, err = tx.Relationships(hub, graph.RelQuery{Limit: 7, After: after})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range p.Relationships {
			if seen[r.Ref] {
				t.Fatalf("relationship %s listed twice", r.Ref)
			}
			seen[r.Ref] = true
		}
		if !p.More {
			break
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
	if len(seen) != 50 || pages != 8 {
		t.Errorf("paged %d relationships in %d pages, want 50 in 8", len(seen), pages)
	}
	s.View(context.Background(), func(tx *Tx) error {
		p, _ := tx.Relationships(hub, graph.RelQuery{Kinds: []graph.RelType{graph.RelLinkedTo}, Direction: graph.Incoming})
		if len(p.Relationships) != 25 {
			t.Errorf("incoming linked-to = %d, want 25", len(p.Relationships))
		}
		if _, err := tx.Relationships(graph.KeyFor("ca"), graph.RelQuery{After: after}); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("foreign cursor accepted: %v", err)
		}
		return nil
	})
}

// Readers see whole records while a run rewrites them: every snapshot has
// each entity with exactly its own name key and each out-edge with its
// in-edge.
func TestConsistentReadsDuringWrites(t *testing.T) {
	s := mustOpen(t)
	version := func(i int) graph.Record {
		n := string(rune('a' + i%26))
		c := company("c1", "Name "+n+string(rune('0'+i%10)), map[string][]string{"note": {n}})
		l := link("l", graph.RelOwns, "c1", "c2")
		l.Relationships[0].Props["role"] = []string{n}
		return graph.Record{Ref: "c1", Entity: c.Entity, Relationships: l.Relationships}
	}
	apply(t, s, version(0), company("c2", "Other", nil))
	ctx := context.Background()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads atomic.Int64
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				err := s.View(ctx, func(tx *Tx) error {
					e, err := tx.Entity(graph.KeyFor("c1"))
					if err != nil {
						return err
					}
					ids, err := entitiesByName(tx, e.Caption)
					if err != nil || len(ids) != 1 {
						t.Errorf("snapshot: entity named %q but name index has %v (%v)", e.Caption, ids, err)
					}
					p, err := tx.Relationships(graph.KeyFor("c2"), graph.RelQuery{Direction: graph.Incoming})
					if err != nil || len(p.Relationships) != 1 || p.Relationships[0].First("role") != e.First("note") {
						t.Errorf("snapshot: relationship %v does not match entity version %q (%v)", p, e.First("note"), err)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
				}
				reads.Add(1)
			}
		}()
	}
	for i := 1; i <= 200; i++ {
		run, _ := s.BeginRun(ctx, "w")
		if _, err := run.Apply(ctx, []graph.Record{version(i)}); err != nil {
			t.Fatal(err)
		}
		run.Commit(ctx)
	}
	stop.Store(true)
	wg.Wait()
	if reads.Load() == 0 {
		t.Fatal("no reads happened")
	}
}

func TestCheck(t *testing.T) {
	s := mustOpen(t)
	apply(t, s, company("c1", "One", map[string][]string{"swiftBic": {"ABCDEF12"}}), company("c2", "Two", nil), link("l", graph.RelOwns, "c1", "c2"))
	rep, err := s.Check(context.Background())
	if err != nil || !rep.OK() {
		t.Fatalf("Check on a sound store = %+v, %v", rep, err)
	}
	// Break it: an in-edge without its out-edge, and a node without its kind key.
	s.db.Update(func(txn *badger.Txn) error {
		txn.Set(inKey(edgeLoc{Src: idA, Dst: idB, ID: idC, Rel: graph.RelOwns}), nil)
		return txn.Delete(kindKey("Company", graph.KeyFor("c2")))
	})
	rep, err = s.Check(context.Background())
	if err != nil || rep.Count != 2 {
		t.Fatalf("Check on a broken store = %+v, %v; want 2 problems", rep, err)
	}
}

// entitiesByName returns the ids whose name key equals graph.NameKey(name).
func entitiesByName(tx *Tx, name string) ([]uuid.UUID, error) {
	return tx.idsUnder(tagName, graph.NameKey(name))
}
