package ingest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

// plainStrings reads what json.Unmarshal reads, or declines.
func FuzzPlainStrings(f *testing.F) {
	for _, s := range []string{`["a","b"]`, `[]`, `[ "x" , "y" ]`, `["a\"b"]`, `["é"]`, `[1]`, `["a",]`, `["\u00e9"]`, "[\"\xff\"]", `["a" "b"]`, `["a"]x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := plainStrings([]byte(s))
		var want []string
		err := json.Unmarshal([]byte(s), &want)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("plainStrings(%q) = %q, but it is not a JSON list of strings: %v", s, got, err)
		}
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("plainStrings(%q) = %q, want %q", s, got, want)
		}
	})
}

// ftmSeeds are lines of every shape parseFTMFast reads and declines.
func ftmSeeds() []string {
	return []string{
		`{"id":"syn-4","schema":"Company","properties":{"addressEntity":["syn-addr-82"],"alias":["Ranvel Investment Co., Ltd."],"country":["pa"],"name":["Velzun Capital Co., Ltd."],"registrationNumber":["R00000004"]},"datasets":["synthetic"]}`,
		` { "id" : "a" , "schema" : "Person" , "caption" : "A" , "properties" : { "name" : [ "A" , "B" ] , "x" : [ ] } , "datasets" : [ ] , "referents" : ["r"], "first_seen":"2020", "last_seen":"2021", "last_change":"2022" } `,
		`{}`, `{"properties":{}}`, `{"id":"a","id":"b"}`, `{"ID":"a"}`, `{"id":"a\"b"}`, `{"id":"\u00e9"}`, "{\"id\":\"\xff\"}",
		`{"id":"a","properties":{"name":["x"],"name":["y"]}}`, `{"id":"a","properties":{"name":"x"}}`, `{"id":"a","properties":{"n":[1]}}`,
		`{"id":"a","properties":null}`, `{"id":null}`, `{"id":"a",}`, `{"id":"a"}x`, `{"id":"a"`, `{"op":"DEL","entity":{"id":"x"}}`,
		`{"id":"a","sources":[{"dataset":"d"}]}`, `{"id":"a","properties":{"name":["x",]}}`, `{"id":"a","datasets":["x"]]}`,
		`{"id":"a","properties":{"name":["]"]}}`, "{\"id\":\"a\tb\"}", `{"id":"a","properties":{"n\"":["x"]}}`,
		`{"id":"a","target":true}`, `{"id":"a","Target":false,"x":null,"y":"s","z":["a"],"x":true}`, `{"id":"a","SCHEMA":"x"}`,
		`{"id":"a","target":1}`, `{"id":"a","target":tru}`, "{\"id\":\"a\",\"\u212a\":\"x\"}", `{"id":"a","Op":"DEL"}`, `{"id":"a","target":{}}`,
	}
}

// What parseFTMFast reads, json.Unmarshal reads the same; what it
// declines is read by json.Unmarshal.
func FuzzParseFTMFast(f *testing.F) {
	for _, s := range ftmSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want ftmLine
		if !parseFTMFast(b, &got) {
			if !reflect.DeepEqual(got, ftmLine{}) {
				t.Fatalf("parseFTMFast(%q) declined but left %+v", b, got)
			}
			return
		}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("parseFTMFast(%q) = %+v, but json.Unmarshal fails: %v", b, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseFTMFast(%q) = %+v, json.Unmarshal reads %+v", b, got, want)
		}
	})
}

// The synthetic network's lines, and the usual lines of real files, take
// the fast path.
func TestParseFTMFastTaken(t *testing.T) {
	for _, s := range ftmSeeds()[:4] {
		var l ftmLine
		if !parseFTMFast([]byte(s), &l) {
			t.Errorf("parseFTMFast(%q) declined", s)
		}
	}
}

// On every line of the shared FtM files, parseFTMFast reads what
// json.Unmarshal reads, or declines.
func TestParseFTMFastSharedFiles(t *testing.T) {
	dir := filepath.Join(graphtest.SharedDir(), "opensanctions")
	lines, fast := 0, 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || !(strings.HasSuffix(p, ".ftm.json") || strings.HasSuffix(p, ".delta.json")) {
			return nil
		}
		fh, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			lines++
			var got, want ftmLine
			if !parseFTMFast(sc.Bytes(), &got) {
				continue
			}
			fast++
			if err := json.Unmarshal(sc.Bytes(), &want); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: parseFTMFast reads %+v, json.Unmarshal %+v (%v)", p, got, want, err)
			}
		}
		return sc.Err()
	})
	if lines == 0 {
		t.Skip("no shared FtM files")
	}
	t.Logf("%d lines, %d read by parseFTMFast", lines, fast)
}
