package schema_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// parser reads findings CSV with ingest's reader, as the serve command
// wires it.
type parser struct{}

func (parser) ParseFindings(ctx context.Context, csv string) ([]graph.Record, []string, error) {
	recs, sum, err := ingest.ReadFindings(ctx, "csv", strings.NewReader(csv), ingest.Options{Dataset: store.FindingsDataset})
	if err != nil {
		return nil, nil, err
	}
	var rejects []string
	for _, r := range sum.Rejects {
		rejects = append(rejects, r.Error())
	}
	return recs, rejects, nil
}

func writableSchema(t *testing.T) (*graphql.Schema, *store.Store) {
	t.Helper()
	st := storetest.Demo(t)
	s, err := schema.New(st, schema.DefaultLimits, nil, schema.Writable(st, parser{}))
	if err != nil {
		t.Fatalf("schema.New: %v", err)
	}
	return s, st
}

// execAs runs q with the write access of writer (nil: a read-only server).
func execAs(t *testing.T, s *graphql.Schema, writer *string, q string, vars map[string]any) (map[string]any, []map[string]any) {
	t.Helper()
	ctx := schema.WithRequest(context.Background(), schema.DefaultLimits.MaxLoads)
	if writer != nil {
		ctx = schema.WithWriter(ctx, *writer)
	}
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

func code(errs []map[string]any) string {
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0]["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

func message(errs []map[string]any) string {
	if len(errs) == 0 {
		return ""
	}
	m, _ := errs[0]["message"].(string)
	return m
}

func ptr(s string) *string { return &s }

const addEntityQ = `mutation($e: EntityInput!, $s: SourceInput!) { addEntity(entity: $e, source: $s) { entity { id name kind aliases countries identifiers { scheme value } sources { dataset url quote } } auditId } }`

var goodSource = map[string]any{"url": "https://home.treasury.gov/news/press-releases/sm711", "date": "2019-06-19", "quote": "opened multiple bank accounts"}

func TestMutationsNeedWriteAccess(t *testing.T) {
	s, st := writableSchema(t)
	vars := map[string]any{"e": map[string]any{"name": "X Co"}, "s": goodSource}
	if _, errs := execAs(t, s, nil, addEntityQ, vars); code(errs) != schema.CodeForbidden {
		t.Errorf("read-only server: %v, want FORBIDDEN", errs)
	}
	if _, errs := execAs(t, s, ptr(""), addEntityQ, vars); code(errs) != schema.CodeUnauthenticated {
		t.Errorf("no token: %v, want UNAUTHENTICATED", errs)
	}
	if log, _ := st.Audit(context.Background(), store.AuditFilter{}); len(log) != 0 {
		t.Errorf("refused mutations wrote %d audit entries", len(log))
	}
	// A schema made without Writable is a read-only API, even over a
	// store that can write.
	ro, err := schema.New(st, schema.DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, errs := execAs(t, ro, ptr("alice"), addEntityQ, vars); code(errs) != schema.CodeForbidden {
		t.Errorf("read-only graph: %v, want FORBIDDEN", errs)
	}
}

func TestMutationLifecycle(t *testing.T) {
	s, st := writableSchema(t)
	alice := ptr("alice")
	data, errs := execAs(t, s, alice, addEntityQ, map[string]any{
		"e": map[string]any{"kind": "Company", "name": "Sea Star Trading", "aliases": []any{"Morskaya Zvezda"}, "countries": []any{"RU"},
			"identifiers": []any{map[string]any{"scheme": "registrationNumber", "value": "1027700000000"}}},
		"s": goodSource,
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	ent := data["addEntity"].(map[string]any)["entity"].(map[string]any)
	id := ent["id"].(string)
	b, _ := json.Marshal(ent)
	for _, want := range []string{`"countries":["ru"]`, `"aliases":["Morskaya Zvezda"]`, `"dataset":"findings"`, `"value":"1027700000000"`, `"kind":"Company"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("added entity lacks %s: %s", want, b)
		}
	}
	data, errs = execAs(t, s, alice, `mutation($id: ID!) { addRelationship(relationship: {kind: OWNS, sourceId: "demo-ftb", targetId: $id, percentage: 60, startDate: "2018"},
		source: {document: "US Treasury press release of 19 June 2019", date: "2019-06-19", quote: "owned by FTB"}) { relationship { id kind properties { percentage startDate } source { id } target { id } } auditId } }`,
		map[string]any{"id": id})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rel := data["addRelationship"].(map[string]any)["relationship"].(map[string]any)
	relID := rel["id"].(string)
	if rel["source"].(map[string]any)["id"] != "demo-ftb" || rel["target"].(map[string]any)["id"] != id || rel["properties"].(map[string]any)["percentage"] != 60.0 {
		t.Errorf("added relationship = %v", rel)
	}
	pathsQ := `query($a: ID!) { paths(from: $a, to: "demo-ftb", first: 3) { paths { hops } } }`
	hops := func() int {
		data, errs := execAs(t, s, nil, pathsQ, map[string]any{"a": id})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		ps := data["paths"].(map[string]any)["paths"].([]any)
		if len(ps) == 0 {
			return 0
		}
		return int(ps[0].(map[string]any)["hops"].(float64))
	}
	if h := hops(); h != 1 {
		t.Fatalf("shortest path over the new relationship: %d hops, want 1", h)
	}
	_, errs = execAs(t, s, ptr("bob"), `mutation($id: ID!) { updateRelationship(id: $id, relationship: {percentage: 45}, source: {url: "https://example.org/correction", date: "2020-02", quote: "45 per cent"}) { relationship { properties { percentage startDate } } auditId } }`,
		map[string]any{"id": relID})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got, _ := st.Relationship(context.Background(), relID)
	if got.First("percentage") != "45" || got.StartDate() != "2018" {
		t.Errorf("after update: %+v", got.Props)
	}
	data, errs = execAs(t, s, ptr("bob"), `mutation($id: ID!) { retract(id: $id, reason: "the correction names another bank", source: {url: "https://example.org/c2", date: "2020-03-01", quote: "not FTB"}) { ids auditId } }`,
		map[string]any{"id": relID})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ids := data["retract"].(map[string]any)["ids"].([]any); len(ids) != 1 || ids[0] != relID {
		t.Errorf("retracted %v", ids)
	}
	// Paths no longer use the retracted relationship: the entity is
	// linked to nothing now.
	if h := hops(); h != 0 {
		t.Errorf("a %d-hop path after the retraction", h)
	}
	log, _ := st.Audit(context.Background(), store.AuditFilter{})
	var who []string
	for _, e := range log {
		who = append(who, e.Who+":"+e.Action)
	}
	if strings.Join(who, ",") != "alice:add-entity,alice:add-relationship,bob:update-relationship,bob:retract" {
		t.Errorf("audit log = %v", who)
	}
	// The finding is still there, retracted, with its last version.
	f, err := st.Finding(context.Background(), relID)
	if err != nil || f.Status != store.FindingRetracted || f.Relationship.First("percentage") != "45" {
		t.Errorf("retracted finding = %+v, %v", f, err)
	}
	_, errs = execAs(t, s, ptr("bob"), `mutation($id: ID!) { retract(id: $id, reason: "again", source: {url: "https://example.org/c2", date: "2020", quote: "q"}) { ids } }`, map[string]any{"id": relID})
	if code(errs) != schema.CodeBadUserInput || !strings.Contains(message(errs), "retracted") {
		t.Errorf("retract twice: %v", errs)
	}
}

func TestMutationInputErrors(t *testing.T) {
	s, st := writableSchema(t)
	alice := ptr("alice")
	src := func(k, v string) map[string]any {
		m := map[string]any{}
		for k, v := range goodSource {
			m[k] = v
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name, q    string
		vars       map[string]any
		code, want string
	}{
		{"no url or document", addEntityQ, map[string]any{"e": map[string]any{"name": "X"}, "s": src("url", "")}, schema.CodeBadUserInput, "source.url"},
		{"no date", addEntityQ, map[string]any{"e": map[string]any{"name": "X"}, "s": src("date", "")}, schema.CodeBadUserInput, "source.date"},
		{"bad date", addEntityQ, map[string]any{"e": map[string]any{"name": "X"}, "s": src("date", "19 June 2019")}, schema.CodeBadUserInput, "source.date"},
		{"no quote", addEntityQ, map[string]any{"e": map[string]any{"name": "X"}, "s": src("quote", "")}, schema.CodeBadUserInput, "source.quote"},
		{"no name", addEntityQ, map[string]any{"e": map[string]any{"kind": "Company"}, "s": goodSource}, schema.CodeBadUserInput, "entity.name"},
		{"edge schema", addEntityQ, map[string]any{"e": map[string]any{"name": "X", "kind": "Ownership"}, "s": goodSource}, schema.CodeBadUserInput, "entity.kind"},
		{"bad identifier", addEntityQ, map[string]any{"e": map[string]any{"name": "X", "identifiers": []any{map[string]any{"scheme": "colour", "value": "red"}}}, "s": goodSource}, schema.CodeBadUserInput, "entity.identifiers"},
		{"unknown end", `mutation($s: SourceInput!) { addRelationship(relationship: {kind: OWNS, sourceId: "demo-ftb", targetId: "nobody"}, source: $s) { auditId } }`,
			map[string]any{"s": goodSource}, schema.CodeNotFound, "relationship.targetId"},
		{"no kind", `mutation($s: SourceInput!) { addRelationship(relationship: {sourceId: "demo-ftb", targetId: "demo-rfs"}, source: $s) { auditId } }`,
			map[string]any{"s": goodSource}, schema.CodeBadUserInput, "relationship.kind"},
		{"bad percentage", `mutation($s: SourceInput!) { addRelationship(relationship: {kind: OWNS, sourceId: "demo-ftb", targetId: "demo-rfs", percentage: 150}, source: $s) { auditId } }`,
			map[string]any{"s": goodSource}, schema.CodeBadUserInput, "relationship.percentage"},
		{"list entity", `mutation($s: SourceInput!) { updateEntity(id: "demo-ftb", entity: {name: "Y"}, source: $s) { auditId } }`,
			map[string]any{"s": goodSource}, schema.CodeBadUserInput, "not a finding"},
		{"no such finding", `mutation($s: SourceInput!) { retract(id: "0b9f9b64-4a84-4b0e-9d8e-3a3c5c1d2e3f", reason: "r", source: $s) { ids } }`,
			map[string]any{"s": goodSource}, schema.CodeNotFound, "not found"},
		{"no reason", `mutation($s: SourceInput!) { retract(id: "demo-ftb", reason: " ", source: $s) { ids } }`,
			map[string]any{"s": goodSource}, schema.CodeBadUserInput, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := execAs(t, s, alice, tt.q, tt.vars)
			if code(errs) != tt.code || !strings.Contains(message(errs), tt.want) {
				t.Errorf("errors = %v, want code %s naming %q", errs, tt.code, tt.want)
			}
		})
	}
	if log, _ := st.Audit(context.Background(), store.AuditFilter{}); len(log) != 0 {
		t.Errorf("refused mutations wrote %d audit entries", len(log))
	}
}

func TestImportFindingsMutation(t *testing.T) {
	s, st := writableSchema(t)
	csv, err := os.ReadFile("../ingest/testdata/findings.csv")
	if err != nil {
		t.Fatal(err)
	}
	q := `mutation($csv: String!) { importFindings(csv: $csv) { added updated unchanged ids auditId } }`
	data, errs := execAs(t, s, ptr("alice"), q, map[string]any{"csv": string(csv)})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	res := data["importFindings"].(map[string]any)
	if res["added"] != 4.0 || len(res["ids"].([]any)) != 4 || res["auditId"] != "1" {
		t.Errorf("import = %v", res)
	}
	data, errs = execAs(t, s, ptr("alice"), q, map[string]any{"csv": string(csv)})
	if len(errs) > 0 || data["importFindings"].(map[string]any)["unchanged"] != 4.0 {
		t.Errorf("second import = %v %v", data, errs)
	}
	bad := "record,id,from,to,kind,source_url\nrelationship,r1,a,b,owns-ish,https://example.org\n"
	_, errs = execAs(t, s, ptr("alice"), q, map[string]any{"csv": bad})
	if code(errs) != schema.CodeBadUserInput || !strings.Contains(message(errs), "kind") || !strings.Contains(message(errs), "nothing was imported") {
		t.Errorf("bad row: %v", errs)
	}
	over := "record,id,schema,name\n" + strings.Repeat("entity,finding:x,Company,X\n", schema.MaxFindingsCSV/20)
	_, errs = execAs(t, s, ptr("alice"), q, map[string]any{"csv": over})
	if code(errs) != schema.CodeBadUserInput || !strings.Contains(message(errs), "csv") {
		t.Errorf("oversized csv: %v", errs)
	}
	clash := "record,id,schema,name\nentity,demo-ftb,Company,Not the bank\n"
	_, errs = execAs(t, s, ptr("alice"), q, map[string]any{"csv": clash})
	if code(errs) != schema.CodeBadUserInput || !strings.Contains(message(errs), "official list") {
		t.Errorf("row over a list record: %v", errs)
	}
	if e, _ := st.Entity(context.Background(), graph.KeyFor("demo-ftb")); e.Name() == "Not the bank" {
		t.Error("the import overwrote a list entity")
	}
	if log, _ := st.Audit(context.Background(), store.AuditFilter{}); len(log) != 2 {
		t.Errorf("%d audit entries, want 2 (the refused imports write none)", len(log))
	}
}
