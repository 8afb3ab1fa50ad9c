package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// TestWatchIncrementalAsFull checks the choice of the parties a change can
// affect (affectedBy: the parties resting on a changed entity or near one,
// and the name candidates screening scores near their threshold against a
// changed entity) against a full re-evaluation, party by party: after
// deltas of 100 and of 1,000 OFAC entries (renamed, a new programme, a new
// link), the state of every party evaluated incrementally, or left as it
// was, must be what a full re-evaluation finds. The UN list is merged in,
// so that changed entities are merged parties, which screening scores by
// the names of all their records.
//
// The parties: names and aliases of OFAC entries, UN persons with their
// names misspelt (yente's treated UN positives: scores near the
// threshold), the names the delta gives the entries it renames (which
// only the name candidates find: they rest on no entity before it), and
// innocent persons.
func TestWatchIncrementalAsFull(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the OFAC and UN lists, evaluates 5,000 parties five times")
	}
	if raceEnabled {
		// Six minutes under the race detector even at a quarter of the
		// size; TestWatchOFAC2021To2024 runs an incremental check after
		// a delta (the same code, the same goroutines) under it.
		t.Skip("too slow under the race detector")
	}
	ctx := context.Background()
	dir := filepath.Dir(graphtest.SharedData(t, "ofac/sdn.csv"))
	graphtest.SharedData(t, "ofac/add.csv")
	graphtest.SharedData(t, "ofac/alt.csv")
	ofac := readOFACSet(t, dir)

	var parties []watch.Party
	seen := map[string]bool{}
	add := func(p watch.Party) {
		if !seen[p.Ref] && p.Check() == nil {
			seen[p.Ref] = true
			parties = append(parties, p)
		}
	}
	type delta struct {
		dir     string
		entries int
	}
	var deltas []delta
	for round, n := range []int{100, 1000} {
		d := delta{filepath.Join(t.TempDir(), fmt.Sprint("delta", n)), n}
		writeOFACDelta(t, d.dir, round, n)
		deltas = append(deltas, d)
		for num, e := range readOFACSet(t, d.dir) {
			if old := ofac[num]; old != nil && old.name != e.name {
				add(watch.Party{Ref: fmt.Sprintf("renamed-%d-%s", round, num), Name: e.name, Kind: e.kind})
			}
		}
	}
	renamed := len(parties)
	nums := make([]string, 0, len(ofac))
	for num := range ofac {
		nums = append(nums, num)
	}
	slices.Sort(nums)
	for i, num := range nums {
		if i%(12) == 0 {
			for j, n := range ofac[num].names {
				add(watch.Party{Ref: fmt.Sprintf("ofac-%s-%d", num, j), Name: n, Kind: ofac[num].kind})
			}
		}
	}
	for _, p := range readNegatives(t, graphtest.SharedData(t, "opensanctions/name-matching/yente_positives_un_treated.csv"), 700) {
		p.Ref = "un-" + p.Ref
		add(p)
	}
	for _, p := range readNegatives(t, graphtest.SharedData(t, "opensanctions/name-matching/yente_negatives_us_a.csv"), 5000) {
		if len(parties) >= 5000 {
			break
		}
		add(p)
	}
	t.Logf("%d parties, %d with the new names of renamed entries", len(parties), renamed)

	st := storetest.Open(t, store.Options{Index: true})
	ingestOFAC := func(dir, date string) {
		storetest.Load(t, st, func(ctx context.Context, run *store.Run) error {
			_, err := ingest.File(ctx, filepath.Join(dir, "sdn.csv"), run, ingest.Options{ListDate: date})
			return err
		})
		if _, err := st.AutoMerge(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ingestOFAC(dir, "2024-05-03")
	storetest.LoadFiles(t, st, graphtest.SharedData(t, unList))
	if _, err := st.AutoMerge(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportWatchlist(ctx, "incremental", nil, parties); err != nil {
		t.Fatal(err)
	}
	rep, _ := watchUpdate(t, st, store.WatchOptions{})
	t.Logf("first check: %d parties evaluated, %d alerts", rep.Evaluated, rep.Alerts)

	for i, d := range deltas {
		ingestOFAC(d.dir, fmt.Sprintf("2024-06-%02d", i+1))
		rep, inc := watchUpdate(t, st, store.WatchOptions{})
		t.Logf("delta of %d entries: incremental check: %+v", d.entries, rep)
		if rep.Full {
			t.Fatalf("delta of %d entries: the check was a full one (%s), want an incremental one", d.entries, rep.FullReason)
		}
		// The name candidates are exercised: parties that rested on no
		// changed entity got a hit on a merged party.
		if rep.Candidate == 0 {
			t.Errorf("delta of %d entries: no name candidate evaluated", d.entries)
		}
		mergedHits := 0
		for _, a := range inc {
			if a.Kind == watch.NewHit && a.After != nil && a.After.Hit != nil && len(a.After.Hit.Entity.Members) > 1 && strings.HasPrefix(a.Party, "renamed-") {
				mergedHits++
			}
		}
		if mergedHits == 0 {
			t.Errorf("delta of %d entries: no renamed entry's new name got a new hit on a merged party", d.entries)
		}
		incStates := watchStates(t, st, "incremental")
		_, full := watchUpdate(t, st, store.WatchOptions{Full: true})
		fullStates := watchStates(t, st, "incremental")
		if len(full) != 0 {
			t.Errorf("delta of %d entries: a full re-evaluation raised %d alerts the incremental check missed: %v", d.entries, len(full), alertWords(full[:min(len(full), 20)]))
		}
		differ := 0
		for ref, want := range fullStates {
			if got := incStates[ref]; got != want {
				differ++
				if differ <= 10 {
					t.Errorf("delta of %d entries: party %s: incremental state\n\t%s\nfull re-evaluation\n\t%s", d.entries, ref, got, want)
				}
			}
		}
		t.Logf("delta of %d entries: %d alerts (%d new hits on merged parties for new names); %d of %d parties differ from a full re-evaluation",
			d.entries, len(inc), mergedHits, differ, len(fullStates))
	}
}

// watchStates returns, for each party of a watchlist, what its state says
// apart from scores and times: its hits, its alert subjects with their
// evidence fingerprints, and its exposure.
func watchStates(t *testing.T, st *store.Store, list string) map[string]string {
	t.Helper()
	out := map[string]string{}
	after := ""
	for {
		ps, more, err := st.WatchedParties(context.Background(), list, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, wp := range ps {
			out[wp.Party.Ref] = stateWords(wp.State)
			after = wp.Party.Ref
		}
		if !more {
			return out
		}
	}
}

func stateWords(s *watch.State) string {
	if s == nil {
		return "no state"
	}
	var w []string
	for _, h := range s.Hits {
		w = append(w, fmt.Sprintf("hit %s designated=%v", h.Entity.Ref, h.Designated))
	}
	for subj, fp := range s.Subjects() {
		w = append(w, subj+"="+fp)
	}
	if x := s.Exposure; x != nil {
		w = append(w, fmt.Sprintf("exposure %s blocked=%v possibly=%v", x.Entity.Ref, x.Blocked, x.PossiblyBlocked))
	}
	sort.Strings(w)
	return strings.Join(w, "; ")
}
