package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

// defaultDBDir is where the store lives without --db.
func defaultDBDir() string {
	if d := os.Getenv("SANCTIONSGRAPH_DB"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "sanctionsgraph")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "sanctionsgraph")
	}
	return "sanctionsgraph-data"
}

// newFlags makes the flag set of a command (see cli.NewFlags).
func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	return cli.NewFlags("sanctionsgraph", name, args, stderr)
}

// openStore opens the store in dir for writing; with mustExist, a missing
// store is an error rather than created empty. Read commands open for
// writing too, so that an ingest run a crash left unfinished is rolled back
// first (Badger allows one writer per directory either way).
func openStore(ctx context.Context, dir string, mustExist bool, logw io.Writer) (*store.Store, error) {
	return openStoreWith(ctx, dir, mustExist, logw, store.Options{})
}

// openStoreWith is openStore with more options (its Logger is set here).
func openStoreWith(ctx context.Context, dir string, mustExist bool, logw io.Writer, opt store.Options) (*store.Store, error) {
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if mustExist {
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
			return nil, fmt.Errorf("no store in %s (run 'sanctionsgraph ingest --db %s ...' first)", dir, dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	opt.Logger = log
	return store.Open(ctx, dir, opt)
}

// isTerminal reports whether w is a character device (progress lines are
// only drawn there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startCPUProfile writes a CPU profile of the process to path until the
// returned stop is called; with path empty it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
