package ingest_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// ingestFiles runs one ingest run over paths and commits it, or rolls it
// back and returns the error.
func ingestFiles(tb testing.TB, s *store.Store, opt ingest.Options, paths ...string) ([]*ingest.Summary, error) {
	tb.Helper()
	ctx := context.Background()
	run, err := s.BeginRun(ctx, strings.Join(paths, " "))
	if err != nil {
		tb.Fatal(err)
	}
	var sums []*ingest.Summary
	for _, p := range paths {
		sum, err := ingest.File(ctx, p, run, opt)
		if err != nil {
			if rerr := run.Rollback(ctx, err); rerr != nil {
				tb.Fatal(rerr)
			}
			return sums, err
		}
		sums = append(sums, sum)
	}
	return sums, run.Commit(ctx)
}

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestRecordErrorsNameFileLineField(t *testing.T) {
	lines := []string{
		`{"id":"p1","schema":"Person","properties":{"name":["Good"]}}`,
		``,
		`{"id":"","schema":"Person","properties":{}}`,
		`{"id":"p3","properties":{}}`,
		`{"id":"p4","schema":"Person","properties":{"name":[{"first":"x"}]}}`,
		`{"id":"o1","schema":"Ownership","properties":{"percentage":["5"]}}`,
		`{"id":"s1","schema":"Sanction","properties":{"authority":["OFAC"]}}`,
		`{"id":"p5","schema":"Person","properties":["name"]}`,
		`{"op":"UPSERT","entity":{"id":"x","schema":"Person"}}`,
		`{"id":"p6","schema":"Person" "properties":{}}`,
		`{"id":"pp","schema":"Passport","properties":{"number":["1"]}}`,
		`{"id":"p7","schema":"Person","properties":{"name":["Also good"]}}`,
	}
	p := writeFile(t, "bad.ftm.json", strings.Join(lines, "\n")+"\n")
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sums[0]
	want := []string{
		"bad.ftm.json:3: id: missing or empty id",
		"bad.ftm.json:4: schema: missing schema",
		"bad.ftm.json:5: properties.name: want a list of strings, got a JSON object",
		"bad.ftm.json:6: properties.owner: Ownership record has neither owner nor asset",
		"bad.ftm.json:7: properties.entity: Sanction record has no entity",
		"bad.ftm.json:8: properties: want an object of string lists, got array",
		"bad.ftm.json:9: op: unknown delta op \"UPSERT\" (want ADD, MOD or DEL)",
		"bad.ftm.json:10: invalid JSON at byte 30",
		"bad.ftm.json:11: properties.holder: Passport record has no holder",
	}
	if sum.Rejected != len(want) || sum.Added != 2 {
		t.Fatalf("rejected %d added %d, want %d and 2; rejects: %v", sum.Rejected, sum.Added, len(want), sum.Rejects)
	}
	for i, w := range want {
		got := sum.Rejects[i].Error()
		if !strings.Contains(got, w) {
			t.Errorf("reject %d = %q, want it to contain %q", i, got, w)
		}
	}
	// Strict mode refuses the whole file and changes nothing.
	s2 := storetest.Open(t, store.Options{})
	if _, err := ingestFiles(t, s2, ingest.Options{Strict: true}, p); err == nil || !strings.Contains(err.Error(), "bad.ftm.json:3: id:") {
		t.Fatalf("strict ingest error = %v", err)
	}
	if st, _ := s2.Stats(context.Background()); st.Entities != 0 {
		t.Errorf("strict failure left %d entities", st.Entities)
	}
}

func TestNotFTMIsRefused(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"sdn.csv", "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\n", "looks like CSV"},
		{"index.json", "{\n  \"datasets\": []\n}\n", "JSON document"},
		{"list.json", "[{\"id\":1}]\n", "JSON array"},
		{"x.xml", "<?xml version=\"1.0\"?><a/>\n", "looks like XML"},
		{"obj.json", "{\"name\":\"x\",\"foo\":1}\n", "without id and schema"},
		{"text.txt", "hello world\n", "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.Open(t, store.Options{})
			_, err := ingestFiles(t, s, ingest.Options{}, writeFile(t, tt.name, tt.content))
			var fe *ingest.FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("error = %v, want a FileError naming %s and saying %q", err, tt.name, tt.want)
			}
		})
	}
}

