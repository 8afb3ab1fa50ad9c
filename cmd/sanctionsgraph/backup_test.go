package main

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// storeDump is everything readers see in the store in db (storetest.Dump).
func storeDump(t *testing.T, db string) string {
	t.Helper()
	st := storetest.OpenDir(t, db, store.Options{GCInterval: -1})
	defer st.Close()
	return storetest.Dump(t, st)
}

// Online backup of a running server while mutations stream in, and of a
// quiet one; restore both with the real binary: the first restores to a
// consistent store, the second to one equal to the original (stats,
// entities, relationships, findings, audit log, check).
func TestBackupRestoreCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the server")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("backup-test:"+killToken+"\n"), 0o600)
	sg := func(args ...string) (string, error) {
		out, err := exec.Command(binary, args...).CombinedOutput()
		return string(out), err
	}
	if out, err := sg("ingest", "--db", db, "--demo"); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	base, srv, stderr := startServer(t, db, tokens)
	defer srv.Process.Kill()
	a := newAcked()
	var stop atomic.Bool
	var inflight atomic.Int32
	var wg sync.WaitGroup
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream(&http.Client{Timeout: 10 * time.Second}, base, "backup-"+string(rune('a'+c)), a, &stop, &inflight)
		}()
	}
	for len(acks(a)) < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	busy := filepath.Join(dir, "busy.backup")
	out, err := sg("backup", "--server", base, "--token-file", tokens, "--out", busy)
	if err != nil {
		t.Fatalf("backup --server: %v\n%s", err, out)
	}
	during := len(acks(a))
	stop.Store(true)
	wg.Wait()
	if during <= 20 {
		t.Logf("no write was acknowledged during the backup")
	}
	quiet := filepath.Join(dir, "quiet.backup")
	if out, err := sg("backup", "--server", base, "--token-file", tokens, "--out", quiet); err != nil {
		t.Fatalf("backup --server: %v\n%s", err, out)
	}
	// A wrong token gets no backup, and leaves no file behind.
	bad := filepath.Join(dir, "bad-tokens")
	os.WriteFile(bad, []byte("x:wrong-token-0123456789\n"), 0o600)
	if out, err := sg("backup", "--server", base, "--token-file", bad, "--out", filepath.Join(dir, "nope.backup")); err == nil || !strings.Contains(out, "401") {
		t.Errorf("backup with a wrong token: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.backup")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed backup left a file: %v", err)
	}
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Fatalf("server exit: %v\n%s", err, stderr)
	}
	// The busy backup restores to a consistent store: check passes, and
	// findings, graph and audit log agree.
	r1 := filepath.Join(dir, "restored-busy")
	if out, err := sg("restore", "--db", r1, busy); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := sg("check", "--db", r1); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Errorf("check of the restored busy backup: %v %s", err, out)
	}
	if n := verifyFindings(t, r1, newAcked(), 0); n == 0 {
		t.Error("the busy backup holds no findings")
	}
	// The quiet backup restores to a store equal to the original, and so
	// does an offline backup (--db) of the stopped server's store.
	offline := filepath.Join(dir, "offline.backup")
	if out, err := sg("backup", "--db", db, "--out", offline); err != nil {
		t.Fatalf("backup --db: %v\n%s", err, out)
	}
	wantStats, _ := sg("stats", "--db", db, "--json")
	wantAudit, _ := sg("audit", "--db", db, "--json")
	want := storeDump(t, db)
	for i, f := range []string{quiet, offline} {
		r := filepath.Join(dir, "restored-"+filepath.Base(f))
		if out, err := sg("restore", "--db", r, f); err != nil {
			t.Fatalf("restore %s: %v\n%s", f, err, out)
		}
		if got, _ := sg("stats", "--db", r, "--json"); got != wantStats {
			t.Errorf("backup %d: stats\n%s\nwant\n%s", i, got, wantStats)
		}
		if got, _ := sg("audit", "--db", r, "--json"); got != wantAudit || !strings.Contains(got, `"who":"backup-test"`) {
			t.Errorf("backup %d: audit log differs", i)
		}
		if out, err := sg("check", "--db", r); err != nil || !strings.HasPrefix(out, "ok:") {
			t.Errorf("backup %d: check: %v %s", i, err, out)
		}
		if got := storeDump(t, r); got != want {
			t.Errorf("backup %d: the restored store differs from the original", i)
		}
	}
	// restore refuses a directory that holds something.
	if out, err := sg("restore", "--db", db, quiet); err == nil || !strings.Contains(out, "not empty") {
		t.Errorf("restore over the live store: %v %s", err, out)
	}
	if out, err := sg("restore", "--db", filepath.Join(dir, "r-garbage"), tokens); err == nil || !strings.Contains(out, "not a sanctionsgraph backup") {
		t.Errorf("restore of a non-backup: %v %s", err, out)
	}
	t.Logf("%d writes acknowledged before the busy backup ended", during)
}
