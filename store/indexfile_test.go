package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// logBuffer collects a store's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	b.buf.Reset()
	return s
}

// indexHow opens dir with its index and reports how the index came to be:
// "loaded" from the file or "built" from Badger.
func indexHow(t *testing.T, dir string, logs *logBuffer) (*Store, string) {
	t.Helper()
	s := openIn(t, dir, Options{Index: true, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	out := logs.take()
	switch {
	case strings.Contains(out, `msg="graph index loaded"`):
		return s, "loaded"
	case strings.Contains(out, `msg="graph index built"`):
		return s, "built"
	}
	t.Fatalf("no index log line in:\n%s", out)
	return nil, ""
}

// assertSameAsRebuilt checks that s's index equals one built from Badger
// now, in its graph, its names (search answers) and its merged parties.
func assertSameAsRebuilt(t *testing.T, s *Store, when string) {
	t.Helper()
	ctx := context.Background()
	sn := s.newSnapshot(s.parties())
	defer sn.release()
	built, err := s.buildIndex(ctx, sn)
	if err != nil {
		t.Fatal(err)
	}
	live := s.Index()
	ln, ll := live.Contents()
	bn, bl := built.Contents()
	if !reflect.DeepEqual(ln, bn) || !reflect.DeepEqual(ll, bl) {
		t.Fatalf("%s: index differs from one rebuilt from Badger: %d/%d entities, %d/%d links", when, len(ln), len(bn), len(ll), len(bl))
	}
	for _, q := range []string{"company 17", "renamed", "holding", "company", "c0mpany 5"} {
		a, err1 := live.SearchNames(ctx, graph.SearchQuery{Text: q, Limit: 50})
		b, err2 := built.SearchNames(ctx, graph.SearchQuery{Text: q, Limit: 50})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: search %q: loaded %v %v, rebuilt %v %v", when, q, a, err1, b, err2)
		}
	}
	q := graph.PathQuery{From: graph.KeyFor("c0"), To: graph.KeyFor("c40"), K: 3, MaxHops: 6}
	a, err1 := live.Paths(ctx, q)
	b, err2 := built.Paths(ctx, q)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("%s: paths: loaded %+v %v, rebuilt %+v %v", when, a, err1, b, err2)
	}
}

func TestIndexFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	logs := &logBuffer{}
	s, how := indexHow(t, dir, logs)
	if how != "built" {
		t.Fatalf("a new store's index was %s", how)
	}
	var recs []graph.Record
	for i := 0; i < 60; i++ {
		recs = append(recs, company(fmt.Sprintf("c%d", i), fmt.Sprintf("Company %d Holding", i), nil))
		if i > 0 {
			recs = append(recs, link(fmt.Sprintf("l%d", i), graph.RelOwns, fmt.Sprintf("c%d", i-1), fmt.Sprintf("c%d", i)))
		}
	}
	apply(t, s, recs...)
	if _, err := s.Merge(ctx, graph.KeyFor("c3"), graph.KeyFor("c30"), "test: same registration number", "test"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := filepath.Join(dir, indexFileName)
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("Close wrote no index file: %v", err)
	}

	// 1. Reopened after a clean close: loaded, and the same as rebuilt.
	s, how = indexHow(t, dir, logs)
	if how != "loaded" {
		t.Fatalf("after a clean close the index was %s", how)
	}
	assertSameAsRebuilt(t, s, "loaded")
	if res, err := s.Paths(ctx, graph.PathQuery{From: graph.KeyFor("c0"), To: graph.KeyFor("c33"), K: 1, MaxHops: 6}); err != nil || len(res.Paths) != 1 || len(res.Paths[0].Entities) != 7 {
		t.Errorf("path c0..c33 through the merged c3=c30: %+v %v", res, err)
	}
	// Nothing written: Close keeps the file as it is.
	before, _ := os.Stat(file)
	s.Close()
	if out := logs.take(); strings.Contains(out, "graph index saved") {
		t.Errorf("unchanged index written again:\n%s", out)
	}
	after, _ := os.Stat(file)
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("unchanged index file rewritten")
	}

	// 2. A write by a process that opens the store without its index (the
	// ingest command) makes the file stale.
	s = openIn(t, dir, Options{})
	apply(t, s, company("c61", "Company 61 Holding", nil), link("l61", graph.RelOwns, "c60", "c61"), graph.Record{Ref: "c7", Delete: true})
	s.Close()
	s, how = indexHow(t, dir, logs)
	if how != "built" {
		t.Fatalf("after a write without the index, the stale file was %s", how)
	}
	assertSameAsRebuilt(t, s, "after a write without the index")
	if n, _ := s.Index().Contents(); n[graph.KeyFor("c61")] == "" || n[graph.KeyFor("c7")] != "" {
		t.Errorf("the rebuilt index misses the writes made without it")
	}
	// A write with the index open is saved at Close.
	apply(t, s, company("c1", "Renamed", nil))
	s.Close()
	s, how = indexHow(t, dir, logs)
	if how != "loaded" {
		t.Fatalf("after writes with the index, reopened index was %s", how)
	}
	assertSameAsRebuilt(t, s, "written at close after writes")

	// 3. A process that dies (no Close) leaves no token: the file it
	// loaded is not trusted afterwards, though it is still there.
	apply(t, s, company("c62", "Company 62 Holding", nil))
	s.commitMu.Lock()
	s.closeIndex()
	s.db.Close() // as kill -9 would: no saveIndex
	s.commitMu.Unlock()
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	s, how = indexHow(t, dir, logs)
	if how != "built" {
		t.Fatalf("after a crash the index was %s", how)
	}
	assertSameAsRebuilt(t, s, "after a crash")
	s.Close()

	// 4. A damaged file is refused (checksum) and rebuilt.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, how = indexHow(t, dir, logs)
	if how != "built" {
		t.Fatalf("a damaged file was %s", how)
	}
	assertSameAsRebuilt(t, s, "after damage")
	s.Close()

	// 5. A store closed with an ingest run still open (a batch in flight
	// or not) closes, and its next open rolls the run back and rebuilds
	// the index rather than load one that holds the run's records.
	for _, pending := range []bool{true, false} {
		s, _ = indexHow(t, dir, logs)
		run, err := s.BeginRun(ctx, "left open")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run.Apply(ctx, []graph.Record{company("open1", "Left Open Holding", nil)}); err != nil {
			t.Fatal(err)
		}
		if !pending {
			if err := run.wait(); err != nil { // the batch committed, the run still open
				t.Fatal(err)
			}
		}
		s.Close()
		s, how = indexHow(t, dir, logs)
		if how != "built" {
			t.Errorf("after a close with a run open (batch pending %v) the index was %s", pending, how)
		}
		if n, _ := s.Index().Contents(); n[graph.KeyFor("open1")] != "" {
			t.Errorf("the rolled-back run's record is in the index (batch pending %v)", pending)
		}
		assertSameAsRebuilt(t, s, "after a close with a run open")
		s.Close()
	}

	// 6. A read-only open uses the file and leaves the token in place.
	ro := openIn(t, dir, Options{Index: true, ReadOnly: true, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if out := logs.take(); !strings.Contains(out, "graph index loaded") {
		t.Errorf("read-only open did not load the file:\n%s", out)
	}
	ro.Close()
	s, how = indexHow(t, dir, logs)
	if how != "loaded" {
		t.Errorf("after a read-only open the index was %s", how)
	}
	var _ *index.Index = s.Index()
}
