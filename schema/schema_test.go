package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

func demoSchema(t testing.TB) *graphql.Schema {
	t.Helper()
	s, err := schema.New(storetest.Demo(t), schema.DefaultLimits, nil)
	if err != nil {
		t.Fatalf("schema.New: %v", err)
	}
	return s
}

// exec runs q as a read-only request (execAs without a writer).
func exec(t *testing.T, s *graphql.Schema, q string, vars map[string]any) (map[string]any, []map[string]any) {
	t.Helper()
	return execAs(t, s, nil, q, vars)
}

func TestSchemaParsesAndAnswers(t *testing.T) {
	s := demoSchema(t)
	data, errs := exec(t, s, `{ paths(from: "demo-rfs", to: "demo-ftb") { truncated paths { hops steps { forward from { id } relationship { kind sources { url } } relationships { kind } to { id name } } } } }`, nil)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	b, _ := json.Marshal(data)
	got := string(b)
	for _, want := range []string{`"hops":2`, `"from":{"id":"demo-rfs"}`, `"kind":"OPENED_ACCOUNTS_FOR"`, `{"kind":"OWNS"},{"kind":"CONTROLS"}`, `"to":{"id":"demo-ftb"`} {
		if !strings.Contains(got, want) {
			t.Errorf("paths result lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "programme:") {
		t.Errorf("a path passes through a programme: %s", got)
	}
}

// A step answers kind and direction from the graph index without reading
// its relationships; the answers must equal those read from the store.
func TestLazyStepsAgreeWithRecords(t *testing.T) {
	s := demoSchema(t)
	for _, q := range []string{
		`{ paths(from: "demo-rfs", to: "demo-ftb", first: 5) { paths { steps { forward relationship { kind } } } } }`,
		`{ paths(from: "demo-bank-sputnik", to: "demo-kkbc", first: 5) { paths { steps { forward relationship { kind } } } } }`,
		`{ paths(from: "demo-agrosoyuz", to: "demo-mingzheng", first: 5, asOf: "2018-06-01") { paths { steps { forward relationship { kind } } } } }`,
	} {
		lazy, errs := exec(t, s, q, nil)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", q, errs)
		}
		full, _ := exec(t, s, strings.Replace(q, "relationship { kind }", "relationship { kind id sourceId } relationships { kind }", 1), nil)
		lb, _ := json.Marshal(lazy)
		fb, _ := json.Marshal(full)
		// Every kind and direction of the lazy answer is in the full one,
		// step by step.
		var l, f struct {
			Paths struct {
				Paths []struct {
					Steps []struct {
						Forward      bool
						Relationship struct{ Kind string }
					}
				}
			}
		}
		json.Unmarshal(lb, &l)
		json.Unmarshal(fb, &f)
		if len(l.Paths.Paths) != len(f.Paths.Paths) {
			t.Fatalf("%s: %d lazy paths, %d full", q, len(l.Paths.Paths), len(f.Paths.Paths))
		}
		for i := range l.Paths.Paths {
			for j := range l.Paths.Paths[i].Steps {
				if l.Paths.Paths[i].Steps[j] != f.Paths.Paths[i].Steps[j] {
					t.Errorf("%s: path %d step %d lazy %+v, read %+v", q, i, j, l.Paths.Paths[i].Steps[j], f.Paths.Paths[i].Steps[j])
				}
			}
		}
	}
}
