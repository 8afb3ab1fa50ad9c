package store_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

var pressRelease = graph.Source{
	URL:   "https://home.treasury.gov/news/press-releases/sm711",
	Date:  "2019-06-19",
	Quote: "Russian Financial Society opened multiple bank accounts for Dandong Zhongsheng",
}

func newCompany(name string, aliases ...string) *graph.Entity {
	p := map[string][]string{"name": {name}, "country": {"ru"}}
	if len(aliases) > 0 {
		p["alias"] = aliases
	}
	return &graph.Entity{Schema: "Company", Props: p}
}

// pathExists reports whether a path of at most 3 hops links a and b.
func pathExists(t *testing.T, st *store.Store, a, b uuid.UUID) bool {
	t.Helper()
	res, err := st.Paths(context.Background(), graph.PathQuery{From: a, To: b, K: 1, MaxHops: 3})
	if err != nil {
		t.Fatalf("Paths: %v", err)
	}
	return len(res.Paths) > 0
}

func mustCheck(t *testing.T, st *store.Store) {
	t.Helper()
	rep, err := st.Check(context.Background())
	if err != nil || !rep.OK() {
		t.Fatalf("Check = %+v, %v", rep, err)
	}
	frep, err := st.CheckFindings(context.Background())
	if err != nil || !frep.OK() {
		t.Fatalf("CheckFindings = %+v, %v", frep, err)
	}
}

// Add, update and retract an entity and a relationship: every step is
// audited with before and after, paths follow the active relationships
// only, and the retracted finding stays readable.
func TestFindingLifecycle(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	e, seq1, err := st.AddEntity(ctx, "alice", newCompany("Sea Star Trading LLC"), pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := uuid.Parse(e.Ref); err != nil || e.Sources[0].Dataset != store.FindingsDataset {
		t.Fatalf("AddEntity = %+v: want a UUID id and the findings dataset", e)
	}
	ftb, err := st.Resolve(ctx, "demo-ftb")
	if err != nil {
		t.Fatal(err)
	}
	if pathExists(t, st, e.ID, ftb) {
		t.Fatal("a path before the relationship exists")
	}
	r, seq2, err := st.AddRelationship(ctx, "alice", &graph.Relationship{Kind: graph.RelOwns, SourceRef: "demo-ftb", TargetRef: e.Ref,
		Props: map[string][]string{"percentage": {"60"}}}, pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	if seq2 != seq1+1 {
		t.Errorf("audit sequence %d then %d", seq1, seq2)
	}
	if !pathExists(t, st, e.ID, ftb) {
		t.Fatal("no path through the new relationship")
	}
	got, err := st.Relationship(ctx, r.Ref)
	if err != nil || got.Source != ftb || got.Target != e.ID || got.First("percentage") != "60" {
		t.Fatalf("Relationship(%s) = %+v, %v", r.Ref, got, err)
	}
	// Update: a new alias, found by search; the new source comes first.
	correction := pressRelease
	correction.Quote, correction.Date = "also known as Morskaya Zvezda", "2020-01-02"
	_, _, err = st.UpdateEntity(ctx, "bob", e.Ref, correction, func(x *graph.Entity) error {
		x.Props["alias"] = []string{"Morskaya Zvezda"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := st.SearchNames(ctx, graph.SearchQuery{Text: "Morskaya Zvezda", Limit: 5})
	if err != nil || len(hits) == 0 || hits[0].ID != e.ID {
		t.Errorf("search for the new alias = %+v, %v", hits, err)
	}
	ent, _ := st.Entity(ctx, e.ID)
	if len(ent.Sources) != 2 || ent.Sources[0].Quote != correction.Quote {
		t.Errorf("sources after update = %+v", ent.Sources)
	}
	// Retract the relationship: no path any more, the finding stays.
	refs, _, err := st.Retract(ctx, "bob", r.Ref, "the press release names another company", correction)
	if err != nil || !reflect.DeepEqual(refs, []string{r.Ref}) {
		t.Fatalf("Retract = %v, %v", refs, err)
	}
	if pathExists(t, st, e.ID, ftb) {
		t.Error("a path still walks the retracted relationship")
	}
	if _, err := st.Relationship(ctx, r.Ref); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("retracted relationship still in the graph: %v", err)
	}
	f, err := st.Finding(ctx, r.Ref)
	if err != nil || f.Status != store.FindingRetracted || f.RetractedBy != "bob" || f.Relationship.First("percentage") != "60" || f.Version != 2 {
		t.Fatalf("Finding(%s) = %+v, %v", r.Ref, f, err)
	}
	if _, _, err := st.Retract(ctx, "bob", r.Ref, "again", correction); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("retracting twice: %v, want ErrInvalid", err)
	}
	if _, _, err := st.UpdateRelationship(ctx, "bob", r.Ref, correction, func(*graph.Relationship) error { return nil }); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("updating a retracted finding: %v, want ErrInvalid", err)
	}
	// The audit log: four entries, in order, with before and after.
	log, err := st.Audit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Who+":"+a.Action)
	}
	want := []string{"alice:add-entity", "alice:add-relationship", "bob:update-entity", "bob:retract"}
	if !reflect.DeepEqual(actions, want) {
		t.Fatalf("audit = %v, want %v", actions, want)
	}
	upd := log[2].Changes[0]
	if upd.Before == nil || upd.Before.Entity.Props["alias"] != nil || upd.After.Entity.Props["alias"][0] != "Morskaya Zvezda" {
		t.Errorf("update entry before/after = %+v / %+v", upd.Before, upd.After)
	}
	ret := log[3]
	if ret.Reason == "" || ret.Changes[0].Before.Status != store.FindingActive || ret.Changes[0].After.Status != store.FindingRetracted {
		t.Errorf("retract entry = %+v", ret)
	}
	if byBob, _ := st.Audit(ctx, store.AuditFilter{Who: "bob"}); len(byBob) != 2 {
		t.Errorf("audit by bob: %d entries, want 2", len(byBob))
	}
	if ofRel, _ := st.Audit(ctx, store.AuditFilter{Ref: r.Ref}); len(ofRel) != 2 {
		t.Errorf("audit of the relationship: %d entries, want 2", len(ofRel))
	}
	mustCheck(t, st)
}