// A failed run changes nothing: entities stored before keep their exact
// state, and nothing of the failed file remains.
func TestFailedIngestLeavesStoreUnchanged(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	good := writeFile(t, "good.ftm.json", strings.Join([]string{
		`{"id":"a","schema":"Company","properties":{"name":["Alpha"]}}`,
		`{"id":"b","schema":"Company","properties":{"name":["Beta"]}}`,
		`{"id":"ab","schema":"Ownership","properties":{"owner":["a"],"asset":["b"],"percentage":["60"]}}`,
	}, "\n")+"\n")
	if _, err := ingestFiles(t, s, ingest.Options{}, good); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s, "a", "b")
	// The second file changes a and deletes the ownership, then ends in the
	// middle of a record.
	var buf strings.Builder
	buf.WriteString(`{"id":"a","schema":"Company","properties":{"name":["Alpha renamed"]}}` + "\n")
	buf.WriteString(`{"op":"DEL","entity":{"id":"ab"}}` + "\n")
	for i := 0; i < 3000; i++ { // several batches, so some were applied before the failure
		buf.WriteString(`{"id":"n` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `","schema":"Person","properties":{"name":["N"]}}` + "\n")
	}
	buf.WriteString(`{"id":"c","schema":"Company","proper`)
	truncated := writeFile(t, "truncated.ftm.json", buf.String())
	_, err := ingestFiles(t, s, ingest.Options{}, truncated)
	if err == nil || !strings.Contains(err.Error(), "truncated.ftm.json:3003: the file ends in the middle of a record") {
		t.Fatalf("truncated file error = %v", err)
	}
	if after := snapshot(t, s, "a", "b"); after != before {
		t.Errorf("failed ingest altered stored data:\nbefore %s\nafter  %s", before, after)
	}
	st, _ := s.Stats(context.Background())
	if st.Entities != 2 || st.Relationships != 1 {
		t.Errorf("after failed ingest: %d entities, %d relationships; want 2 and 1", st.Entities, st.Relationships)
	}
	// The same holds for a gzip file cut short.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(`{"id":"z","schema":"Company","properties":{"name":["Zed"]}}`+"\n", 2000)))
	zw.Close()
	cut := writeFile(t, "cut.ftm.json.gz", string(gz.Bytes()[:gz.Len()-20]))
	if _, err := ingestFiles(t, s, ingest.Options{}, cut); err == nil || !strings.Contains(err.Error(), "truncated or corrupt") {
		t.Errorf("truncated gzip error = %v", err)
	}
	if after := snapshot(t, s, "a", "b"); after != before {
		t.Errorf("failed gzip ingest altered stored data")
	}
}

