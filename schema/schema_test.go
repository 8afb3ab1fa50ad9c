package schema_test

import (
	"context"
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

// The entities on a path resolve their id, name and kind from the records
// read with the path (without a read each): however the query selects
// them (fragments, aliases, exposure chains), they must equal what
// entity(id:) reads.
func TestPathEntitiesAgreeWithEntity(t *testing.T) {
	s := demoSchema(t)
	const ent = `id name kind`
	for _, q := range []string{
		`{ paths(from: "demo-rfs", to: "demo-ftb", first: 3) { paths { start { ` + ent + ` } end { ` + ent + ` } steps { from { ` + ent + ` } to { ` + ent + ` } } } } }`,
		`query { paths(from: "demo-bank-sputnik", to: "demo-kkbc", first: 3) { paths { ...P } } }
		 fragment P on Path { steps { relationship { kind } other: to { ...E } } start { ... on Entity { ` + ent + ` } } }
		 fragment E on Entity { ` + ent + ` }`,
		`{ linksToSanctioned(id: "demo-rfs", first: 3) { paths { end { ` + ent + ` } steps { to { ` + ent + ` countries } } } } }`,
		`{ ownershipExposure(id: "demo-dandong") { chains { start { ` + ent + ` } end { ` + ent + ` } steps { from { ` + ent + ` } to { ` + ent + ` } } } } }`,
		`{ screen(name: "KOREA KWANGSON BANKING CORP", country: "North Korea") { exposure(maxHops: 2) { paths { end { ` + ent + ` } steps { from { ` + ent + ` } } } } } }`,
	} {
		data, errs := exec(t, s, q, nil)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", q, errs)
		}
		n := 0
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if id, ok := v["id"].(string); ok {
					want, errs := exec(t, s, `query($id: ID!) { entity(id: $id) { `+ent+` } }`, map[string]any{"id": id})
					if len(errs) > 0 {
						t.Fatalf("entity(%s): %v", id, errs)
					}
					w := want["entity"].(map[string]any)
					for _, f := range []string{"id", "name", "kind"} {
						if v[f] != w[f] {
							t.Errorf("%s: entity %s on a path has %s %v, entity(id:) %v", q, id, f, v[f], w[f])
						}
					}
					n++
				}
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(data)
		if n == 0 {
			t.Errorf("%s: no entity on a path in %v", q, data)
		}
	}
}

// BenchmarkPathsQuery runs the bench's path query (sgbench) on the demo
// store: the GraphQL side of a path answer, whose search is small here.
func BenchmarkPathsQuery(b *testing.B) {
	s := demoSchema(b)
	q := `query($from: ID!, $to: ID!) { paths(from: $from, to: $to, first: 1, maxHops: 6) { truncated paths { hops steps { forward relationship { kind } to { id name } } } } }`
	vars := map[string]any{"from": "demo-bank-sputnik", "to": "demo-kkbc"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx := schema.WithRequest(context.Background(), schema.DefaultLimits.MaxLoads)
		if resp := s.Exec(ctx, q, "", vars); len(resp.Errors) > 0 {
			b.Fatal(resp.Errors)
		}
	}
}