// Retracting an entity retracts the relationship findings that touch it.
func TestRetractEntityCascades(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	e, _, _ := st.AddEntity(ctx, "alice", newCompany("Front Co"), pressRelease)
	r1, _, err := st.AddRelationship(ctx, "alice", &graph.Relationship{Kind: graph.RelControls, SourceRef: "demo-rfs", TargetRef: e.Ref}, pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	r2, _, err := st.AddRelationship(ctx, "alice", &graph.Relationship{Kind: graph.RelOwns, SourceRef: e.Ref, TargetRef: "demo-dandong"}, pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	refs, _, err := st.Retract(ctx, "carol", e.Ref, "a duplicate", pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 3 || refs[0] != e.Ref {
		t.Fatalf("retracted %v, want the entity and its two relationships", refs)
	}
	for _, ref := range []string{e.Ref, r1.Ref, r2.Ref} {
		if f, err := st.Finding(ctx, ref); err != nil || f.Status != store.FindingRetracted {
			t.Errorf("Finding(%s) = %+v, %v", ref, f, err)
		}
	}
	if _, err := st.Entity(ctx, e.ID); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("retracted entity still in the graph: %v", err)
	}
	if hits, _ := st.SearchNames(ctx, graph.SearchQuery{Text: "Front Co", Limit: 5}); len(hits) > 0 && hits[0].ID == e.ID {
		t.Errorf("search still finds the retracted entity")
	}
	mustCheck(t, st)
}

// The API changes findings only: a list's records are refused, and a
// source is required with every field named.
func TestFindingInputErrors(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	if _, _, err := st.UpdateEntity(ctx, "a", "demo-ftb", pressRelease, func(*graph.Entity) error { return nil }); !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), "not a finding") {
		t.Errorf("update of a list entity: %v", err)
	}
	if _, _, err := st.Retract(ctx, "a", "demo-ftb-owns-dandong", "no", pressRelease); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("retract of a list relationship: %v", err)
	}
	if _, _, err := st.Retract(ctx, "a", uuid.NewString(), "no", pressRelease); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("retract of nothing: %v", err)
	}
	if _, _, err := st.AddRelationship(ctx, "a", &graph.Relationship{Kind: graph.RelOwns, SourceRef: "demo-ftb", TargetRef: "nobody"}, pressRelease); !errors.Is(err, graph.ErrNotFound) || !strings.Contains(err.Error(), "target") {
		t.Errorf("relationship to nobody: %v", err)
	}
	if _, _, err := st.AddEntity(ctx, "", newCompany("X"), pressRelease); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("no writer name: %v", err)
	}
	if _, _, err := st.AddEntity(ctx, "a", &graph.Entity{Schema: "Ownership", Props: map[string][]string{"name": {"x"}}}, pressRelease); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("an edge schema as entity: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*graph.Source)
		field string
	}{
		{"no url or document", func(s *graph.Source) { s.URL = "" }, "source.url"},
		{"not a URL", func(s *graph.Source) { s.URL = "ftp://x" }, "source.url"},
		{"no date", func(s *graph.Source) { s.Date = "" }, "source.date"},
		{"bad date", func(s *graph.Source) { s.Date = "2019-13-45" }, "source.date"},
		{"no quote", func(s *graph.Source) { s.Quote = " " }, "source.quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := pressRelease
			tt.edit(&src)
			_, _, err := st.AddEntity(ctx, "a", newCompany("X"), src)
			if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("AddEntity with %+v: %v, want ErrInvalid naming %s", src, err, tt.field)
			}
		})
	}
	doc := pressRelease
	doc.URL, doc.Document = "", "US Treasury press release of 19 June 2019"
	if _, _, err := st.AddEntity(ctx, "a", newCompany("X"), doc); err != nil {
		t.Errorf("a document instead of a URL: %v", err)
	}
	if log, _ := st.Audit(ctx, store.AuditFilter{}); len(log) != 1 {
		t.Errorf("%d audit entries, want 1: refused changes write none", len(log))
	}
}

