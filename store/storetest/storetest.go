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
