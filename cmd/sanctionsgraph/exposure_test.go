package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

func TestExposureCommand(t *testing.T) {
	db := t.TempDir()
	if _, stderr, err := run(t, "ingest", "--db", db, "testdata/exposure.ftm.json"); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	// B: A (blocked by X's 50%) holds 30%, Y holds 20% -> 50%: blocked.
	out, stderr, err := run(t, "exposure", "--db", db, "b")
	if err != nil {
		t.Fatalf("exposure: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"Beta Trading [Company] b",
		"blocked: yes (50 Percent Rule)",
		"held by blocked persons: 50%\n",
		"* 30%      Alpha Holding (a): owned 50% by blocked persons (Xavier Blocked 50%)",
		"* 20%      Yolanda Blocked (y): designated by US OFAC (IRAN)",
		"Xavier Blocked -[owns 50%]-> Alpha Holding -[owns 30%]-> Beta Trading",
		"-> 50% in aggregate: blocked.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposure b lacks %q:\n%s", want, out)
		}
	}

	// JSON, an unknown percentage, by name.
	out, stderr, err = run(t, "exposure", "--db", db, "--json", "Gamma Unknown")
	if err != nil {
		t.Fatalf("exposure --json: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, `"Gamma Unknown": name match Gamma Unknown [Company]`) {
		t.Errorf("stderr = %q", stderr)
	}
	var x struct {
		Entity          struct{ ID string }
		Blocked         bool
		PossiblyBlocked bool
		Complete        bool
		Percentage      float64
		MaxPercentage   float64
		Owners          []struct {
			Owner      struct{ ID string }
			Percentage *float64
			Counted    bool
		}
		Chains [][]struct {
			ID    string
			Holds string
		}
	}
	if err := json.Unmarshal([]byte(out), &x); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if x.Entity.ID != "c" || x.Blocked || !x.PossiblyBlocked || x.Complete || x.Percentage != 0 || x.MaxPercentage != 100 ||
		len(x.Owners) != 1 || x.Owners[0].Percentage != nil || !x.Owners[0].Counted || len(x.Chains) != 1 || x.Chains[0][0].Holds != "unknown" {
		t.Errorf("exposure --json c = %+v", x)
	}

	// Before the listings, nothing is blocked.
	out, _, err = run(t, "exposure", "--db", db, "--as-of", "2014-12-31", "b")
	if err != nil || !strings.Contains(out, "blocked: no") {
		t.Errorf("exposure --as-of 2014-12-31: %v\n%s", err, out)
	}

	for _, args := range [][]string{
		{"exposure", "--db", db},
		{"exposure", "--db", db, "--as-of", "2014/12/31", "b"},
		{"exposure", "--db", db, "--max-depth", "0", "b"},
		{"exposure", "--db", db, "--authority", "", "b"},
	} {
		if _, _, err := run(t, args...); cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("%v: exit %d (%v), want %d", args, cli.ExitCode(err), err, cli.ExitUsage)
		}
	}
	if _, _, err := run(t, "exposure", "--db", db, "zzzz-no-such"); cli.ExitCode(err) != cli.ExitFailed {
		t.Errorf("unknown entity: exit %d (%v)", cli.ExitCode(err), err)
	}
}