// snapshot renders entities and their relationships for comparison.
func snapshot(t *testing.T, s *store.Store, refs ...string) string {
	t.Helper()
	var out []string
	err := s.View(context.Background(), func(tx *store.Tx) error {
		for _, ref := range refs {
			id, err := tx.Resolve(ref)
			if err != nil {
				return err
			}
			e, err := tx.Entity(id)
			if err != nil {
				return err
			}
			p, err := tx.Relationships(id, graph.RelQuery{})
			if err != nil {
				return err
			}
			b, _ := json.Marshal(struct {
				E *graph.Entity
				R []*graph.Relationship
			}{e, p.Relationships})
			out = append(out, string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

func TestGzipAndReingestUnchanged(t *testing.T) {
	content := `{"id":"a","schema":"Company","properties":{"name":["Alpha"]}}` + "\n" +
		`{"id":"b","schema":"Person","properties":{"name":["Beta"]}}` + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(content))
	zw.Close()
	p := writeFile(t, "x.ftm.json.gz", gz.String())
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, p)
	if err != nil || sums[0].Added != 2 {
		t.Fatalf("gzip ingest = %+v, %v", sums, err)
	}
	sums, err = ingestFiles(t, s, ingest.Options{}, p)
	if err != nil || sums[0].Unchanged != 2 || sums[0].Added+sums[0].Updated != 0 {
		t.Fatalf("re-ingest = %+v, %v", sums[0], err)
	}
}

// Records whose other end is not in the file yet are kept and resolve when
// it arrives, in any order.
func TestPendingEndpointsResolve(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	rel := writeFile(t, "rel.ftm.json", `{"id":"o","schema":"Ownership","properties":{"owner":["x"],"asset":["y"]}}`+"\n")
	ingestFiles(t, s, ingest.Options{}, rel)
	st, _ := s.Stats(context.Background())
	if st.Relationships != 1 || st.Unresolved != 1 {
		t.Fatalf("stats = %+v, want 1 unresolved relationship", st)
	}
	nodes := writeFile(t, "nodes.ftm.json", `{"id":"y","schema":"Company","properties":{"name":["Y"]}}`+"\n"+`{"id":"x","schema":"Person","properties":{"name":["X"]}}`+"\n")
	ingestFiles(t, s, ingest.Options{}, nodes)
	st, _ = s.Stats(context.Background())
	if st.Unresolved != 0 {
		t.Fatalf("after the ends arrived, unresolved = %d", st.Unresolved)
	}
	if snap := snapshot(t, s, "x"); !strings.Contains(snap, `"target":"y"`) {
		t.Errorf("x has no relationship to y: %s", snap)
	}
}

func TestUnknownSchemaKept(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	p := writeFile(t, "u.ftm.json", `{"id":"w","schema":"Widget","properties":{"name":["Thing one"],"owner":["z"]}}`+"\n")
	sums, err := ingestFiles(t, s, ingest.Options{}, p)
	if err != nil || sums[0].UnknownSchemata["Widget"] != 1 || sums[0].Added != 1 {
		t.Fatalf("summary = %+v, %v", sums, err)
	}
	st, _ := s.Stats(context.Background())
	if st.BySchema["Widget"] != 1 {
		t.Errorf("unknown schema entity not stored: %+v", st)
	}
}

func TestFindingsCSV(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, "testdata/findings.csv")
	if err != nil {
		t.Fatal(err)
	}
	if sums[0].Format != "findings" || sums[0].Added != 4 || sums[0].Rejected != 0 {
		t.Fatalf("summary = %+v rejects %v", sums[0], sums[0].Rejects)
	}
	snap := snapshot(t, s, "finding:rfs")
	for _, want := range []string{`"kind":"opened-accounts-for"`, `"quote":"accused it of opening`, `"startDate":["2017"]`, `"taxNumber":["7744002860"]`} {
		if !strings.Contains(snap, want) {
			t.Errorf("finding:rfs snapshot lacks %s:\n%s", want, snap)
		}
	}
	bad := writeFile(t, "bad.csv", "record,id,from,to,kind,source_url\n"+
		"relationship,r1,a,b,opened-accounts-for,\n"+
		"relationship,r2,a,b,owns-ish,https://example.org\n"+
		"entity,e1,,,,\n"+
		"thing,t1,,,,\n")
	sums, err = ingestFiles(t, s, ingest.Options{}, bad)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"bad.csv:2: source_url: a relationship needs a source",
		"bad.csv:3: kind: unknown relationship kind \"owns-ish\"",
		"bad.csv:4: name: an entity needs a name",
		"bad.csv:5: record: want entity or relationship",
	}
	if len(sums[0].Rejects) != len(want) {
		t.Fatalf("rejects = %v", sums[0].Rejects)
	}
	for i, w := range want {
		if !strings.Contains(sums[0].Rejects[i].Error(), w) {
			t.Errorf("reject %d = %q, want %q", i, sums[0].Rejects[i], w)
		}
	}
	unknownCol := writeFile(t, "col.csv", "record,id,nmae\nentity,x,X\n")
	if _, err := ingestFiles(t, s, ingest.Options{}, unknownCol); err == nil || !strings.Contains(err.Error(), `col.csv:1: unknown column "nmae"`) {
		t.Errorf("unknown column error = %v", err)
	}
}

func TestDemo(t *testing.T) {
	s := storetest.Open(t, store.Options{})
	ctx := context.Background()
	run, _ := s.BeginRun(ctx, "demo")
	sum, err := ingest.Demo(ctx, run)
	if err != nil || sum.Rejected != 0 {
		t.Fatalf("demo: %+v %v", sum, err)
	}
	run.Commit(ctx)
	snap := snapshot(t, s, "demo-rfs")
	if !strings.Contains(snap, `"kind":"opened-accounts-for","schema":"UnknownLink","source":"demo-rfs","target":"demo-dandong"`) {
		t.Errorf("demo: RFS has no opened-accounts-for edge to Dandong Zhongsheng:\n%s", snap)
	}
	// Every relationship in the demo cites a source with a URL.
	err = s.View(ctx, func(tx *store.Tx) error {
		for _, ref := range []string{"demo-ftb", "demo-rfs", "demo-dandong", "demo-agrosoyuz", "demo-han-jang-su"} {
			id, _ := tx.Resolve(ref)
			p, err := tx.Relationships(id, graph.RelQuery{})
			if err != nil {
				return err
			}
			for _, r := range p.Relationships {
				if r.Kind == graph.RelProgrammeOf {
					continue
				}
				if len(r.Sources) == 0 || r.Sources[0].URL == "" {
					t.Errorf("demo relationship %s has no source URL", r.Ref)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeltaIndex(t *testing.T) {
	p := graphtest.SharedData(t, "opensanctions/yente-fixtures/t2/delta.json")
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	// Versions in order: ADD AQI and Janan Agha; ADD Poltergeist and MOD
	// AQI; DEL Poltergeist; ADD Plotnikov.
	if got := sums[0]; got.Added != 4 || got.Updated != 1 || got.Deleted != 1 {
		t.Errorf("delta index summary = %+v", got)
	}
	if snap := snapshot(t, s, "NK-2T3S8Hu29ktYnKSTgQp2wL"); !strings.Contains(snap, "Foobar Foobargroup") {
		t.Errorf("MOD not applied: %s", snap[:200])
	}
	if _, err := s.Resolve(context.Background(), "NK-500Poltergeist"); !errors.Is(err, graph.ErrNotFound) {
		t.Errorf("deleted entity still resolves: %v", err)
	}
	if _, err := s.Resolve(context.Background(), "Q4365364"); err != nil {
		t.Errorf("added entity missing: %v", err)
	}
	_ = bufio.NewReader
}
