package schema_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
)

func demoSchema(t testing.TB) *graphql.Schema {
	t.Helper()
	st, err := store.Open("", store.Options{InMemory: true, Index: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	run, _ := st.BeginRun(ctx, "demo")
	if _, err := ingest.Demo(ctx, run); err != nil {
		t.Fatal(err)
	}
	if err := run.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := schema.New(st, schema.DefaultLimits, nil)
	if err != nil {
		t.Fatalf("schema.New: %v", err)
	}
	return s
}

func exec(t *testing.T, s *graphql.Schema, q string, vars map[string]any) (map[string]any, []map[string]any) {
	t.Helper()
	ctx := schema.WithRequest(context.Background(), schema.DefaultLimits.MaxLoads)
	resp := s.Exec(ctx, q, "", vars)
	b, _ := json.Marshal(resp)
	var out struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out.Data, out.Errors
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