// parseFindings reads a findings CSV as the API does.
func parseFindings(t *testing.T, path string) []graph.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, sum, err := ingest.ReadFindings(context.Background(), "findings.csv", f, ingest.Options{Dataset: store.FindingsDataset, Strict: true})
	if err != nil || sum.Rejected > 0 {
		t.Fatalf("parse %s: %v %+v", path, err, sum)
	}
	return recs
}

func TestImportFindings(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	recs := parseFindings(t, "../ingest/testdata/findings.csv")
	outs, seq, err := st.ImportFindings(ctx, "alice", recs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(outs, []graph.Outcome{graph.Added, graph.Added, graph.Added, graph.Added}) || seq != 1 {
		t.Fatalf("ImportFindings = %v, %d", outs, seq)
	}
	rfs, _ := st.Resolve(ctx, "finding:rfs")
	dandong, _ := st.Resolve(ctx, "finding:dandong")
	if !pathExists(t, st, rfs, dandong) {
		t.Error("no path through the imported relationship")
	}
	outs, _, err = st.ImportFindings(ctx, "alice", parseFindings(t, "../ingest/testdata/findings.csv"))
	if err != nil || outs[0] != graph.Unchanged || outs[3] != graph.Unchanged {
		t.Errorf("second import = %v, %v", outs, err)
	}
	// An imported finding is also known by the UUID it is stored under.
	e, _, err := st.UpdateEntity(ctx, "bob", rfs.String(), pressRelease, func(e *graph.Entity) error {
		e.Props["alias"] = []string{"RFS"}
		return nil
	})
	if err != nil || e.Ref != "finding:rfs" {
		t.Fatalf("UpdateEntity by UUID = %+v, %v", e, err)
	}
	if f, err := st.Finding(ctx, rfs.String()); err != nil || f.Ref != "finding:rfs" || f.Version != 2 {
		t.Errorf("Finding by UUID = %+v, %v", f, err)
	}
	if _, _, err := st.Retract(ctx, "bob", "finding:rfs-accounts", "wrong", pressRelease); err != nil {
		t.Fatalf("retract an imported finding: %v", err)
	}
	if pathExists(t, st, rfs, dandong) {
		t.Error("a path through the retracted imported relationship")
	}
	// A row with a list record's id is refused, and nothing of the import lands.
	clash := []graph.Record{
		{Ref: "finding:new", Entity: &graph.Entity{Ref: "finding:new", Schema: "Company", Props: map[string][]string{"name": {"New"}}}},
		{Ref: "demo-ftb", Entity: &graph.Entity{Ref: "demo-ftb", Schema: "Company", Props: map[string][]string{"name": {"Not the bank"}}}},
	}
	if _, _, err := st.ImportFindings(ctx, "mallory", clash); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("import over a list record: %v", err)
	}
	if _, err := st.Resolve(ctx, "finding:new"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("half an import landed: %v", err)
	}
	if e, _ := st.Entity(ctx, graph.KeyFor("demo-ftb")); e == nil || e.Name() == "Not the bank" {
		t.Errorf("the list entity was overwritten: %+v", e)
	}
	mustCheck(t, st)
}

