// Package storetest sets up stores for the tests of every package: a store
// in memory or in a directory, closed when the test ends (Open, OpenDir,
// Demo), loaded in one committed ingest run (Load, LoadDemo, LoadFiles,
// LoadReader), and everything a reader can see in it (Dump, WriteDump).
// Only _test.go files import it (.ci/layers.sh checks).
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// Open opens a store in memory with opt (InMemory is set), closed when the
// test ends.
func Open(tb testing.TB, opt store.Options) *store.Store {
	tb.Helper()
	opt.InMemory = true
	return OpenDir(tb, "", opt)
}

// OpenDir opens the store in dir with opt, closed when the test ends (a
// test may close it earlier, to reopen the directory).
func OpenDir(tb testing.TB, dir string, opt store.Options) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), dir, opt)
	if err != nil {
		tb.Fatalf("open store %q: %v", dir, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// Demo opens a store in memory with its graph index and the demo data.
func Demo(tb testing.TB) *store.Store {
	tb.Helper()
	st := Open(tb, store.Options{Index: true})
	LoadDemo(tb, st)
	return st
}

// Load runs load in one ingest run and commits it. If load fails, the run
// is rolled back and the test fails.
func Load(tb testing.TB, st *store.Store, load func(ctx context.Context, run *store.Run) error) {
	tb.Helper()
	ctx := context.Background()
	run, err := st.BeginRun(ctx, tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	if err := load(ctx, run); err != nil {
		run.Rollback(ctx, err)
		tb.Fatalf("load: %v", err)
	}
	if err := run.Commit(ctx); err != nil {
		tb.Fatalf("commit: %v", err)
	}
}

// LoadDemo loads the embedded demo data (ingest.Demo).
func LoadDemo(tb testing.TB, st *store.Store) {
	tb.Helper()
	Load(tb, st, func(ctx context.Context, run *store.Run) error {
		_, err := ingest.Demo(ctx, run)
		return err
	})
}

// LoadFiles ingests the files at paths, in one run, with default options,
// and returns their summaries.
func LoadFiles(tb testing.TB, st *store.Store, paths ...string) []*ingest.Summary {
	tb.Helper()
	var sums []*ingest.Summary
	Load(tb, st, func(ctx context.Context, run *store.Run) error {
		for _, p := range paths {
			sum, err := ingest.File(ctx, p, run, ingest.Options{})
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			sums = append(sums, sum)
		}
		return nil
	})
	return sums
}

// LoadReader ingests what r holds, read as a file called name, with opt.
func LoadReader(tb testing.TB, st *store.Store, name string, r io.Reader, opt ingest.Options) *ingest.Summary {
	tb.Helper()
	var sum *ingest.Summary
	Load(tb, st, func(ctx context.Context, run *store.Run) (err error) {
		sum, err = ingest.Reader(ctx, name, r, run, opt)
		return err
	})
	return sum
}

// Dump returns everything a reader can see in st as text, to compare two
// stores (see WriteDump).
func Dump(tb testing.TB, st *store.Store) string {
	tb.Helper()
	var b strings.Builder
	WriteDump(tb, &b, st)
	return b.String()
}

// WriteDump writes everything a reader can see in st to w: the stats,
// every entity and relationship as stored, every finding and the audit
// log. (A hash as w compares large stores.)
func WriteDump(tb testing.TB, w io.Writer, st *store.Store) {
	tb.Helper()
	ctx := context.Background()
	enc := json.NewEncoder(w)
	stats, err := st.Stats(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	enc.Encode(stats)
	err = st.View(ctx, func(tx *store.Tx) error {
		if err := tx.ScanEntities(func(e *graph.Entity) error { return enc.Encode(e) }); err != nil {
			return err
		}
		return tx.ScanRelationships(func(r *graph.Relationship) error {
			fmt.Fprintf(w, "%s %s %s ", r.ID, r.Source, r.Target)
			return enc.Encode(r)
		})
	})
	if err == nil {
		err = st.Findings(ctx, func(f *store.Finding) error { return enc.Encode(f) })
	}
	if err != nil {
		tb.Fatal(err)
	}
	log, err := st.Audit(ctx, store.AuditFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	enc.Encode(log)
}

// The real lists of the shared data (graph/graphtest.SharedData) that
// RealLists loads, and the dates of their versions. sdn.csv and the EU
// journal's CSV state no date; ../shared/data/SOURCES.md gives the date
// each was published, which RealLists passes as --list-date would.
const (
	OFACFile = "ofac/sdn.csv" // with add.csv and alt.csv beside it
	OFACDate = "2024-05-03"
	UNFile   = "un/UN_consolidated_2026-02-27.xml" // states its date
	EUFile   = "eu/opensanctions-eu-journal/consolidated/32017R1509.csv"
	EUDate   = "2026-08-21"
)

// RealLists opens an in-memory store with its graph index holding the
// real OFAC SDN list (with its address and alias files), the UN
// Security Council consolidated list and the EU's DPRK regulation
// 2017/1509, ingested in one run and merged as the ingest command merges
// them (store.AutoMerge): the Foreign Trade Bank of the DPRK is one party
// of three records. It fails (in CI) or skips the test when the shared
// data is missing.
func RealLists(tb testing.TB) *store.Store {
	tb.Helper()
	files := []struct {
		path string
		opt  ingest.Options
	}{
		{graphtest.SharedData(tb, OFACFile), ingest.Options{ListDate: OFACDate}},
		{graphtest.SharedData(tb, UNFile), ingest.Options{}},
		{graphtest.SharedData(tb, EUFile), ingest.Options{ListDate: EUDate}},
	}
	st := Open(tb, store.Options{Index: true})
	Load(tb, st, func(ctx context.Context, run *store.Run) error {
		for _, f := range files {
			if _, err := ingest.File(ctx, f.path, run, f.opt); err != nil {
				return fmt.Errorf("%s: %w", f.path, err)
			}
		}
		return nil
	})
	if _, err := st.AutoMerge(context.Background()); err != nil {
		tb.Fatalf("merge: %v", err)
	}
	return st
}

// The 2019 finding of the README: the US Treasury's press release of 19
// June 2019 says Russian Financial Society (OFAC 26744) opened accounts
// for Dandong Zhongsheng Industry & Trade (OFAC 24518), which OFAC lists
// as linked to the Foreign Trade Bank.
const (
	FindingURL   = "https://home.treasury.gov/news/press-releases/sm711"
	FindingDate  = "2019-06-19"
	FindingQuote = "opened multiple bank accounts for Dandong Zhongsheng Industry & Trade"
	FindingRole  = "opened multiple bank accounts for"
)

// AddFinding2019 adds the 2019 finding to st through the store's API, as
// the addRelationship mutation does, and returns it.
func AddFinding2019(tb testing.TB, st *store.Store) *graph.Relationship {
	tb.Helper()
	r, _, err := st.AddRelationship(context.Background(), "test", &graph.Relationship{
		Kind: graph.RelOpenedAccountsFor, SourceRef: "ofac:26744", TargetRef: "ofac:24518",
		Props: map[string][]string{"role": {FindingRole}, "startDate": {"2017"}, "endDate": {"2018"}},
	}, graph.Source{URL: FindingURL, Date: FindingDate, Quote: FindingQuote})
	if err != nil {
		tb.Fatalf("add the 2019 finding: %v", err)
	}
	return r
}
