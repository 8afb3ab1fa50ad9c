package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/exposure"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// exposureStore opens an in-memory store with testdata/exposure.ftm.json.
func exposureStore(t testing.TB) *store.Store {
	t.Helper()
	return exposureStoreOf(t, "testdata/exposure.ftm.json")
}

// exposureStoreOf opens an in-memory store with the FtM file at path.
func exposureStoreOf(t testing.TB, path string) *store.Store {
	t.Helper()
	st := storetest.Open(t, store.Options{Index: true})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	storetest.LoadReader(t, st, path, f, ingest.Options{Format: "ftm", Dataset: "exposure_test", Strict: true})
	return st
}

func storeExposure(t *testing.T, st *store.Store, ref string, q exposure.Query) *exposure.Result {
	t.Helper()
	ctx := context.Background()
	id, err := st.Resolve(ctx, ref)
	if err != nil {
		t.Fatalf("Resolve(%q): %v", ref, err)
	}
	q.Entity = id
	x, err := st.OwnershipExposure(ctx, q)
	if err != nil {
		t.Fatalf("OwnershipExposure(%s): %v", ref, err)
	}
	return x
}

func TestStoreOwnershipExposure(t *testing.T) {
	st := exposureStore(t)
	day := func(s string) graph.Day { d, _ := graph.ParseDay(s, false); return d }
	tests := []struct {
		ref                string
		q                  exposure.Query
		blocked, possibly  bool
		designated         bool
		complete           bool
		pct, max           float64
		chains, dataErrors int
		explains           string
	}{
		{ref: "x-oligarch", blocked: true, designated: true, complete: true, explains: "designated by US OFAC (RUSSIA-EO14024) in its own right"},
		{ref: "a-holding", blocked: true, complete: true, pct: 50, max: 50, chains: 1, explains: "Xavier Oligarch (designated by US OFAC (RUSSIA-EO14024)) holds 50% directly"},
		{ref: "b-sub", blocked: true, complete: true, pct: 50, max: 50, chains: 1, explains: "Alpha Holding (owned 50% by blocked persons (Xavier Oligarch 50%)) holds 50% directly"},
		// Zeta is listed by the UN only: under OFAC it does not count ...
		{ref: "c-joint", complete: true, pct: 25, max: 25, chains: 1, explains: "below 50%"},
		// ... under any authority it does.
		{ref: "c-joint", q: exposure.Query{Authority: exposure.AnyAuthority}, blocked: true, complete: true, pct: 50, max: 50, chains: 2},
		// sharesCount without a percentage: unknown, not guessed.
		{ref: "d-unknown", possibly: true, pct: 0, max: 100, chains: 1, explains: "holds an unknown share directly"},
		{ref: "e-former", complete: true, explains: "ended 2021-06-30"},
		{ref: "e-former", q: exposure.Query{AsOf: day("2021-01-01"), HasAsOf: true}, complete: true},
		{ref: "e-former", q: exposure.Query{AsOf: day("2022-05-01"), HasAsOf: true}, complete: true},
		{ref: "f-controlled", complete: true, explains: "Control, reported apart and not counted"},
		{ref: "g-alias-owned", complete: true},
		{ref: "k-ring-1", complete: true, pct: 30, max: 30, chains: 1, dataErrors: 1, explains: `own-y-k1: percentage "130" is outside 0-100`},
		{ref: "k-ring-2", complete: true, dataErrors: 1, explains: "Kappa Ring One holds 60% but is not blocked"},
	}
	for _, tt := range tests {
		x := storeExposure(t, st, tt.ref, tt.q)
		if x.Blocked != tt.blocked || x.PossiblyBlocked != tt.possibly || x.Designated != tt.designated || x.Complete != tt.complete ||
			x.Percentage != tt.pct || x.MaxPercentage != tt.max || len(x.Chains) != tt.chains || len(x.DataErrors) != tt.dataErrors {
			t.Errorf("exposure(%s, %+v) = blocked %v possibly %v designated %v complete %v %v..%v chains %d errors %d; want %v %v %v %v %v..%v %d %d\n%s",
				tt.ref, tt.q, x.Blocked, x.PossiblyBlocked, x.Designated, x.Complete, x.Percentage, x.MaxPercentage, len(x.Chains), len(x.DataErrors),
				tt.blocked, tt.possibly, tt.designated, tt.complete, tt.pct, tt.max, tt.chains, tt.dataErrors, x.Explanation())
		}
		if e := x.Explanation(); !strings.Contains(e, tt.explains) {
			t.Errorf("exposure(%s).Explanation() = %q, want it to contain %q", tt.ref, e, tt.explains)
		}
	}

	// The former stake counted while X was listed and the stake held.
	x := storeExposure(t, st, "e-former", exposure.Query{AsOf: day("2021-01-01"), HasAsOf: true})
	if x.Blocked {
		t.Errorf("e-former on 2021-01-01: blocked before X's listing (2022-04-06)")
	}

	// Control is reported with the controller's standing.
	x = storeExposure(t, st, "f-controlled", exposure.Query{})
	if len(x.Controllers) != 1 || !x.Controllers[0].Designated || x.Controllers[0].Rels[0].Ref != "control-x-f" || x.Percentage != 0 {
		t.Errorf("f-controlled controllers = %+v, percentage %v", x.Controllers, x.Percentage)
	}
	if len(x.Owners) != 1 || x.Owners[0].Counted || x.Owners[0].Share.Min != 90 {
		t.Errorf("f-controlled owners = %+v, want Yuri 90%% not counted", x.Owners)
	}
}