// Re-ingesting official lists never overwrites or removes a finding, even
// one that links to a listed entity.
func TestListReingestKeepsFindings(t *testing.T) {
	ofac := "../ingest/testdata/ofac_set/sdn.csv"
	load := func(ctx context.Context, run *store.Run) error {
		if _, err := ingest.Demo(ctx, run); err != nil {
			return err
		}
		_, err := ingest.File(ctx, ofac, run, ingest.Options{})
		return err
	}
	st := loadStore(t, load)
	ctx := context.Background()
	bank, err := st.Resolve(ctx, "ofac:15603")
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := st.AddEntity(ctx, "alice", newCompany("Sea Star Trading LLC"), pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := st.AddRelationship(ctx, "alice", &graph.Relationship{Kind: graph.RelOpenedAccountsFor, SourceRef: "ofac:15603", TargetRef: e.Ref}, pressRelease)
	if err != nil {
		t.Fatal(err)
	}
	beforeE, _ := st.Entity(ctx, e.ID)
	beforeR, _ := st.Relationship(ctx, r.Ref)
	for i := 0; i < 2; i++ {
		loadAndMerge(t, st, load)
	}
	afterE, err := st.Entity(ctx, e.ID)
	if err != nil || !reflect.DeepEqual(afterE, beforeE) {
		t.Errorf("finding entity after re-ingest = %+v, %v; want %+v", afterE, err, beforeE)
	}
	afterR, err := st.Relationship(ctx, r.Ref)
	if err != nil || !reflect.DeepEqual(afterR, beforeR) {
		t.Errorf("finding relationship after re-ingest = %+v, %v; want %+v", afterR, err, beforeR)
	}
	if !pathExists(t, st, e.ID, bank) {
		t.Error("no path from the finding to ofac:15603 after re-ingest")
	}
	for _, ref := range []string{e.Ref, r.Ref} {
		if f, err := st.Finding(ctx, ref); err != nil || f.Status != store.FindingActive || f.Version != 1 {
			t.Errorf("Finding(%s) = %+v, %v", ref, f, err)
		}
	}
	mustCheck(t, st)
}
