package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// demoParties are customers of a bank, screened against the demo data.
var demoParties = []watch.Party{
	{Ref: "C1", Name: "Dandong Zhongsheng Industry and Trade", Kind: "Company", Country: "cn"},
	{Ref: "C2", Name: "Sea Star Shipping", Kind: "Company"},
	{Ref: "C3", Name: "Han Jang Su", Kind: "Person"},
	{Ref: "C4", Name: "Harbour Logistics GmbH", Kind: "Company", Entity: "cust-harbour"},
}

func watchUpdate(t *testing.T, st *store.Store, opt store.WatchOptions) (*store.WatchReport, []watch.Alert) {
	t.Helper()
	var alerts []watch.Alert
	opt.Emit = func(a watch.Alert) { alerts = append(alerts, a) }
	rep, err := st.WatchUpdate(context.Background(), opt)
	if err != nil {
		t.Fatalf("WatchUpdate: %v", err)
	}
	return rep, alerts
}

func alertWords(as []watch.Alert) []string {
	var out []string
	for _, a := range as {
		subj := a.Subject
		if e := a.After; e != nil && e.Hit != nil {
			subj = e.Hit.Entity.Ref
		} else if e := a.Before; e != nil && e.Hit != nil {
			subj = e.Hit.Entity.Ref
		} else if e := a.After; e != nil && e.Path != nil {
			subj = e.Path.Target.Ref
		} else if e := a.Before; e != nil && e.Path != nil {
			subj = e.Path.Target.Ref
		}
		out = append(out, a.Party+" "+a.Kind+" "+subj)
	}
	slices.Sort(out)
	return out
}

func TestWatchDemo(t *testing.T) {
	ctx := context.Background()
	st := storetest.Demo(t)
	rep, err := st.ImportWatchlist(ctx, "customers", nil, demoParties)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 4 || rep.Changed+rep.Removed+rep.Unchanged != 0 {
		t.Errorf("first import = %+v, want 4 added", rep)
	}
	_, alerts := watchUpdate(t, st, store.WatchOptions{})
	got := alertWords(alerts)
	want := []string{"C1 new-hit demo-dandong", "C1 new-path demo-ftb", "C3 new-hit demo-han-jang-su"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("first evaluation: no alert %q in %v", w, got)
		}
	}
	for _, g := range got {
		if strings.HasPrefix(g, "C2 ") || strings.HasPrefix(g, "C4 ") {
			t.Errorf("first evaluation: alert %q for a party that matches nothing", g)
		}
	}
	// Nothing changed: nothing to evaluate, no alert.
	rep2, again := watchUpdate(t, st, store.WatchOptions{})
	if len(again) != 0 || rep2.Evaluated != 0 {
		t.Errorf("second update: %d evaluated, alerts %v; want none", rep2.Evaluated, alertWords(again))
	}
	// A full re-evaluation finds the same states: no alert either.
	rep3, full := watchUpdate(t, st, store.WatchOptions{Full: true})
	if len(full) != 0 || rep3.Evaluated != 4 {
		t.Errorf("full re-evaluation: %d evaluated, alerts %v; want 4 and none", rep3.Evaluated, alertWords(full))
	}
	wp, err := st.WatchedParty(ctx, "customers", "C1")
	if err != nil {
		t.Fatal(err)
	}
	if wp.State == nil || len(wp.State.Hits) == 0 || !wp.State.Hits[0].Designated || wp.State.Hits[0].Entity.Ref != "demo-dandong" {
		t.Fatalf("C1 state: %+v", wp.State)
	}
	var p *watch.PathEvidence
	for i := range wp.State.Paths {
		if wp.State.Paths[i].Target.Ref == "demo-ftb" {
			p = &wp.State.Paths[i]
		}
	}
	if p == nil || len(p.Steps) == 0 || len(p.Steps[0].Sources) == 0 {
		t.Fatalf("C1's path to demo-ftb has no steps with sources: %+v", wp.State.Paths)
	}
}

