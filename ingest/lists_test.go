package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// copyOFACSet copies an OFAC delimited set into a temporary folder,
// dropping the main-file rows whose entry numbers are in drop.
func copyOFACSet(t *testing.T, dir string, drop ...string) string {
	t.Helper()
	out := t.TempDir()
	for _, name := range []string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if name == "sdn.csv" {
			var keep [][]byte
			for _, line := range bytes.SplitAfter(b, []byte("\n")) {
				dropped := false
				for _, d := range drop {
					dropped = dropped || bytes.HasPrefix(line, []byte(d+","))
				}
				if !dropped {
					keep = append(keep, line)
				}
			}
			b = bytes.Join(keep, nil)
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(out, "sdn.csv")
}

// designationsOf returns the designated-by edges of the entity ref.
func designationsOf(t *testing.T, s *store.Store, ref string) []*graph.Relationship {
	t.Helper()
	ctx := context.Background()
	id, err := s.Resolve(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	page, err := s.Relationships(ctx, id, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Relationships
}

// A newer version of a list that lacks an entry ends the entry's
// designations; the entity, its links and its history stay. A later
// version that lists it again makes the designations current again.
func TestListVersionDelists(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	full := "testdata/ofac_set/sdn.csv"
	if _, err := ingestFiles(t, s, ingest.Options{}, full); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Stats(context.Background())
	reduced := copyOFACSet(t, "testdata/ofac_set", "900006")
	sums, err := ingestFiles(t, s, ingest.Options{ListDate: "2026-11-20", AllowMassDelist: true}, reduced)
	if err != nil {
		t.Fatal(err)
	}
	rep := sums[0].List
	if rep == nil || len(rep.Delisted) != 1 || rep.Delisted[0] != "ofac:900006" || rep.EndDate != "2026-11-19" {
		t.Fatalf("list report %+v", rep)
	}
	after, _ := s.Stats(context.Background())
	if after.Entities != before.Entities || after.Relationships != before.Relationships {
		t.Errorf("delisting changed counts: %+v -> %+v", before, after)
	}
	ds := designationsOf(t, s, "ofac:900006")
	if len(ds) != 1 {
		t.Fatalf("designations %v", ds)
	}
	d := graph.NewDesignation(ds[0], nil)
	if d.EndedOn != "2026-11-19" || d.Active(graph.Today().String()) || !d.Active("2026-11-01") {
		t.Errorf("designation after delisting: %+v", d)
	}
	if !strings.Contains(ds[0].First("status"), "not on the 2026-11-20 version of us_ofac_sdn") {
		t.Errorf("status %q", ds[0].Props["status"])
	}
	// Its link to SUN Wei stays.
	id, _ := s.Resolve(context.Background(), "ofac:900006")
	page, _ := s.Relationships(context.Background(), id, graph.RelQuery{Kinds: []graph.RelType{graph.RelLinkedTo}})
	if len(page.Relationships) != 1 {
		t.Errorf("links after delisting: %d", len(page.Relationships))
	}
	// Ingesting the same reduced version again changes nothing.
	sums, err = ingestFiles(t, s, ingest.Options{ListDate: "2026-11-20"}, reduced)
	if err != nil || len(sums[0].List.Delisted) != 0 || sums[0].Updated != 0 {
		t.Errorf("second ingest of the same version: %v %+v", err, sums)
	}
	// Listed again.
	if _, err := ingestFiles(t, s, ingest.Options{}, full); err != nil {
		t.Fatal(err)
	}
	if ds := designationsOf(t, s, "ofac:900006"); ds[0].EndDate() != "" {
		t.Errorf("relisted designation still ended: %+v", ds[0].Props)
	}
}

// A file that lacks a large share of the list is refused unless the user
// says it is partial (no delisting) or allows it.
func TestListVersionMassDelistRefused(t *testing.T) {
	path := graphtest.SharedData(t, "ofac/sdn.csv")
	s := storetest.Open(t, store.Options{})
	if _, err := ingestFiles(t, s, ingest.Options{}, path); err != nil {
		t.Fatal(err)
	}
	// The 2021 list lacks thousands of the 2024 entries.
	old := graphtest.SharedData(t, "watchman/ofac-2021-07-bench/sdn.csv")
	_, err := ingestFiles(t, s, ingest.Options{}, old)
	var fe *ingest.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "--partial") {
		t.Fatalf("mass delisting: %v", err)
	}
	ds := designationsOf(t, s, "ofac:15603")
	for _, d := range ds {
		if d.EndDate() != "" {
			t.Errorf("refused file delisted FTB: %+v", d.Props)
		}
	}
	sums, err := ingestFiles(t, s, ingest.Options{Partial: true}, old)
	if err != nil || len(sums[0].List.Delisted) != 0 || sums[0].List.DelistSkipped == "" {
		t.Errorf("partial: %v %+v", err, sums[0].List)
	}
}

// The next version of a list that states its date on every entry (the
// UN's) changes only the entries whose content changed: an entry that
// differs only in its source's date is unchanged and keeps the date of
// the version that first stated it so.
func TestListVersionDateOnlyUnchanged(t *testing.T) {
	orig, err := os.ReadFile(graphtest.SharedData(t, "un/UN_consolidated_2026-02-27.xml"))
	if err != nil {
		t.Fatal(err)
	}
	next := bytes.Replace(orig, []byte(`dateGenerated="2026-02-27`), []byte(`dateGenerated="2026-02-28`), 1)
	// One real change in the next version: an entry's comment.
	const comment = "<COMMENTS1>"
	at := bytes.Index(next, []byte(comment))
	if bytes.Equal(next, orig) || at < 0 {
		t.Fatal("the UN file changed shape: no dateGenerated or COMMENTS1")
	}
	next = slices.Concat(next[:at+len(comment)], []byte("Added in this test. "), next[at+len(comment):])
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "un1.xml"), filepath.Join(dir, "un2.xml")
	if os.WriteFile(p1, orig, 0o644) != nil || os.WriteFile(p2, next, 0o644) != nil {
		t.Fatal("write")
	}
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, p1)
	if err != nil {
		t.Fatal(err)
	}
	n := sums[0].Added
	sums, err = ingestFiles(t, s, ingest.Options{}, p2)
	if err != nil {
		t.Fatal(err)
	}
	if got := sums[0]; got.Updated != 1 || got.Unchanged != n-1 || got.List == nil || got.List.Date != "2026-02-28" {
		t.Errorf("the next version: updated %d, unchanged %d of %d, list %+v; want 1 updated, the rest unchanged, dated 2026-02-28", got.Updated, got.Unchanged, n, got.List)
	}
}
