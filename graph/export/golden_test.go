package export_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

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