// A finding ties a customer into the graph: its own entity, owned 60% by
// the Foreign Trade Bank. The party then has a path, and is blocked; the
// retraction of the ownership undoes both. Only the parties the findings
// can affect are evaluated.
func TestWatchFindings(t *testing.T) {
	ctx := context.Background()
	st := storetest.Demo(t)
	if _, err := st.ImportWatchlist(ctx, "customers", nil, demoParties); err != nil {
		t.Fatal(err)
	}
	watchUpdate(t, st, store.WatchOptions{})
	src := graph.Source{URL: "https://example.org/kyc", Date: "2026-01-02", Quote: "customer onboarding file"}
	recs := []graph.Record{{Ref: "cust-harbour", Entity: &graph.Entity{Ref: "cust-harbour", Schema: "Company",
		Props: map[string][]string{"name": {"Harbour Logistics GmbH"}}}}}
	if _, _, err := st.ImportFindings(ctx, "alice", withSource(recs, src)); err != nil {
		t.Fatal(err)
	}
	rep, alerts := watchUpdate(t, st, store.WatchOptions{})
	if len(alerts) != 0 {
		t.Errorf("after adding the customer's entity: alerts %v, want none", alertWords(alerts))
	}
	if rep.Evaluated == 0 || rep.Evaluated == len(demoParties) {
		t.Errorf("after one finding: %d parties evaluated, want some but not all (report %+v)", rep.Evaluated, rep)
	}
	rel := &graph.Relationship{Kind: graph.RelOwns, SourceRef: "demo-ftb", TargetRef: "cust-harbour", Props: map[string][]string{"percentage": {"60"}}}
	r, _, err := st.AddRelationship(ctx, "alice", rel, src)
	if err != nil {
		t.Fatal(err)
	}
	_, alerts = watchUpdate(t, st, store.WatchOptions{})
	// The bank is one hop away, the parties it is linked to two or three:
	// each designated one is a path of its own.
	got := alertWords(alerts)
	if !slices.Contains(got, "C4 became-blocked blocked") || !slices.Contains(got, "C4 new-path demo-ftb") || !slices.Contains(got, "C4 new-path demo-dandong") {
		t.Errorf("after the ownership finding: alerts %v", got)
	}
	paths := 0
	for _, a := range alerts {
		if a.Kind == watch.NewPath {
			paths++
			if p := a.After.Path; p.Hops() > 3 || p.Steps[0].From.Ref != "cust-harbour" || p.Steps[0].To.Ref != "demo-ftb" || p.Via != "entity" {
				t.Errorf("path %s: %s", p.Target.Ref, watch.PathWords(p))
			}
		}
	}
	for _, a := range alerts {
		if a.Kind == watch.Blocked && (a.After.Exposure.Percentage != 60 || !strings.Contains(a.Reason, "60%")) {
			t.Errorf("blocked alert: %+v", a.After.Exposure)
		}
		if !slices.Contains(a.Cause.Kinds, "finding") || len(a.Cause.Audits) == 0 {
			t.Errorf("alert cause %+v, want the finding's audit entry", a.Cause)
		}
	}
	if _, _, err := st.Retract(ctx, "alice", r.Ref, "wrong company", src); err != nil {
		t.Fatal(err)
	}
	_, alerts = watchUpdate(t, st, store.WatchOptions{})
	broken := 0
	for _, a := range alerts {
		if a.Kind == watch.PathBroken {
			broken++
		}
	}
	if got := alertWords(alerts); !slices.Contains(got, "C4 no-longer-blocked blocked") || broken != paths || len(got) != paths+1 {
		t.Errorf("after the retraction: alerts %v, want %d paths broken and no longer blocked", got, paths)
	}
}

func withSource(recs []graph.Record, src graph.Source) []graph.Record {
	for i := range recs {
		if e := recs[i].Entity; e != nil {
			e.Sources = []graph.Source{src}
		}
	}
	return recs
}

