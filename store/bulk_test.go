package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// bulkRecords exercise what a bulk run must get as the transactional path
// does: shared nodes two records ensure, a record repeated with other
// content (its last version stands), a record repeated unchanged, a record
// deleted after it was added, relationships, held documents.
func bulkRecords() [][]graph.Record {
	authority := graph.Entity{Ref: "authority:test", Schema: graph.SchemaAuthority, Caption: "Test Authority",
		Props: map[string][]string{"name": {"Test Authority"}}}
	listed := func(ref, name string) graph.Record {
		r := company(ref, name, map[string][]string{"registrationNumber": {"REG-" + ref}})
		r.Ensure = []graph.Entity{authority}
		r.Relationships = append(r.Relationships, graph.Relationship{Ref: ref + "#designated", Kind: graph.RelDesignatedBy,
			SourceRef: ref, TargetRef: "authority:test", Sources: []graph.Source{{Dataset: "test"}}})
		return r
	}
	held := graph.Record{Ref: "passport-1", Held: &graph.Entity{Ref: "passport-1", Schema: "Passport",
		Props: map[string][]string{"number": {"P1234567"}}}, Holders: []string{"c1", "c2"}}
	var batches [][]graph.Record
	var b []graph.Record
	for i := 0; i < 300; i++ {
		b = append(b, listed(fmt.Sprintf("c%d", i), fmt.Sprintf("Company Number %d Trading", i)))
		if i > 0 {
			b = append(b, link(fmt.Sprintf("l%d", i), graph.RelOwns, fmt.Sprintf("c%d", i-1), fmt.Sprintf("c%d", i)))
		}
		if len(b) >= 97 {
			batches = append(batches, b)
			b = nil
		}
	}
	b = append(b, held,
		company("c5", "Renamed Company Five", nil), // repeated, other content
		listed("c7", "Company Number 7 Trading"),   // repeated, same content
		graph.Record{Ref: "l9", Delete: true},      // deleted after it was added
		graph.Record{Ref: "nothing", Delete: true}, // deleting what never was
	)
	return append(batches, b)
}

