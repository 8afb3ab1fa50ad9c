package store_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// loadStore opens an in-memory indexed store, ingests with load, commits
// and merges parties as the ingest command does.
func loadStore(t testing.TB, load func(ctx context.Context, run *store.Run) error) *store.Store {
	t.Helper()
	st := storetest.Open(t, store.Options{Index: true})
	loadAndMerge(t, st, load)
	return st
}

// loadAndMerge ingests with load in one run and merges parties, as the
// ingest command does.
func loadAndMerge(t testing.TB, st *store.Store, load func(ctx context.Context, run *store.Run) error) {
	t.Helper()
	storetest.Load(t, st, load)
	if _, err := st.AutoMerge(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// demoStore opens an in-memory indexed store with the demo data, its
// parties merged.
func demoStore(t testing.TB) *store.Store {
	t.Helper()
	st := storetest.Demo(t)
	if _, err := st.AutoMerge(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// roundTrip exports q from st as FtM, ingests that into an empty store and
// checks that the new store holds the same records, relationships and
// properties, and exports to the same bytes.
func roundTrip(t *testing.T, st *store.Store, q export.Query) *export.Subgraph {
	t.Helper()
	ctx := context.Background()
	sg, err := st.Subgraph(ctx, q)
	if err != nil {
		t.Fatalf("Subgraph(%+v): %v", q, err)
	}
	var out bytes.Buffer
	if err := export.Encode(&out, export.FTM, sg); err != nil {
		t.Fatal(err)
	}
	st2 := loadStore(t, func(ctx context.Context, run *store.Run) error {
		sum, err := ingest.Reader(ctx, "export.ftm.json", bytes.NewReader(out.Bytes()), run, ingest.Options{Format: "ftm", Strict: true})
		if err == nil && sum.Rejected > 0 {
			t.Errorf("re-ingest rejected %d records", sum.Rejected)
		}
		return err
	})
	for _, n := range sg.Nodes {
		for _, rec := range n.Records {
			id, err := st2.RecordEntity(ctx, rec.Ref)
			if err != nil {
				t.Errorf("record %s of the export is not in the re-ingested store: %v", rec.Ref, err)
				continue
			}
			var got *graph.Entity
			st2.View(ctx, func(tx *store.Tx) error {
				return tx.ScanEntities(func(e *graph.Entity) error {
					if e.ID == id {
						got = e
					}
					return nil
				})
			})
			if got == nil {
				t.Errorf("record %s: no entity", rec.Ref)
				continue
			}
			checkEntity(t, got, rec)
		}
	}
	if len(sg.Relationships) == 0 {
		t.Fatalf("Subgraph(%+v) has no relationships; the round trip would prove little", q)
	}
	for _, r := range sg.Relationships {
		got, err := st2.Relationship(ctx, r.Ref)
		if err != nil {
			t.Errorf("relationship %s (%s -%s-> %s) not re-ingested: %v", r.Ref, r.SourceRef, r.Kind, r.TargetRef, err)
			continue
		}
		if got.Kind != r.Kind || got.SourceRef != r.SourceRef || got.TargetRef != r.TargetRef {
			t.Errorf("relationship %s = %s -%s-> %s, want %s -%s-> %s", r.Ref, got.SourceRef, got.Kind, got.TargetRef, r.SourceRef, r.Kind, r.TargetRef)
		}
		if r.Schema != "" && got.Schema != r.Schema {
			t.Errorf("relationship %s schema = %q, want %q", r.Ref, got.Schema, r.Schema)
		}
		if !reflect.DeepEqual(nonEmpty(got.Props), nonEmpty(r.Props)) {
			t.Errorf("relationship %s properties = %v, want %v", r.Ref, got.Props, r.Props)
		}
		if !reflect.DeepEqual(dsets(got.Sources), dsets(r.Sources)) && r.Kind != graph.RelProgrammeOf {
			t.Errorf("relationship %s datasets = %v, want %v", r.Ref, dsets(got.Sources), dsets(r.Sources))
		}
		if r.Kind != graph.RelProgrammeOf && !reflect.DeepEqual(got.Sources, r.Sources) {
			t.Errorf("relationship %s sources = %+v, want %+v (url, quote and date too)", r.Ref, got.Sources, r.Sources)
		}
	}
	// Every entity keeps its designations: the Sanction records of a
	// path's entities travel with them.
	for _, n := range sg.Nodes {
		id, err := st2.Resolve(ctx, n.Entity.Ref)
		if err != nil {
			t.Errorf("entity %s not re-ingested: %v", n.Entity.Ref, err)
			continue
		}
		page, err := st2.Relationships(ctx, id, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, r := range page.Relationships {
			got = append(got, r.Ref)
		}
		for _, d := range n.Designations {
			want = append(want, d.Relationship.Ref)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("entity %s designations re-ingested = %v, want %v", n.Entity.Ref, got, want)
		}
	}
	// The same query on the re-ingested store gives the same subgraph.
	sg2, err := st2.Subgraph(ctx, q)
	if err != nil {
		t.Fatalf("Subgraph on the re-ingested store: %v", err)
	}
	var out2 bytes.Buffer
	if err := export.Encode(&out2, export.FTM, sg2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), out2.Bytes()) {
		t.Errorf("export of the re-ingested store differs:\n--- first\n%s\n--- second\n%s", out.String(), out2.String())
	}
	if len(sg2.Nodes) != len(sg.Nodes) || len(sg2.Relationships) != len(sg.Relationships) {
		t.Errorf("re-ingested subgraph has %d entities and %d relationships, want %d and %d",
			len(sg2.Nodes), len(sg2.Relationships), len(sg.Nodes), len(sg.Relationships))
	}
	return sg
}

func checkEntity(t *testing.T, got, want *graph.Entity) {
	t.Helper()
	if got.Ref != want.Ref || got.Schema != want.Schema || got.Name() != want.Name() {
		t.Errorf("entity %s = %s %s %q, want %s %s %q", want.Ref, got.Ref, got.Schema, got.Name(), want.Ref, want.Schema, want.Name())
	}
	if !reflect.DeepEqual(nonEmpty(got.Props), nonEmpty(want.Props)) {
		t.Errorf("entity %s properties = %v, want %v", want.Ref, got.Props, want.Props)
	}
	if !slices.Equal(got.Referents, want.Referents) {
		t.Errorf("entity %s referents = %v, want %v", want.Ref, got.Referents, want.Referents)
	}
	if !want.IsDesignator() && !reflect.DeepEqual(dsets(got.Sources), dsets(want.Sources)) {
		t.Errorf("entity %s datasets = %v, want %v", want.Ref, dsets(got.Sources), dsets(want.Sources))
	}
	if !want.IsDesignator() && !reflect.DeepEqual(got.Sources, want.Sources) {
		t.Errorf("entity %s sources = %+v, want %+v", want.Ref, got.Sources, want.Sources)
	}
}

func nonEmpty(p map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range p {
		if len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

func dsets(src []graph.Source) []string {
	var out []string
	for _, s := range src {
		if !slices.Contains(out, s.Dataset) {
			out = append(out, s.Dataset)
		}
	}
	slices.Sort(out)
	return out
}

func TestExportFTMRoundTripDemo(t *testing.T) {
	st := demoStore(t)
	tests := []struct {
		name string
		q    export.Query
	}{
		{"rfs 2 hops", export.Query{Seeds: []string{"demo-rfs"}, Hops: 2}},
		{"ftb 3 hops", export.Query{Seeds: []string{"demo-ftb"}, Hops: 3}},
		{"two seeds via owns controls opened", export.Query{Seeds: []string{"demo-dandong", "ofac-15603"}, Hops: 2,
			Via: []graph.RelType{graph.RelOwns, graph.RelControls, graph.RelOpenedAccountsFor}}},
		{"paths rfs ftb", export.Query{From: "demo-rfs", To: "demo-ftb", K: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := roundTrip(t, st, tt.q)
			if len(sg.Nodes) < 3 {
				t.Errorf("%d entities; want a real subgraph", len(sg.Nodes))
			}
		})
	}
}

// TestExportFTMRoundTripRealLists: export -> ingest into an empty store ->
// export gives the same bytes on three subgraphs of the real OFAC, UN and
// EU lists, merged, with the 2019 finding: a merged party's neighbourhood,
// a path, and a 2-hop OFAC hub. The finding's kind (opened-accounts-for,
// whose role "opened multiple bank accounts for" the old mapping read as
// linked-to), its source's URL, date and quote, and the Sanction records
// of a path's entities come back.
func TestExportFTMRoundTripRealLists(t *testing.T) {
	st := storetest.RealLists(t)
	finding := storetest.AddFinding2019(t, st)
	tests := []struct {
		name string
		q    export.Query
	}{
		{"merged party FTB, 1 hop", export.Query{Seeds: []string{"ofac:15603"}, Hops: 1}},
		{"path RFS to FTB", export.Query{From: "Russian Financial Society", To: "Foreign Trade Bank of the DPRK", K: 3}},
		{"OFAC hub ofac:15117, 2 hops", export.Query{Seeds: []string{"ofac:15117"}, Hops: 2, MaxEntities: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := roundTrip(t, st, tt.q)
			kinds := map[graph.RelType]int{}
			for _, r := range sg.Relationships {
				kinds[r.Kind]++
			}
			merged := 0
			for _, n := range sg.Nodes {
				if len(n.Records) > 1 {
					merged++
				}
			}
			t.Logf("%s: %d entities (%d merged parties), %d relationships, kinds %v", tt.name, len(sg.Nodes), merged, len(sg.Relationships), kinds)
			if strings.HasPrefix(tt.name, "merged") && merged == 0 {
				t.Errorf("no merged party in the export")
			}
			if strings.HasPrefix(tt.name, "path") {
				if kinds[graph.RelOpenedAccountsFor] != 1 || !slices.ContainsFunc(sg.Relationships, func(r *graph.Relationship) bool { return r.Ref == finding.Ref }) {
					t.Errorf("the path export lacks the 2019 finding %s: kinds %v", finding.Ref, kinds)
				}
			}
		})
	}
}

func TestExportFTMRoundTripOFAC(t *testing.T) {
	sdn := graphtest.SharedData(t, "ofac/sdn.csv")
	if testing.Short() {
		t.Skip("ingests the whole OFAC list")
	}
	st := loadStore(t, func(ctx context.Context, run *store.Run) error {
		_, err := ingest.File(ctx, sdn, run, ingest.Options{})
		return err
	})
	tests := []struct {
		name string
		q    export.Query
	}{
		// The Foreign Trade Bank of the DPRK and what is linked to it.
		{"ftb", export.Query{Seeds: []string{"ofac:15603"}, Hops: 4, MaxEntities: 300}},
		// The OFAC entry with the most relationships, two hops out.
		{"ofac:15117", export.Query{Seeds: []string{"ofac:15117"}, Hops: 2, MaxEntities: 1000}},
		// An export the entity limit cuts.
		{"ofac:10465 truncated", export.Query{Seeds: []string{"ofac:10465"}, Hops: 2, MaxEntities: 300}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := roundTrip(t, st, tt.q)
			kinds := map[graph.RelType]int{}
			noSchema := 0
			for _, r := range sg.Relationships {
				kinds[r.Kind]++
				if r.Schema == "" {
					noSchema++
				}
			}
			t.Logf("%+v: %d entities, %d relationships (%d from no FtM schema), kinds %v, limits %v", tt.q, len(sg.Nodes), len(sg.Relationships), noSchema, kinds, sg.Limits)
			if kinds[graph.RelDesignatedBy] == 0 || kinds[graph.RelLinkedTo] == 0 {
				t.Errorf("OFAC subgraph relationship kinds = %v; want designations and links", kinds)
			}
			if strings.Contains(tt.name, "truncated") != sg.Truncated() {
				t.Errorf("truncated = %v (%v)", sg.Truncated(), sg.Limits)
			}
		})
	}
}

func TestSubgraphLimitsAndErrors(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	sg, err := st.Subgraph(ctx, export.Query{Seeds: []string{"demo-ftb"}, Hops: 3, MaxEntities: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Nodes) != 4 || !slices.Contains(sg.Limits, export.LimitEntities) {
		t.Errorf("MaxEntities 4: %d entities, limits %v; want 4 and %q", len(sg.Nodes), sg.Limits, export.LimitEntities)
	}
	sg, err = st.Subgraph(ctx, export.Query{Seeds: []string{"demo-ftb"}, Hops: 3, MaxRelationships: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Relationships) > 2 || !slices.Contains(sg.Limits, export.LimitRelationships) {
		t.Errorf("MaxRelationships 2: %d relationships, limits %v", len(sg.Relationships), sg.Limits)
	}
	sg, err = st.Subgraph(ctx, export.Query{Seeds: []string{"demo-ftb"}, Hops: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sg.Truncated() {
		t.Errorf("small export truncated: %v", sg.Limits)
	}
	for _, r := range sg.Relationships {
		if sg.Node(r.Source) == nil || sg.Node(r.Target) == nil {
			t.Errorf("relationship %s has an end outside the subgraph", r.Ref)
		}
	}
	// hops 0: the seeds and the relationships among them.
	sg, err = st.Subgraph(ctx, export.Query{Seeds: []string{"demo-ftb", "demo-dandong"}, Hops: 0})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range sg.Relationships {
		refs = append(refs, r.Ref)
	}
	if len(sg.Nodes) != 2 || !slices.Equal(refs, []string{"demo-ftb-controls-dandong", "demo-ftb-owns-dandong"}) {
		t.Errorf("hops 0: %d entities, relationships %v", len(sg.Nodes), refs)
	}
	for _, n := range sg.Nodes {
		if !n.Seed || len(n.Designations) == 0 {
			t.Errorf("seed %s: seed %v, designations %v", n.Entity.Ref, n.Seed, n.Designations)
		}
	}
	_, err = st.Subgraph(ctx, export.Query{Seeds: []string{"demo-ftb", "no-such-id"}, Hops: 1})
	var ue *export.UnknownIDError
	if !errors.As(err, &ue) || ue.Param != "seed" || ue.ID != "no-such-id" || !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("unknown seed: err = %v, want UnknownIDError for seed no-such-id", err)
	}
	for _, q := range []export.Query{{}, {Seeds: []string{"demo-ftb"}, Hops: 99}, {From: "demo-rfs"}, {Seeds: []string{" "}}} {
		_, err := st.Subgraph(ctx, q)
		var pe *export.ParamError
		if !errors.As(err, &pe) || !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Subgraph(%+v) = %v, want a ParamError", q, err)
		}
	}
}

// TestExportMergedParty checks that a party of several records is one node
// in every format's view, with each record written to FtM.
func TestExportMergedParty(t *testing.T) {
	st := loadStore(t, func(ctx context.Context, run *store.Run) error {
		if _, err := ingest.Demo(ctx, run); err != nil {
			return err
		}
		_, err := ingest.File(ctx, "testdata/export_merge.ftm.json", run, ingest.Options{Strict: true})
		return err
	})
	ctx := context.Background()
	merges, err := st.Merges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(merges) == 0 {
		t.Fatal("the fixture's Foreign Trade Bank did not merge with the demo's")
	}
	// Seeded by the record that is not the canonical one.
	q := export.Query{Seeds: []string{"test-un-ftb"}, Hops: 1}
	sg := roundTrip(t, st, q)
	var node *export.Node
	for _, n := range sg.Nodes {
		if len(n.Records) > 1 {
			node = n
		}
	}
	if node == nil {
		t.Fatalf("no node with several records in %d nodes", len(sg.Nodes))
	}
	var refs []string
	for _, r := range node.Records {
		refs = append(refs, r.Ref)
	}
	if !slices.Contains(refs, "demo-ftb") || !slices.Contains(refs, "test-un-ftb") {
		t.Errorf("party records = %v, want demo-ftb and test-un-ftb", refs)
	}
	// Relationships of either record end at the party's node.
	var owns, rep bool
	for _, r := range sg.Relationships {
		switch {
		case r.Ref == "test-un-ftb-owns-front":
			owns = r.Source == node.Entity.ID
		case r.Ref == "demo-han-represents-ftb":
			rep = r.Target == node.Entity.ID
		}
	}
	if !owns || !rep {
		t.Errorf("relationships of the party's records end at its node: owns %v, represents %v", owns, rep)
	}
	// In GraphML the party is one node, and edges of both records end there.
	var b bytes.Buffer
	if err := export.Encode(&b, export.GraphML, sg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	partyNode := `<node id="` + node.Entity.Ref + `">`
	other := "test-un-ftb"
	if node.Entity.Ref == other {
		other = "demo-ftb"
	}
	if strings.Count(out, partyNode) != 1 || strings.Contains(out, `id="`+other+`"`) ||
		strings.Count(out, `source="`+node.Entity.Ref+`"`)+strings.Count(out, `target="`+node.Entity.Ref+`"`) < 3 {
		t.Errorf("GraphML of the party %s:\n%s", node.Entity.Ref, out)
	}
}

// BenchmarkSubgraph collects exports from a synthetic network of 20,000
// entities: a 2-hop neighbourhood and the 3 shortest paths to a designated
// entity, each bounded at 5000 entities.
func BenchmarkSubgraph(b *testing.B) {
	var net bytes.Buffer
	stats, err := synth.Generate(&net, synth.Config{Entities: 20000, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	st := loadStore(b, func(ctx context.Context, run *store.Run) error {
		_, err := ingest.Reader(ctx, "synth.ftm.json", &net, run, ingest.Options{Format: "ftm"})
		return err
	})
	ctx := context.Background()
	// A seed with some links (not a hub), and a designated entity it
	// reaches.
	seed, best := "", 0
	for i := range 2000 {
		id, err := st.Resolve(ctx, synth.EntityID(i))
		if d := st.Degree(id); err == nil && d > best && d < 200 {
			seed, best = synth.EntityID(i), d
		}
	}
	target := ""
	for _, d := range stats.Designated {
		sg, err := st.Subgraph(ctx, export.Query{From: seed, To: d, K: 3})
		if err == nil && len(sg.Nodes) > 3 {
			target = d
			break
		}
	}
	if seed == "" || target == "" {
		b.Fatalf("no seed (%q) or reachable designated entity (%q)", seed, target)
	}
	queries := map[string]export.Query{
		"hops=2":  {Seeds: []string{seed}, Hops: 2},
		"paths=3": {From: seed, To: target, K: 3},
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				sg, err := st.Subgraph(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(sg.Nodes) + len(sg.Relationships)
			}
			b.ReportMetric(float64(n), "items")
		})
	}
}
