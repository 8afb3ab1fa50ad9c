package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
)

// FuzzFindingsCSV feeds arbitrary findings CSV files to the reader. It must
// never panic; a file it refuses is refused with a FileError naming it; a
// row it rejects is named by line and field; a relationship it accepts has
// both ends and a source, as ingest/FINDINGS.md requires.
//
//	go test -run='^$' -fuzz=FuzzFindingsCSV -fuzztime=60s ./ingest
func FuzzFindingsCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/findings.csv"); err == nil {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte("record,id\nentity,x\n"))
	f.Add([]byte("record,id,schema,name,from,to,kind,source_url\nrelationship,r,,,a,b,owns,\n"))
	f.Add([]byte("record,id,schema,name\n\"unterminated,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, sum, err := ReadFindings(context.Background(), "fuzz.csv", bytes.NewReader(data), Options{})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "fuzz.csv" || fe.Msg == "" {
				t.Fatalf("error %v is not a FileError naming the file", err)
			}
			return
		}
		for _, e := range sum.Rejects {
			if e.File != "fuzz.csv" || e.Line < 1 || e.Msg == "" {
				t.Fatalf("badly located reject %+v", e)
			}
		}
		for _, rec := range recs {
			if checkRef(rec.Ref) != "" {
				t.Fatalf("accepted record with bad ref %q", rec.Ref)
			}
			for _, r := range rec.Relationships {
				if r.SourceRef == "" || r.TargetRef == "" || !r.Kind.Valid() || len(r.Sources) == 0 {
					t.Fatalf("accepted relationship without ends, kind or source: %+v", r)
				}
			}
		}
	})
}
