package main

import (
	"encoding/json"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli/clitest"
)

// The load test runs end to end on a small network: both phases send
// requests, every one is answered with 200 and without errors (a path is
// read on the snapshot it was found on, so an ingest rewriting it meanwhile
// cannot tear the answer), and the ingest during the load finishes.
func TestLoadTestSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server under load")
	}
	out, stderr, err := clitest.Run(t, Run, "loadtest", "--entities", "5000", "--clients", "4", "--duration", "1s", "--dir", t.TempDir(), "--json")
	if err != nil {
		t.Fatalf("loadtest: %v\n%s", err, stderr)
	}
	var rep loadReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rep.Phases) != 2 {
		t.Fatalf("phases %+v", rep.Phases)
	}
	for _, p := range rep.Phases {
		if p.Requests == 0 || p.Statuses["200"] != p.Requests || p.Latency.P99 < p.Latency.P50 || p.PerSecond <= 0 {
			t.Errorf("phase %+v", p)
		}
		if len(p.Errors) > 0 {
			t.Errorf("phase %s: errors %v", p.Name, p.Errors)
		}
	}
	if p := rep.Phases[1]; p.IngestCount < rep.Records/2 || p.IngestRate <= 0 {
		t.Errorf("ingest during load: %+v (network of %d records)", p, rep.Records)
	}
	if _, _, err := clitest.Run(t, Run, "loadtest", "--clients", "0"); cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("--clients 0: %v", err)
	}
}
