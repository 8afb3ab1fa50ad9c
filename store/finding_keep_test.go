package store_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// An ingest run never overwrites or deletes a finding written through the
// API, even when a file names it by the same id (here the findings CSV,
// ingested with the CLI's path after the same rows were imported through
// the API, then a delta deleting one of them): the records are counted as
// kept, and the findings stay as the investigator wrote them.
func TestIngestKeepsFindingsOfTheSameID(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	recs := parseFindings(t, "../ingest/testdata/findings.csv")
	if _, _, err := st.ImportFindings(ctx, "alice", recs); err != nil {
		t.Fatal(err)
	}
	ref := recs[0].Ref
	id, err := st.Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	before, err := st.Entity(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// The same file through an ingest run, with an edited name.
	edited := strings.Replace(readFile(t, "../ingest/testdata/findings.csv"), "Russian Financial Society,", "Someone Else,", 1)
	// A delta deleting the first finding, in the same run.
	del := `{"op":"DEL","entity":{"id":"` + ref + `"}}` + "\n"
	var sum, dsum *ingest.Summary
	storetest.Load(t, st, func(ctx context.Context, run *store.Run) (err error) {
		if sum, err = ingest.Reader(ctx, "findings.csv", strings.NewReader(edited), run, ingest.Options{Format: "findings"}); err != nil {
			return err
		}
		dsum, err = ingest.Reader(ctx, "delta.json", strings.NewReader(del), run, ingest.Options{})
		return err
	})
	if sum.Kept != len(recs) || sum.Added+sum.Updated != 0 || dsum.Kept != 1 || dsum.Deleted != 0 {
		t.Errorf("ingest summaries %+v, %+v: want every record kept", sum, dsum)
	}
	after, err := st.Entity(ctx, id)
	if err != nil || !reflect.DeepEqual(after, before) {
		t.Errorf("finding after the ingest = %+v, %v; want %+v", after, err, before)
	}
	if f, err := st.Finding(ctx, ref); err != nil || f.Status != store.FindingActive {
		t.Errorf("Finding(%s) = %+v, %v", ref, f, err)
	}
	runs, _ := st.Runs(ctx)
	if last := runs[len(runs)-1]; last.Counts.Kept != len(recs)+1 {
		t.Errorf("run counts %+v", last.Counts)
	}
	mustCheck(t, st)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The store remembers it holds findings across a restart: an ingest after
// reopening still keeps them.
func TestIngestKeepsFindingsAfterReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	opt := store.Options{Index: true, GCInterval: -1}
	st := storetest.OpenDir(t, dir, opt)
	recs := parseFindings(t, "../ingest/testdata/findings.csv")
	if _, _, err := st.ImportFindings(ctx, "alice", recs); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = storetest.OpenDir(t, dir, opt)
	edited := strings.Replace(readFile(t, "../ingest/testdata/findings.csv"), "Russian Financial Society,", "Someone Else,", 1)
	sum := storetest.LoadReader(t, st, "findings.csv", strings.NewReader(edited), ingest.Options{Format: "findings"})
	if sum.Kept != len(recs) || sum.Updated != 0 {
		t.Errorf("ingest after reopening: %+v, want every record kept", sum)
	}
	mustCheck(t, st)
}
