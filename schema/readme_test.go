package schema_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEQueries runs every GraphQL query of the README on the demo
// data, as a new user pasting them into GraphiQL would: each answers
// without errors, and none answers an empty list where it shows a result.
func TestREADMEQueries(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(b), -1)
	if len(blocks) < 3 {
		t.Fatalf("the README has %d GraphQL examples", len(blocks))
	}
	s := demoSchema(t)
	for _, m := range blocks {
		q := m[1]
		if strings.HasPrefix(strings.TrimSpace(q), "mutation") {
			continue // writes need a token; the mutation tests cover them
		}
		data, errs := exec(t, s, q, nil)
		if len(errs) > 0 {
			t.Errorf("README query\n%s\nerrors: %v", q, errs)
			continue
		}
		for field, v := range data {
			if l, ok := v.([]any); ok && len(l) == 0 {
				out, _ := json.Marshal(data)
				t.Errorf("README query\n%s\nanswers %s: [] on the demo data (%s)", q, field, out)
			}
		}
	}
}
