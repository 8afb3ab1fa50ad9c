package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

func openDisk(t *testing.T, dir string) *store.Store {
	t.Helper()
	return storetest.OpenDir(t, dir, store.Options{Index: true, GCInterval: -1})
}

// A backup taken while mutations stream in restores to a store that is
// consistent (check passes, each finding is in the state its last audit
// entry says), and a backup of a quiet store restores to an equal store.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openDisk(t, filepath.Join(dir, "db"))
	storetest.LoadDemo(t, st)
	// Mutations run while the backup is written.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var mutErr error
	var written atomic.Int64
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			e, _, err := st.AddEntity(ctx, "writer", newCompany(fmt.Sprintf("Company %d", i)), pressRelease)
			if err == nil {
				_, _, err = st.AddRelationship(ctx, "writer", &graph.Relationship{Kind: graph.RelOwns, SourceRef: "demo-ftb", TargetRef: e.Ref}, pressRelease)
			}
			if err != nil {
				mutErr = err
				return
			}
			written.Add(1)
		}
	}()
	// Three backups, each taken while mutations ran since the one before.
	var backups []bytes.Buffer
	for tries := 0; len(backups) < 3 && tries < 2000; tries++ {
		before := written.Load()
		var buf bytes.Buffer
		if _, err := st.Backup(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		if written.Load() > before {
			backups = append(backups, buf)
		}
	}
	close(stop)
	wg.Wait()
	if mutErr != nil {
		t.Fatal(mutErr)
	}
	t.Logf("%d entity+relationship pairs written during %d backups", written.Load(), len(backups))
	if len(backups) < 3 {
		t.Fatalf("only %d backups overlapped with mutations", len(backups))
	}
	for i, buf := range backups {
		rdir := filepath.Join(dir, fmt.Sprintf("restored%d", i))
		if err := store.Restore(ctx, rdir, &buf); err != nil {
			t.Fatal(err)
		}
		rs := openDisk(t, rdir)
		mustCheck(t, rs)
		// Each finding is in the state of the last audit change for it:
		// the snapshot has no change without its entry nor the reverse.
		log, err := rs.Audit(ctx, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		last := map[string]*store.Finding{}
		for _, a := range log {
			for _, c := range a.Changes {
				last[c.Ref] = c.After
			}
		}
		n := 0
		err = rs.Findings(ctx, func(f *store.Finding) error {
			n++
			if want := last[f.Ref]; want == nil || want.Version != f.Version || want.Status != f.Status {
				t.Errorf("backup %d: finding %s at version %d, its last audit entry says %+v", i, f.Ref, f.Version, want)
			}
			return nil
		})
		if err != nil || n != len(last) {
			t.Errorf("backup %d: %d findings, %d in the audit log (%v)", i, n, len(last), err)
		}
		// Every relationship finding in the backup has its entity.
		for ref, f := range last {
			if f.Kind == store.KindRelationship {
				if _, err := rs.Entity(ctx, f.TargetID); err != nil {
					t.Errorf("backup %d: relationship %s without its target: %v", i, ref, err)
				}
			}
		}
		rs.Close()
	}
	// Quiet store: the restored copy equals the original.
	var buf bytes.Buffer
	if _, err := st.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	rdir := filepath.Join(dir, "restored-quiet")
	if err := store.Restore(ctx, rdir, &buf); err != nil {
		t.Fatal(err)
	}
	rs := openDisk(t, rdir)
	if got, want := storetest.Dump(t, rs), storetest.Dump(t, st); got != want {
		t.Errorf("restored store differs from the original")
	}
	gn, gl := rs.Index().Counts()
	wn, wl := st.Index().Counts()
	if gn != wn || gl != wl {
		t.Errorf("index counts %d, %d; want %d, %d", gn, gl, wn, wl)
	}
}

func TestRestoreRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
	err := store.Restore(context.Background(), dir, strings.NewReader(""))
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Restore into a non-empty dir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err != nil {
		t.Errorf("Restore touched the existing file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "new")
	if err := store.Restore(context.Background(), bad, strings.NewReader("not a backup")); err == nil {
		t.Error("Restore of garbage succeeded")
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a failed restore left %s behind: %v", bad, err)
	}
}
