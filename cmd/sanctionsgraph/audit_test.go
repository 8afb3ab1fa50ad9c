package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

func TestAuditCommand(t *testing.T) {
	db := t.TempDir()
	if _, stderr, err := run(t, "ingest", "--db", db, "--demo"); err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	st := storetest.OpenDir(t, db, store.Options{GCInterval: -1})
	ctx := context.Background()
	src := graph.Source{URL: "https://example.org/pr", Date: "2019-06-19", Quote: "opened accounts"}
	e, _, err := st.AddEntity(ctx, "alice", &graph.Entity{Schema: "Company", Props: map[string][]string{"name": {"Sea Star"}}}, src)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := st.AddRelationship(ctx, "bob", &graph.Relationship{Kind: graph.RelOpenedAccountsFor, SourceRef: "demo-rfs", TargetRef: e.Ref}, src)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Retract(ctx, "bob", r.Ref, "misread the press release", src); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, stderr, err := run(t, "audit", "--db", db)
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	for _, want := range []string{"#1  ", "alice  add-entity", e.Ref + "  (new) -> active v1  Sea Star [Company]",
		"bob  add-relationship", "demo-rfs -[opened-accounts-for]-> " + e.Ref, "#3  ", "reason: misread the press release",
		r.Ref + "  active v1 -> retracted v2"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "audit", "--db", db, "--who", "bob", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("audit --who bob --json: %d lines, want 2:\n%s", len(lines), out)
	}
	var entry store.AuditEntry
	if err := json.Unmarshal([]byte(lines[1]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry.Who != "bob" || entry.Action != "retract" || entry.Changes[0].Before.Status != "active" || entry.Changes[0].After.Status != "retracted" {
		t.Errorf("audit entry = %+v", entry)
	}
	if out, _, _ := run(t, "audit", "--db", db, "--id", e.Ref); strings.Count(out, "#") != 1 {
		t.Errorf("audit --id: %s", out)
	}
	if out, _, _ := run(t, "audit", "--db", db, "--since", "2999-01-01"); !strings.Contains(out, "no audit entries") {
		t.Errorf("audit --since in the future: %s", out)
	}
	if out, _, err := run(t, "audit", "--db", db, "--verify"); err != nil || !strings.Contains(out, "ok: 2 findings (1 active, 1 retracted), 3 audit entries") {
		t.Errorf("audit --verify: %v %s", err, out)
	}
	if out, _, err := run(t, "check", "--db", db); err != nil || !strings.Contains(out, "2 findings (1 active, 1 retracted) and 3 audit entries agree") {
		t.Errorf("check: %v %s", err, out)
	}
	if _, _, err := run(t, "audit", "--db", db, "--since", "yesterday"); cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("audit --since yesterday: %v", err)
	}
}