// A dismissed alert stays dismissed: re-evaluating, fully or after a
// change that does not touch its evidence, raises nothing; evidence that
// changes alerts again.
func TestWatchDismissed(t *testing.T) {
	ctx := context.Background()
	st := storetest.Demo(t)
	if _, err := st.ImportWatchlist(ctx, "customers", nil, demoParties[:1]); err != nil {
		t.Fatal(err)
	}
	_, alerts := watchUpdate(t, st, store.WatchOptions{})
	var hit *watch.Alert
	for i := range alerts {
		if alerts[i].Kind == watch.NewHit {
			hit = &alerts[i]
		}
	}
	if hit == nil {
		t.Fatalf("no new-hit alert: %v", alertWords(alerts))
	}
	if _, err := st.DecideAlert(ctx, "bob", hit.ID, "dismissed", ""); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("DecideAlert without a reason = %v, want invalid", err)
	}
	a, err := st.DecideAlert(ctx, "bob", hit.ID, watch.Dismissed, "our customer is registered in Shenyang, not Dandong")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != watch.Dismissed || len(a.Decisions) != 1 || a.Decisions[0].By != "bob" {
		t.Errorf("decided alert: %+v", a)
	}
	if _, full := watchUpdate(t, st, store.WatchOptions{Full: true}); len(full) != 0 {
		t.Errorf("full re-evaluation after the dismissal: %v", alertWords(full))
	}
	// Re-ingest the same version: nothing changes.
	storetest.LoadDemo(t, st)
	if _, more := watchUpdate(t, st, store.WatchOptions{}); len(more) != 0 {
		t.Errorf("after re-ingesting the same data: %v", alertWords(more))
	}
	got, _, err := st.Alerts(ctx, watch.AlertFilter{Status: watch.Dismissed})
	if err != nil || len(got) != 1 || got[0].ID != hit.ID {
		t.Errorf("dismissed alerts = %v, %v", got, err)
	}
	// A new alias of the entity is new evidence: it alerts again.
	src := graph.Source{URL: "https://example.org/kyc", Date: "2026-01-02", Quote: "also trades as"}
	if _, _, err := st.ImportFindings(ctx, "alice", withSource([]graph.Record{{Ref: "alias-dz", Entity: &graph.Entity{Ref: "alias-dz", Schema: "Company",
		Props: map[string][]string{"name": {"Dandong Zhongsheng Industry & Trade Co., Ltd."}, "alias": {"Zhongsheng Dandong Trading"}}}}}, src)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Merge(ctx, graph.KeyFor("alias-dz"), graph.KeyFor("demo-dandong"), "same registration", "alice"); err != nil {
		t.Fatal(err)
	}
	// The merge makes alias-dz the party's id: the same subject, with new
	// evidence (an alias), so one hit-changed alert; the paths from it
	// are the same paths.
	_, again := watchUpdate(t, st, store.WatchOptions{})
	if got := alertWords(again); !slices.Equal(got, []string{"C1 hit-changed alias-dz"}) || !strings.Contains(again[0].Reason, `new names "Zhongsheng Dandong Trading"`) {
		t.Errorf("after a merge that adds an alias to the dismissed hit: %v", got)
	}
	if _, full := watchUpdate(t, st, store.WatchOptions{Full: true}); len(full) != 0 {
		t.Errorf("full re-evaluation after the merge: %v", alertWords(full))
	}
}

