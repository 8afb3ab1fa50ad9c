package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli/clitest"
)

// The bench command runs end to end on a small network: every answer of
// the server has the hop count of the plain BFS baseline, before and after
// a restart, and the restart loads the index the clean stop saved.
func TestBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	out, stderr, err := clitest.Run(t, Run, "bench", "--server", server, "--entities", "20000", "--queries", "60", "--dir", t.TempDir(), "--json")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr)
	}
	var reps []struct {
		Records         int
		Queries         int
		Reachable       int                        `json:"pairsWithAPath"`
		Correct         int                        `json:"correctHopCounts"`
		ReopenCorrect   int                        `json:"correctHopCountsAfterReopen"`
		K1              struct{ P50, P99 float64 } `json:"graphqlK1"`
		BFS             struct{ P50, P99 float64 } `json:"plainBidirectionalBFS"`
		ServerRSS       int64                      `json:"serverRSSBytes"`
		IngestRate      float64                    `json:"ingestRecordsPerSecond"`
		IngestPeakRSS   int64                      `json:"ingestPeakRSSBytes"`
		BaselineLoadSec float64                    `json:"baselineLoadSeconds"`
		IndexBuildSec   float64                    `json:"indexBuildSeconds"`
		IndexLoadSec    float64                    `json:"indexLoadSeconds"`
		IndexFileBytes  int64                      `json:"indexFileBytes"`
	}
	if err := json.Unmarshal([]byte(out), &reps); err != nil || len(reps) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	rep := reps[0]
	if rep.Records < 40000 || rep.K1.P50 <= 0 || rep.K1.P99 < rep.K1.P50 || rep.ServerRSS <= 0 || rep.IngestRate <= 0 ||
		rep.IngestPeakRSS <= 0 || rep.BaselineLoadSec <= 0 {
		t.Errorf("report = %+v", rep)
	}
	if rep.Correct != rep.Queries || rep.ReopenCorrect != rep.Queries || rep.Reachable == 0 || rep.Reachable == rep.Queries {
		t.Errorf("hop counts: %d and %d (after reopen) of %d agree with the baseline; %d pairs reachable", rep.Correct, rep.ReopenCorrect, rep.Queries, rep.Reachable)
	}
	if rep.IndexBuildSec <= 0 || rep.IndexLoadSec <= 0 || rep.IndexFileBytes <= 0 {
		t.Errorf("first open should build the index, the second load the file the first saved: %+v", rep)
	}
}

// Without --server, bench builds the server from the source around it, or
// else takes the sanctionsgraph beside sgbench; with neither it says how
// to name one.
func TestFindServer(t *testing.T) {
	ctx := context.Background()
	logf := func(f string, a ...any) { t.Logf(f, a...) }
	if _, err := findServer(ctx, filepath.Join(t.TempDir(), "none"), t.TempDir(), "", logf); cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("--server of a missing file: %v", err)
	}
	if got, err := findServer(ctx, server, t.TempDir(), "", logf); got != server || err != nil {
		t.Errorf("findServer(--server %s) = %s, %v", server, got, err)
	}
	if !testing.Short() {
		dir := t.TempDir()
		bin, err := findServer(ctx, "", dir, "", logf)
		if err != nil || bin != filepath.Join(dir, "sanctionsgraph") {
			t.Fatalf("findServer() in the module = %s, %v; want one built in %s", bin, err, dir)
		}
		if out, err := exec.Command(bin, "help").Output(); err != nil || !strings.Contains(string(out), "usage: sanctionsgraph") {
			t.Errorf("the built server: %v\n%s", err, out)
		}
	}

	// No go to build with: the binary beside sgbench, else an error.
	t.Setenv("PATH", "")
	installed := t.TempDir()
	self := filepath.Join(installed, "sgbench")
	if _, err := findServer(ctx, "", t.TempDir(), self, logf); err == nil || !strings.Contains(err.Error(), "--server PATH") {
		t.Errorf("no source and nothing beside sgbench: %v", err)
	}
	os.WriteFile(filepath.Join(installed, "sanctionsgraph"), []byte("#!/bin/sh\n"), 0o755)
	if got, err := findServer(ctx, "", t.TempDir(), self, logf); got != filepath.Join(installed, "sanctionsgraph") || err != nil {
		t.Errorf("findServer() beside sgbench = %s, %v", got, err)
	}
}
