package ingest

import (
	"encoding/json"
	"reflect"
	"testing"
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