func TestWatchImportUpdatesByRef(t *testing.T) {
	ctx := context.Background()
	st := storetest.Demo(t)
	if _, err := st.ImportWatchlist(ctx, "customers", nil, demoParties); err != nil {
		t.Fatal(err)
	}
	watchUpdate(t, st, store.WatchOptions{})
	next := []watch.Party{demoParties[0], {Ref: "C2", Name: "Korea Zinc Industrial Group", Kind: "Company"}, {Ref: "C5", Name: "Sun Wei", Kind: "Person"}}
	rep, err := st.ImportWatchlist(ctx, "customers", &watch.Settings{Hops: 2}, next)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 1 || rep.Changed != 1 || rep.Removed != 2 || rep.Unchanged != 1 || !rep.SettingsChanged {
		t.Errorf("re-import = %+v, want 1 added, 1 changed, 2 removed, 1 unchanged, settings changed", rep)
	}
	_, alerts := watchUpdate(t, st, store.WatchOptions{})
	got := alertWords(alerts)
	for _, w := range []string{"C2 new-hit demo-korea-zinc", "C5 new-hit demo-sun-wei"} {
		if !slices.Contains(got, w) {
			t.Errorf("after the re-import: no %q in %v", w, got)
		}
	}
	if _, err := st.WatchedParty(ctx, "customers", "C3"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("removed party C3: %v", err)
	}
	wl, err := st.Watchlist(ctx, "customers")
	if err != nil || wl.Parties != 3 || wl.Settings.Hops != 2 {
		t.Errorf("watchlist = %+v, %v", wl, err)
	}
	// Bad input names the party and the field.
	_, err = st.ImportWatchlist(ctx, "customers", nil, []watch.Party{{Ref: "A", Name: "x"}, {Ref: "B", Name: "Acme", Country: "Atlantis"}})
	if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), `party 2 (ref "B")`) || !strings.Contains(err.Error(), "country") {
		t.Errorf("bad party: %v", err)
	}
	_, err = st.ImportWatchlist(ctx, "customers", nil, []watch.Party{{Ref: "A", Name: "x"}, {Ref: "A", Name: "y"}})
	if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), `ref "A"`) {
		t.Errorf("repeated ref: %v", err)
	}
}

// After a change that grows the graph by more than a tenth, every party
// is evaluated (the word weights of most names moved); after a smaller
// one, only those it can affect.
func TestWatchGrowthEvaluatesAll(t *testing.T) {
	ctx := context.Background()
	st := storetest.Demo(t)
	parties := slices.Clone(demoParties)
	for i := range 40 {
		parties = append(parties, watch.Party{Ref: fmt.Sprintf("P%02d", i), Name: fmt.Sprintf("Customer %c%c Holdings", 'a'+i%26, 'a'+i/26), Kind: "Company"})
	}
	if _, err := st.ImportWatchlist(ctx, "customers", nil, parties); err != nil {
		t.Fatal(err)
	}
	watchUpdate(t, st, store.WatchOptions{})
	src := graph.Source{URL: "https://example.org/kyc", Date: "2026-01-02", Quote: "customer onboarding file"}
	add := func(n int, prefix string) *store.WatchReport {
		t.Helper()
		var recs []graph.Record
		for i := range n {
			ref := fmt.Sprintf("%s-%d", prefix, i)
			recs = append(recs, graph.Record{Ref: ref, Entity: &graph.Entity{Ref: ref, Schema: "Company", Props: map[string][]string{"name": {fmt.Sprintf("Supplier %s %d", prefix, i)}}}})
		}
		if _, _, err := st.ImportFindings(ctx, "alice", withSource(recs, src)); err != nil {
			t.Fatal(err)
		}
		rep, _ := watchUpdate(t, st, store.WatchOptions{})
		return rep
	}
	if rep := add(1, "one"); rep.FullReason != "" || rep.Evaluated == len(parties) {
		t.Errorf("after one new entity: %d of %d parties evaluated (%s), want only those it can affect", rep.Evaluated, len(parties), rep.FullReason)
	}
	// The demo graph has 23 entities.
	if rep := add(30, "many"); rep.Evaluated != len(parties) || !strings.Contains(rep.FullReason, "grew") {
		t.Errorf("after 30 new entities: %d of %d parties evaluated (%q), want all, the graph having grown", rep.Evaluated, len(parties), rep.FullReason)
	}
}