// Records merged as one party are one owner: the alias record's stake is
// the designated person's once the two are merged.
func TestStoreOwnershipExposureMergedParty(t *testing.T) {
	st := exposureStore(t)
	ctx := context.Background()
	if x := storeExposure(t, st, "g-alias-owned", exposure.Query{}); x.Blocked {
		t.Fatalf("g-alias-owned blocked before the merge: %s", x.Explanation())
	}
	a, err := st.RecordEntity(ctx, "x-oligarch")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.RecordEntity(ctx, "x-oligarch-alias")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Merge(ctx, a, b, "same person, transliteration", "test"); err != nil {
		t.Fatal(err)
	}
	x := storeExposure(t, st, "g-alias-owned", exposure.Query{})
	if !x.Blocked || x.Percentage != 50 || len(x.Owners) != 1 || len(x.Chains) != 1 {
		t.Fatalf("g-alias-owned after the merge: blocked %v %v%% owners %d chains %d; want blocked 50%% by one owner\n%s",
			x.Blocked, x.Percentage, len(x.Owners), len(x.Chains), x.Explanation())
	}
	canon, err := st.Resolve(ctx, "x-oligarch-alias")
	if err != nil {
		t.Fatal(err)
	}
	if x.Owners[0].Owner != canon || x.Chains[0].Entities[0] != canon {
		t.Errorf("owner %v chain %v, want the party %v", x.Owners[0].Owner, x.Chains[0], canon)
	}
}

// TestStoreOwnershipExposureZALA runs on real OpenSanctions data around
// the ZALA Aero drone network, whose Russian register records state
// ownership percentages and dates.
func TestStoreOwnershipExposureZALA(t *testing.T) {
	st := exposureStoreOf(t, graphtest.SharedData(t, "opensanctions/yente-fixtures/zala/entities.ftm.json"))
	day := func(s string) graph.Day { d, _ := graph.ParseDay(s, false); return d }
	zakharov := "NK-aU5ybkbRFJucf8YMwsJvDw"
	zid, err := st.Resolve(context.Background(), zakharov)
	if err != nil {
		t.Fatal(err)
	}
	// LLC CST is designated itself; of its owners in force today only
	// ZAKHAROV (OFAC) counts: 51%. Kalashnikov's 49% (and a second record
	// of it without a percentage) does not: Kalashnikov is not listed here.
	x := storeExposure(t, st, "NK-abdzbEBkqyT29GyREbiURZ", exposure.Query{AsOf: day("2026-01-01"), HasAsOf: true})
	if !x.Blocked || !x.Designated || x.Percentage != 51 || x.MaxPercentage != 51 || !x.Complete || len(x.Chains) != 1 || x.Chains[0].Entities[0] != zid {
		t.Errorf("LLC CST: blocked %v designated %v %v..%v complete %v chains %v\n%s", x.Blocked, x.Designated, x.Percentage, x.MaxPercentage, x.Complete, x.Chains, x.Explanation())
	}
	// In 2022 three register records of ZAKHAROV's stake (50%, 48%, 51%)
	// and the small ones add up to more than 100%: reported, not exact.
	x = storeExposure(t, st, "NK-abdzbEBkqyT29GyREbiURZ", exposure.Query{AsOf: day("2022-06-01"), HasAsOf: true})
	if x.Complete || x.Percentage != 51 || x.MaxPercentage != 100 || len(x.DataErrors) == 0 {
		t.Errorf("LLC CST in 2022: complete %v %v..%v errors %v", x.Complete, x.Percentage, x.MaxPercentage, x.DataErrors)
	}
	// Aeroscan: 100% ZAKHAROV from 2024-03-01 to 2024-03-24 only.
	x = storeExposure(t, st, "NK-iE6m5ryPeTAMZozfECVSL7", exposure.Query{AsOf: day("2024-03-10"), HasAsOf: true})
	if !x.Blocked || x.Designated || x.Percentage != 100 || !x.Complete {
		t.Errorf("Aeroscan on 2024-03-10: blocked %v designated %v %v%% complete %v\n%s", x.Blocked, x.Designated, x.Percentage, x.Complete, x.Explanation())
	}
	x = storeExposure(t, st, "NK-iE6m5ryPeTAMZozfECVSL7", exposure.Query{AsOf: day("2024-04-01"), HasAsOf: true})
	if x.Blocked || x.Percentage != 0 || len(x.Owners) != 1 || x.Owners[0].InForce || x.Owners[0].Note != "ended 2024-03-24" {
		t.Errorf("Aeroscan on 2024-04-01: blocked %v %v%% owners %+v", x.Blocked, x.Percentage, x.Owners)
	}
}

// BenchmarkOwnershipExposure asks ownershipExposure of companies of the
// core of a synthetic network (heavy-tailed ownership, chains 3-8 deep,
// cross-ownership cycles, 1% designated, 10% unknown percentages).
func BenchmarkOwnershipExposure(b *testing.B) {
	for _, n := range []int{20_000} {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			st := storetest.Open(b, store.Options{Index: true})
			var buf bytes.Buffer
			if _, err := synth.Generate(&buf, synth.Config{Entities: n, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			storetest.LoadReader(b, st, "synth.ftm.json", &buf, ingest.Options{Format: "ftm"})
			var ids []uuid.UUID
			for i := 0; len(ids) < 500 && i < n*2/5; i++ {
				if id, err := st.Resolve(ctx, synth.EntityID(i)); err == nil {
					ids = append(ids, id)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			blocked, visited := 0, 0
			for i := 0; i < b.N; i++ {
				x, err := st.OwnershipExposure(ctx, exposure.Query{Entity: ids[i%len(ids)]})
				if err != nil {
					b.Fatal(err)
				}
				visited += x.Visited
				if x.Blocked {
					blocked++
				}
			}
			b.ReportMetric(float64(visited)/float64(b.N), "visited/op")
			b.ReportMetric(float64(blocked)/float64(b.N), "blocked/op")
		})
	}
}