func applyBatches(t *testing.T, s *Store, batches [][]graph.Record) RunCounts {
	t.Helper()
	ctx := context.Background()
	run, err := s.BeginRun(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if _, err := run.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := run.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return run.Counts()
}

// A bulk run leaves exactly the keys and values the transactional path
// leaves, spilling to run files or not.
func TestBulkLoadEqualsTransactional(t *testing.T) {
	batches := bulkRecords()
	want := mustOpen(t)
	wantCounts := applyBatches(t, want, batches)
	wantDump := dump(t, want)
	for _, chunk := range []int{1 << 30, 4 << 10} { // in memory; spilled to many runs
		t.Run(fmt.Sprintf("chunk=%d", chunk), func(t *testing.T) {
			old := bulkChunkBytesVar
			bulkChunkBytesVar = chunk
			defer func() { bulkChunkBytesVar = old }()
			dir := t.TempDir()
			s, err := Open(context.Background(), dir, Options{GCInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !s.bulkPossible() {
				t.Fatal("a fresh store on disk does not load in bulk")
			}
			counts := applyBatches(t, s, batches)
			runs, _ := s.Runs(context.Background())
			if len(runs) != 1 || !runs[0].Bulk || runs[0].State != RunCommitted {
				t.Fatalf("runs %+v, want one committed bulk run", runs)
			}
			if got := dump(t, s); !reflect.DeepEqual(got, wantDump) {
				t.Errorf("bulk store differs from the transactional one: %d keys vs %d; %s", len(got), len(wantDump), dumpDiff(got, wantDump))
			}
			// A record repeated unchanged counts as updated in bulk.
			if counts.Added != wantCounts.Added || counts.Missing != wantCounts.Missing || counts.Deleted != wantCounts.Deleted ||
				counts.Updated != wantCounts.Updated+wantCounts.Unchanged {
				t.Errorf("counts %+v, want %+v", counts, wantCounts)
			}
			if _, err := os.Stat(filepath.Join(dir, bulkDirName)); !os.IsNotExist(err) {
				t.Errorf("temporary folder left: %v", err)
			}
			// The next run is transactional and sees the bulk run's data.
			if s.bulkPossible() {
				t.Error("a store with records would load in bulk")
			}
			if outs := apply(t, s, company("c1", "Company Number 1 Trading", map[string][]string{"registrationNumber": {"REG-c1"}})); outs[0] == graph.Added {
				t.Errorf("c1 after the bulk run: %v", outs)
			}
		})
	}
}

func dumpDiff(a, b map[string]string) string {
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return fmt.Sprintf("first difference at key %q: %q vs %q (present %v)", k, v, w, ok)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			return fmt.Sprintf("key %q missing", k)
		}
	}
	return ""
}

// A crash while the bulk run streams (the marker file is there) leaves a
// store that Open puts back as it was before the run.
func TestBulkLoadInterruptedRollsBack(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run, err := s.BeginRun(ctx, "bulk")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bulkRecords() {
		if _, err := run.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// Stream as Commit does, but stop before the marker is removed: the
	// state a kill -9 during the stream leaves, at its worst.
	run.info.State = RunCommitted
	if err := run.commitBulkUntilMarker(ctx); err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	s2, err := Open(ctx, dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if d := dump(t, s2); len(d) != 1 { // the version key alone
		t.Errorf("store after the interrupted bulk run holds %d keys: %v", len(d), sha256.Sum256([]byte(fmt.Sprint(d))))
	}
	runs, _ := s2.Runs(ctx)
	if len(runs) != 1 || runs[0].State != RunRolledBack {
		t.Errorf("runs %+v, want the bulk run rolled back", runs)
	}
	if _, err := os.Stat(filepath.Join(dir, bulkMarkerName)); !os.IsNotExist(err) {
		t.Errorf("marker left: %v", err)
	}
}

// sortChunk orders entries by their whole key, then by version, whatever
// their lengths around the 16 bytes its prefixes hold.
func TestSortChunk(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	c := newBulkChunk()
	for i := range 20000 {
		k := make([]byte, r.IntN(34))
		for j := range k {
			k[j] = "\x00\x01ab\xff"[r.IntN(5)]
		}
		c.add(k, []byte{byte(i)}, uint32(r.IntN(50)))
	}
	sortChunk(&c)
	for i := 1; i < len(c.entries); i++ {
		a, b := c.entries[i-1], c.entries[i]
		if d := bytes.Compare(c.key(a), c.key(b)); d > 0 || d == 0 && a.seq > b.seq {
			t.Fatalf("entry %d (%q, %d) sorts before (%q, %d)", i-1, c.key(a), a.seq, c.key(b), b.seq)
		}
	}
}

// appendStreamKV writes what badger.KVToBuffer writes.
func TestAppendStreamKV(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	bytesOf := func(n int) []byte {
		if n == 0 {
			return nil
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	for i := range 2000 {
		key, val := bytesOf(r.IntN(300)), bytesOf([]int{0, 1, 8, 127, 128, 200, 20000}[r.IntN(7)])
		stream, done := uint32(r.IntN(3)), i%7 == 0
		if i%5 == 0 {
			stream = uint32(r.Uint64())
		}
		kv := &pb.KV{Key: key, Value: val, Version: 1, StreamId: stream}
		if done {
			key, val, kv = nil, nil, &pb.KV{StreamId: stream, StreamDone: true}
		}
		want, got := z.NewBuffer(1<<10, "test"), z.NewBuffer(1<<10, "test")
		badger.KVToBuffer(kv, want)
		appendStreamKV(got, key, val, stream, done)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%+v: appendStreamKV wrote %x, KVToBuffer %x", kv, got.Bytes(), want.Bytes())
		}
		want.Release()
		got.Release()
	}
}
