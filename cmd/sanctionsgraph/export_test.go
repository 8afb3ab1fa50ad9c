package main

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	if out, stderr, err := run(t, "ingest", "--db", db, "--demo"); err != nil {
		t.Fatalf("ingest --demo: %v\n%s\n%s", err, out, stderr)
	}
	// FtM to a file, ingested into a new store, exports the same again.
	first := filepath.Join(dir, "first.ftm.json")
	_, stderr, err := run(t, "export", "--db", db, "--seed", "demo-rfs", "--seed", "demo-korea-zinc", "--hops", "2", "--format", "ftm", "--out", first)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "exported ") || strings.Contains(stderr, "incomplete") {
		t.Errorf("stderr = %q", stderr)
	}
	db2 := filepath.Join(dir, "db2")
	if out, stderr, err := run(t, "ingest", "--db", db2, "--strict", first); err != nil {
		t.Fatalf("ingest the export: %v\n%s\n%s", err, out, stderr)
	}
	second, stderr, err := run(t, "export", "--db", db2, "--seed", "demo-rfs", "--seed", "demo-korea-zinc", "--hops", "2", "--format", "ftm")
	if err != nil {
		t.Fatalf("export of the re-ingested store: %v\n%s", err, stderr)
	}
	firstBytes, _ := os.ReadFile(first)
	if len(firstBytes) == 0 || string(firstBytes) != second {
		t.Errorf("export -> ingest -> export differs:\n%s\n---\n%s", firstBytes, second)
	}

	// A path export as GraphML, and the neighbourhood as a CSV zip.
	out, stderr, err := run(t, "export", "--db", db, "--from", "demo-rfs", "--to", "demo-ftb", "--k", "2", "--format", "graphml")
	if err != nil {
		t.Fatalf("path export: %v\n%s", err, stderr)
	}
	var doc struct {
		Nodes []struct {
			ID string `xml:"id,attr"`
		} `xml:"graph>node"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil || len(doc.Nodes) < 3 {
		t.Errorf("path GraphML: %v, %d nodes", err, len(doc.Nodes))
	}
	zipFile := filepath.Join(dir, "x.csv.zip")
	if _, stderr, err := run(t, "export", "--db", db, "--seed", "demo-ftb", "--format", "csv", "--out", zipFile, "--limit", "2"); err != nil {
		t.Fatalf("csv export: %v\n%s", err, stderr)
	} else if !strings.Contains(stderr, "incomplete: limits reached: entities") {
		t.Errorf("a limited export does not warn: %q", stderr)
	}
	b, _ := os.ReadFile(zipFile)
	if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err != nil || len(zr.File) != 4 {
		t.Errorf("csv zip: %v", err)
	}

	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--seed", "demo-ftb"}, cli.ExitUsage, "--format"},
		{[]string{"--seed", "demo-ftb", "--format", "svg"}, cli.ExitUsage, "--format"},
		{[]string{"--seed", "demo-ftb", "--format", "dot", "--hops", "9"}, cli.ExitUsage, "--hops"},
		{[]string{"--seed", "demo-ftb", "--format", "dot", "--via", "owns,likes"}, cli.ExitUsage, "--via"},
		{[]string{"--from", "demo-ftb", "--format", "dot"}, cli.ExitUsage, "--to"},
		{[]string{"--seed", "nobody", "--format", "dot", "--out", filepath.Join(dir, "none.dot")}, cli.ExitFailed, `--seed: no entity has the id, identifier or name "nobody"`},
	}
	for _, tt := range tests {
		_, _, err := run(t, append([]string{"export", "--db", db}, tt.args...)...)
		if cli.ExitCode(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("export %v: exit %d %v, want %d naming %s", tt.args, cli.ExitCode(err), err, tt.code, tt.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "none.dot")); err == nil {
		t.Errorf("a failed export left a file")
	}
}
