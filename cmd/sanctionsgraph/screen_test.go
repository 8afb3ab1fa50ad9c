package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

func TestScreenCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if _, stderr, err := run(t, "ingest", "--db", db, "--demo"); err != nil {
		t.Fatalf("ingest --demo: %v\n%s", err, stderr)
	}
	out, stderr, err := run(t, "screen", "--db", db, "--country", "kp", "KOREA KWANGSON BANKING CORP")
	if err != nil {
		t.Fatalf("screen: %v\n%s", err, stderr)
	}
	for _, want := range []string{"demo-kkbc", "[designated]", "country kp match", "linked to designated Foreign Trade Bank of the DPRK (demo-ftb) in 1 hop(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen output lacks %q:\n%s", want, out)
		}
	}
	out, stderr, err = run(t, "screen", "--db", db, "--json", "--id", "FTBDKPPY")
	if err != nil {
		t.Fatalf("screen --id: %v\n%s", err, stderr)
	}
	var one screenOut
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatalf("screen --json: %v\n%s", err, out)
	}
	if len(one.Hits) != 1 || one.Hits[0].ID != "demo-ftb" || one.Hits[0].Score != 1 || !one.Hits[0].Sanctioned {
		t.Errorf("screen --id FTBDKPPY = %+v, want demo-ftb at 1, designated", one.Hits)
	}

	csvPath := filepath.Join(t.TempDir(), "names.csv")
	os.WriteFile(csvPath, []byte("ref,name,country,dob\nc1,Korea Kwangson Banking Corp,kp,\nc2,Nobody Whatsoever Existing,,\nc3,Someone,Atlantis,\n"), 0o644)
	out, stderr, err = run(t, "screen", "--db", db, "--json", "--file", csvPath)
	if err != nil {
		t.Fatalf("screen --file: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("screen --file printed %d lines, want 3:\n%s", len(lines), out)
	}
	var rows []screenOut
	for _, l := range lines {
		var r screenOut
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		rows = append(rows, r)
	}
	if rows[0].Ref != "c1" || rows[0].Line != 2 || len(rows[0].Hits) == 0 || rows[0].Hits[0].ID != "demo-kkbc" {
		t.Errorf("row c1 = %+v", rows[0])
	}
	if rows[1].Ref != "c2" || len(rows[1].Hits) != 0 || rows[1].Error != "" {
		t.Errorf("row c2 = %+v, want no hits", rows[1])
	}
	if rows[2].Ref != "c3" || !strings.Contains(rows[2].Error, "country") {
		t.Errorf("row c3 = %+v, want an error naming the country", rows[2])
	}
}

func TestScreenCommandUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"screen", "--db", db}, "give a NAME"},
		{[]string{"screen", "--db", db, "--threshold", "2", "x"}, "--threshold"},
		{[]string{"screen", "--db", db, "--dob", "1.1.1950", "x"}, "birthDate"},
		{[]string{"screen", "--db", db, "--file", filepath.Join(t.TempDir(), "missing.csv")}, "missing.csv"},
	}
	for _, tt := range tests {
		_, _, err := run(t, tt.args...)
		if cli.ExitCode(err) != cli.ExitUsage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: exit %d, %v; want usage error naming %s", tt.args, cli.ExitCode(err), err, tt.want)
		}
	}
}
