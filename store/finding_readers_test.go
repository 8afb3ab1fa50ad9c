package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// Readers running while an ingest writes see consistent snapshots: every
// record of the ingest is an entity together with its relationship to a
// hub, so a snapshot that holds n of the ingest's entities holds exactly n
// of its relationships; a snapshot does not move while it is read, however
// long the reader takes; and later snapshots never see fewer records.
func TestReadersSeeSnapshotsDuringIngest(t *testing.T) {
	st := storetest.Open(t, store.Options{Index: true})
	ctx := context.Background()
	hub := graph.Record{Ref: "hub", Entity: &graph.Entity{Ref: "hub", Schema: "Organization", Props: map[string][]string{"name": {"Hub"}}}}
	const total, batch = 6000, 40
	done := make(chan error, 1)
	go func() {
		run, err := st.BeginRun(ctx, "snapshot test")
		if err != nil {
			done <- err
			return
		}
		if _, err := run.Apply(ctx, []graph.Record{hub}); err != nil {
			done <- err
			return
		}
		for i := 0; i < total; i += batch {
			recs := make([]graph.Record, 0, batch)
			for j := i; j < i+batch; j++ {
				ref := fmt.Sprintf("c%d", j)
				recs = append(recs, graph.Record{Ref: ref,
					Entity:        &graph.Entity{Ref: ref, Schema: "Company", Props: map[string][]string{"name": {"Company " + ref}}},
					Relationships: []graph.Relationship{{Ref: ref + "-hub", Kind: graph.RelMemberOf, SourceRef: ref, TargetRef: "hub"}},
				})
			}
			if _, err := run.Apply(ctx, recs); err != nil {
				done <- err
				return
			}
		}
		done <- run.Commit(ctx)
	}()
	var (
		mu      sync.Mutex
		seen    = map[int]bool{} // entity counts observed mid-ingest
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	count := func(tx *store.Tx) (ents, rels int, err error) {
		err = tx.ScanEntities(func(e *graph.Entity) error {
			if e.Schema == "Company" {
				ents++
			}
			return nil
		})
		if err == nil {
			err = tx.ScanRelationships(func(r *graph.Relationship) error {
				if r.Kind == graph.RelMemberOf {
					rels++
				}
				return nil
			})
		}
		return ents, rels, err
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := 0
			for !stopped.Load() {
				err := st.View(ctx, func(tx *store.Tx) error {
					e1, r1, err := count(tx)
					if err != nil {
						return err
					}
					time.Sleep(2 * time.Millisecond) // the ingest goes on meanwhile
					e2, r2, err := count(tx)
					if err != nil {
						return err
					}
					if e1 != r1 {
						t.Errorf("snapshot holds %d entities and %d relationships of the ingest: a record is half there", e1, r1)
					}
					if e1 != e2 || r1 != r2 {
						t.Errorf("snapshot moved while read: %d/%d then %d/%d", e1, r1, e2, r2)
					}
					if e1 < last {
						t.Errorf("a later snapshot sees %d records, an earlier one saw %d", e1, last)
					}
					last = e1
					if e1 > 0 && e1 < total {
						mu.Lock()
						seen[e1] = true
						mu.Unlock()
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	stopped.Store(true)
	wg.Wait()
	if len(seen) < 3 {
		t.Errorf("readers saw only %d distinct states in the middle of the ingest; the test did not overlap reads and writes", len(seen))
	}
	t.Logf("readers saw %d distinct mid-ingest states", len(seen))
	stats, err := st.Stats(ctx)
	if err != nil || stats.BySchema["Company"] != total {
		t.Errorf("after the ingest: %+v, %v", stats, err)
	}
}
