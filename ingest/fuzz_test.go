package ingest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

// FuzzParseFTM feeds arbitrary lines to the FtM parser, seeded with real
// lines of every shared FtM file and the demo data. The parser must never
// panic, and whatever it accepts must be a well-formed record.
//
//	go test -run='^$' -fuzz=FuzzParseFTM -fuzztime=60s ./ingest
func FuzzParseFTM(f *testing.F) {
	for _, l := range strings.Split(string(demoData), "\n") {
		f.Add([]byte(l))
	}
	dir := filepath.Join(graphtest.SharedDir(), "opensanctions")
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !(strings.HasSuffix(p, ".ftm.json") || strings.HasSuffix(p, ".delta.json")) {
			return nil
		}
		fh, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for n := 0; n < 40 && sc.Scan(); n++ {
			f.Add(append([]byte(nil), sc.Bytes()...))
		}
		return nil
	})
	f.Add([]byte(`{"op":"DEL","entity":{"id":"x"}}`))
	f.Add([]byte(`{"id":"a","schema":"Ownership","properties":{"owner":["b"],"asset":["c","d"]}}`))
	f.Add([]byte(`{"id":"s","schema":"Sanction","properties":{"entity":["e"],"authority":"OFAC","program":[5]}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, info, rerr := parseFTMLine(line, "fuzz.json", 1, "fuzz")
		if rerr != nil {
			if rerr.Line != 1 || rerr.File != "fuzz.json" || rerr.Msg == "" {
				t.Fatalf("badly located error %+v", rerr)
			}
			return
		}
		if info == nil || checkRef(rec.Ref) != "" {
			t.Fatalf("accepted record with bad ref %q", rec.Ref)
		}
		if rec.Delete {
			return
		}
		if rec.Entity == nil && rec.Held == nil && len(rec.Relationships) == 0 {
			t.Fatalf("accepted record %q contributes nothing", rec.Ref)
		}
		if rec.Held != nil && len(rec.Holders) == 0 {
			t.Fatalf("held document %q without holder", rec.Ref)
		}
		for _, r := range rec.Relationships {
			if checkRef(r.SourceRef) != "" || checkRef(r.TargetRef) != "" || checkRef(r.Ref) != "" || !r.Kind.Valid() {
				t.Fatalf("bad relationship %+v", r)
			}
		}
		for _, e := range rec.Ensure {
			if checkRef(e.Ref) != "" || e.Schema == "" {
				t.Fatalf("bad ensured node %+v", e)
			}
		}
	})
}
