// Package graphtest has helpers for tests of every sanctionsgraph package:
// finding the shared public data sets and building small graphs.
package graphtest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedDir returns the shared data directory: $SANCTIONSGRAPH_SHARED_DATA if
// set, else ../shared/data beside the repository.
func SharedDir() string {
	if d := os.Getenv("SANCTIONSGRAPH_SHARED_DATA"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// file is <repo>/graph/graphtest/graphtest.go
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
}

// SharedData returns the path of rel inside the shared data directory. If
// the file is missing the test fails when CI=true and is skipped otherwise:
// CI must never pass by skipping the real data.
func SharedData(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(SharedDir(), rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared data file missing in CI: %s: %v", p, err)
		}
		tb.Skipf("shared data file missing: %s", p)
	}
	return p
}
