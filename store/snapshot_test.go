package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// A path answer is read on the snapshot it was found on: while ingest runs
// keep deleting and re-adding the relationships of the only path (and
// renaming the entities on it), every answer has, for every step, the
// relationships the search walked, joining the step's two entities, and
// entities named as in one version. Before paths carried their steps, the
// relationships were read again after the search and a rewrite in between
// failed the query (CONFLICT).
func TestPathAnswerIsOneSnapshot(t *testing.T) {
	s := openIn(t, "", Options{Index: true})
	version := func(v int) []graph.Record {
		recs := []graph.Record{
			company("a", fmt.Sprintf("Alpha v%d", v), nil),
			company("b", fmt.Sprintf("Beta v%d", v), nil),
			company("c", fmt.Sprintf("Gamma v%d", v), nil),
		}
		// Odd versions link a-b-c by ownership, even ones by other kinds
		// and records: every rewrite removes what the last path walked.
		if v%2 == 1 {
			recs = append(recs, link("ab", graph.RelOwns, "a", "b"), link("bc", graph.RelOwns, "b", "c"),
				graph.Record{Ref: "ab2", Delete: true}, graph.Record{Ref: "bc2", Delete: true})
		} else {
			recs = append(recs, link("ab2", graph.RelControls, "b", "a"), link("bc2", graph.RelDirectorOf, "c", "b"),
				graph.Record{Ref: "ab", Delete: true}, graph.Record{Ref: "bc", Delete: true})
		}
		return recs
	}
	apply(t, s, version(1)...)
	ctx := context.Background()
	from, to := graph.KeyFor("a"), graph.KeyFor("c")
	const versions = 60
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := 2; v <= versions; v++ {
			run, err := s.BeginRun(ctx, "rewrite")
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := run.Apply(ctx, version(v)); err != nil {
				t.Error(err)
				return
			}
			if err := run.Commit(ctx); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reads := 0
	for {
		select {
		case <-done:
			if reads == 0 {
				t.Fatal("no query ran during the rewrites")
			}
			return
		default:
		}
		reads++
		res, err := s.Paths(ctx, graph.PathQuery{From: from, To: to, K: 1, Load: graph.PathLoad{Relationships: true, Entities: true}})
		if err != nil {
			t.Fatalf("query %d: %v", reads, err)
		}
		if len(res.Paths) != 1 || res.Paths[0].Hops() != 2 {
			t.Fatalf("query %d: %+v, want the path a-b-c", reads, res)
		}
		var v string
		for _, id := range res.Paths[0].Entities {
			e := res.Entities[id]
			if e == nil {
				t.Fatalf("query %d: entity %s not read", reads, id)
			}
			name := e.Name()
			if got := name[len(name)-3:]; v == "" {
				v = got
			} else if got != v {
				t.Fatalf("query %d: entities of different versions on one path: %s and %s", reads, v, got)
			}
		}
		for _, st := range res.Paths[0].Steps {
			if len(st.Relationships) == 0 {
				t.Fatalf("query %d: step %v has no relationships", reads, st)
			}
			for _, r := range st.Relationships {
				if !(r.Source == st.From && r.Target == st.To) && !(r.Source == st.To && r.Target == st.From) {
					t.Fatalf("query %d: relationship %s does not join the step's entities", reads, r.Ref)
				}
				if r.Kind != st.Kind() || (r.Source == st.From) != st.Forward() {
					t.Fatalf("query %d: step says %s forward=%v, its relationship %s is %s from %s", reads, st.Kind(), st.Forward(), r.Ref, r.Kind, r.Source)
				}
			}
		}
	}
}
